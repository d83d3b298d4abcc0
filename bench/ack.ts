// Slash-command ack latency of registry-doctor as `npm start` runs it (web + supervised worker, every command
// diagnosed and posted while the next ones are acked), and of `--role web` alone, against a bare Bolt app
// that only acks, side by side. All run in HTTP mode against the fake Slack Web API; the same signed
// `/registry diagnose …` is fired at each with autocannon in bursts (250 commands, 50 at a time, 5 rounds),
// interleaved so that machine noise hits every contender alike.
//   npm run bench:ack [-- --amount 250 --connections 50 --rounds 5]
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); uses a throwaway queue prefix and removes it.
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildApp, freePort, ROOT } from '../test/fakes/app-process.js';
import { cleanPrefix, uniquePrefix } from '../test/fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../test/fakes/sign.js';
import { FakeSlack } from '../test/fakes/slack-api.js';
import { numberArg, startNode, waitListening } from './bench-process.js';

const AMOUNT = numberArg('amount', 250);
const CONNECTIONS = numberArg('connections', 50);
const ROUNDS = numberArg('rounds', 5);
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';
const LOG =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';



interface Figures {
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function fire(port: number, amount: number): Promise<Figures> {
  // One signature for the whole run (Slack's window is 5 minutes): after the first, each is a replay, answered
  // with the first job's id by the same one-round-trip store, so the ack path costs the same.
  const body = slashCommandBody({ text: `diagnose ${LOG}`, channel_id: 'C0BENCH' });
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/slack/events`,
    method: 'POST',
    headers: signedHeaders(SECRET, body),
    body,
    connections: CONNECTIONS,
    amount,
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

const fake = await new FakeSlack().start();
const prefixes = [uniquePrefix('bench-ack-all'), uniquePrefix('bench-ack-web')];
const [allPort, webPort, barePort] = [await freePort(), await freePort(), await freePort()];
const common = { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: fake.apiUrl };
const ours = (port: number, prefix: string, role: string[]) =>
  startNode([buildApp(), ...role], {
    ...common,
    PORT: String(port),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REGISTRY_DOCTOR_CONFIG: join(ROOT, 'test/config/fixtures/no-registries.yml'),
  });
const contenders = [
  { name: 'bare Bolt (acks only)', port: barePort, ...startNode(['--import', 'tsx', join(ROOT, 'bench/bare-bolt-app.ts')], { ...common, PORT: String(barePort) }) },
  { name: 'registry-doctor npm start', port: allPort, ...ours(allPort, prefixes[0]!, []) },
  { name: 'registry-doctor --role web', port: webPort, ...ours(webPort, prefixes[1]!, ['--role', 'web']) },
];

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

try {
  for (const c of contenders) await waitListening(`http://127.0.0.1:${c.port}/slack/events`, c);
  process.stdout.write('warming up (one burst each)…\n');
  for (const c of contenders) await fire(c.port, AMOUNT);
  process.stdout.write(`measuring: ${ROUNDS} rounds of ${AMOUNT} commands, ${CONNECTIONS} at a time, contenders interleaved\n`);
  const rounds = new Map<string, Figures[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const c of contenders) rounds.get(c.name)!.push(await fire(c.port, AMOUNT));
  }
  const summary = (name: string) => {
    const figures = rounds.get(name)!;
    return {
      p50: percentile(figures.map((f) => f.p50), 50),
      p99: percentile(figures.map((f) => f.p99), 50),
      p99s: figures.map((f) => f.p99),
      bad: figures.reduce((n, f) => n + f.non2xx + f.errors, 0),
      total: figures.reduce((n, f) => n + f.total, 0),
    };
  };
  const bare = summary(contenders[0]!.name);
  const lines = ['', `${'ack latency (ms)'.padEnd(28)} ${'p50'.padStart(5)} ${'p99'.padStart(5)}  ${'p99 each round'.padEnd(26)} ${'total'.padStart(6)} ${'bad'.padStart(4)}  p99 ratio`];
  for (const c of contenders) {
    const f = summary(c.name);
    lines.push(
      `${c.name.padEnd(28)} ${String(f.p50).padStart(5)} ${String(f.p99).padStart(5)}  ${f.p99s.join(' ').padEnd(26)} ${String(f.total).padStart(6)} ${String(f.bad).padStart(4)}  ${(f.p99 / Math.max(bare.p99, 1)).toFixed(2)}×`,
    );
  }
  lines.push('', 'p50/p99: the median over rounds of each round\'s figure; ratio against the bare app\'s (target ≤ 1.5× for npm start).', '');
  process.stdout.write(lines.join('\n'));
} finally {
  for (const c of contenders) c.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  for (const c of contenders) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await fake.stop();
  for (const prefix of prefixes) await cleanPrefix(prefix);
}
