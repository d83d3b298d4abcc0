// Slash-command ack time while Redis stalls: registry-doctor as `npm start` runs it, on a Redis of its own that
// is frozen (SIGSTOP: connections stay open, nothing answers) while N signed `/registry diagnose …` commands
// arrive at once, then let go on (SIGCONT). Per round: ack p50/p99/max, how the acks read (slow / lost / other;
// Slack gives up after 3 s), and, once Redis is back, how many commands were posted once, twice or never.
//   npm run bench:stall [-- --commands 50 --rounds 3]
// Needs redis-server on PATH (the shared Redis is never paused).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildApp, freePort, ROOT } from '../test/fakes/app-process.js';
import { startOwnRedis } from '../test/fakes/redis-server.js';
import { signedHeaders, slashCommandBody } from '../test/fakes/sign.js';
import { FakeSlack } from '../test/fakes/slack-api.js';
import { numberArg, startNode, waitListening } from './bench-process.js';

const COMMANDS = numberArg('commands', 50);
const ROUNDS = numberArg('rounds', 3);
const SECRET = 'bench-signing-secret';
const SLACK_ACK_LIMIT_MS = 3000;
const LOG = (n: string) =>
  `denied: User: arn:aws:iam::123456789012:user/ci-${n} is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app`;

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

const redis = await startOwnRedis();
const fake = await new FakeSlack().start();
const port = await freePort();
const app = startNode([buildApp()], {
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_API_URL: fake.apiUrl,
  PORT: String(port),
  QUEUE_PREFIX: 'bench-stall',
  LOG_LEVEL: 'warn',
  SLACK_UPDATES_PER_MINUTE: '0',
  REDIS_URL: redis.url,
  REGISTRY_DOCTOR_CONFIG: join(ROOT, 'test/config/fixtures/no-registries.yml'),
});

async function command(channel: string): Promise<{ ms: number; text: string; status: number }> {
  const body = slashCommandBody({ text: `diagnose ${LOG(channel)}`, channel_id: channel });
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: signedHeaders(SECRET, body), body });
  const text = await res.text();
  return { ms: Math.round(performance.now() - started), text, status: res.status };
}

const posted = (channel: string, thread: boolean) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && (c.params.thread_ts !== undefined) === thread).length;

try {
  await waitListening(`http://127.0.0.1:${port}/slack/events`, app);
  const lines = [
    `${COMMANDS} commands at once while Redis is paused; load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    '',
    `${'round'.padEnd(6)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'max'.padStart(6)} ${'>3 s'.padStart(5)} ${'slow'.padStart(5)} ${'lost'.padStart(5)} ${'other'.padStart(6)} ${'posted once'.padStart(12)} ${'twice+'.padStart(7)} ${'never'.padStart(6)}`,
  ];
  const all: number[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const channels = Array.from({ length: COMMANDS }, (_, i) => `C0R${round}S${String(i).padStart(3, '0')}`);
    redis.pause();
    let acks: Awaited<ReturnType<typeof command>>[];
    try {
      acks = await Promise.all(channels.map(command));
    } finally {
      redis.resume();
    }
    const ms = acks.map((a) => a.ms);
    all.push(...ms);
    const slow = acks.filter((a) => a.status === 200 && /no need to send it again/.test(a.text)).length;
    const lost = acks.filter((a) => /nothing was stored|try again/i.test(a.text)).length;
    // Every command is posted after the stall; wait (a minute at most) until each has its answer in its thread.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !channels.every((c) => posted(c, true) > 0)) await new Promise((r) => setTimeout(r, 100));
    const parents = channels.map((c) => posted(c, false));
    lines.push(
      `${String(round).padEnd(6)} ${String(percentile(ms, 50)).padStart(6)} ${String(percentile(ms, 99)).padStart(6)} ${String(Math.max(...ms)).padStart(6)} ${String(ms.filter((m) => m > SLACK_ACK_LIMIT_MS).length).padStart(5)} ${String(slow).padStart(5)} ${String(lost).padStart(5)} ${String(acks.length - slow - lost).padStart(6)} ${String(parents.filter((n) => n === 1).length).padStart(12)} ${String(parents.filter((n) => n > 1).length).padStart(7)} ${String(parents.filter((n) => n === 0).length).padStart(6)}`,
    );
  }
  lines.push(
    `${'all'.padEnd(6)} ${String(percentile(all, 50)).padStart(6)} ${String(percentile(all, 99)).padStart(6)} ${String(Math.max(...all)).padStart(6)}`,
    '',
    `ack times in ms, measured by the sender (signature, Bolt, the store's timeout, the answer); Slack gives up at ${SLACK_ACK_LIMIT_MS} ms.`,
    'slow: "the queue is slow … no need to send it again"; lost: an answer that says nothing was stored.',
    `load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    '',
  );
  process.stdout.write(lines.join('\n'));
} finally {
  app.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
  await fake.stop();
  await redis.destroy();
}
