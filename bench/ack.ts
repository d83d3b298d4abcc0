// Slash-command ack latency: registry-doctor's web role vs a bare Bolt app that only acks, side by side.
// Both run as separate processes in HTTP mode against the fake Slack Web API; the same signed
// `/registry diagnose …` is fired at each with autocannon (50 connections, N seconds each).
//   npm run bench:ack [-- --seconds 10 --connections 50]
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); uses a throwaway queue prefix and removes it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildApp, freePort, ROOT } from '../test/fakes/app-process.js';
import { cleanPrefix, uniquePrefix } from '../test/fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../test/fakes/sign.js';
import { FakeSlack } from '../test/fakes/slack-api.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 50);
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';
const LOG =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';

async function waitHealthy(url: string, proc: ChildProcess, out: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`process exited:\n${out()}`);
    try {
      const res = await fetch(url, { method: 'POST', body: '' });
      if (res.status > 0) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`not up:\n${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(cmd: string[], env: Record<string, string>): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, cmd, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  return { proc, out: () => out };
}

interface Figures {
  p50: number;
  p99: number;
  mean: number;
  rps: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function fire(port: number, seconds: number): Promise<Figures> {
  // One signature for the whole run: Slack's window is 5 minutes.
  const body = slashCommandBody({ text: `diagnose ${LOG}`, channel_id: 'C0BENCH' });
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/slack/events`,
    method: 'POST',
    headers: signedHeaders(SECRET, body),
    body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.mean,
    rps: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

const fake = await new FakeSlack().start();
const prefix = uniquePrefix('bench-ack');
const [oursPort, barePort] = [await freePort(), await freePort()];
const common = { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: fake.apiUrl };
const ours = start([buildApp(), '--role', 'web'], {
  ...common,
  PORT: String(oursPort),
  QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'warn',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REGISTRY_DOCTOR_CONFIG: join(ROOT, 'bench/none.yml'),
});
const bare = start(['--import', 'tsx', join(ROOT, 'bench/bare-bolt-app.ts')], { ...common, PORT: String(barePort) });

try {
  await waitHealthy(`http://127.0.0.1:${oursPort}/slack/events`, ours.proc, ours.out);
  await waitHealthy(`http://127.0.0.1:${barePort}/slack/events`, bare.proc, bare.out);
  process.stdout.write(`warming up (2 s each)…\n`);
  await fire(barePort, 2);
  await fire(oursPort, 2);
  process.stdout.write(`measuring: ${CONNECTIONS} connections, ${SECONDS} s each, bare then registry-doctor then bare again\n`);
  const bare1 = await fire(barePort, SECONDS);
  const mine = await fire(oursPort, SECONDS);
  const bare2 = await fire(barePort, SECONDS);
  const bareBest = bare1.p99 <= bare2.p99 ? bare1 : bare2;
  const row = (name: string, f: Figures) =>
    `${name.padEnd(28)} ${String(f.p50).padStart(6)} ${String(f.p99).padStart(6)} ${f.mean.toFixed(1).padStart(7)} ${f.rps.toFixed(0).padStart(7)} ${String(f.total).padStart(7)} ${String(f.non2xx + f.errors).padStart(6)}`;
  process.stdout.write(
    [
      '',
      `${'ack latency (ms)'.padEnd(28)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'mean'.padStart(7)} ${'req/s'.padStart(7)} ${'total'.padStart(7)} ${'bad'.padStart(6)}`,
      row('bare Bolt (run 1)', bare1),
      row('registry-doctor web', mine),
      row('bare Bolt (run 2)', bare2),
      '',
      `p99 ratio registry-doctor / bare (better bare run): ${(mine.p99 / Math.max(bareBest.p99, 1)).toFixed(2)}× (target ≤ 1.5×)`,
      `p99 ratio against the mean of both bare runs:        ${(mine.p99 / Math.max((bare1.p99 + bare2.p99) / 2, 1)).toFixed(2)}×`,
      '',
    ].join('\n'),
  );
} finally {
  for (const p of [ours.proc, bare.proc]) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const p of [ours.proc, bare.proc]) if (p.exitCode === null) p.kill('SIGKILL');
  await fake.stop();
  await cleanPrefix(prefix);
}
