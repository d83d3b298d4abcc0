// Mixed traffic at a steady rate against registry-doctor as `npm start` runs it (web + supervised worker) and
// against a bare Bolt app that only acks, side by side: slash commands, form submissions, App Home events and
// CI webhooks, each correctly signed at the moment it is sent. Prints the sustained rate, ack p50/p99, errors,
// and the heap and Redis keys/memory afterwards. `--seconds 600` is the soak (not in CI): it also prints heap
// and Redis keys every 30 s, which must level off at the configured bounds.
// `--cpu-prof DIR` writes CPU profiles of registry-doctor's processes (web and worker) into DIR.
//   npm run bench:load [-- --rate 40 --seconds 30 --cpu-prof /tmp/profiles]
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); uses a throwaway prefix and removes it.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { MODAL_BLOCKS, MODAL_CALLBACK_ID } from '../src/render/slack/messages.js';
import { buildApp, freePort, ROOT, stopProcess } from '../test/fakes/app-process.js';
import { cleanPrefix, uniquePrefix } from '../test/fakes/redis.js';
import { eventBody, slackSignature, slashCommandBody, viewSubmissionBody } from '../test/fakes/sign.js';
import { FakeSlack } from '../test/fakes/slack-api.js';
import { numberArg, startNode, waitListening } from './bench-process.js';

const RATE = numberArg('rate', 40);
const SECONDS = numberArg('seconds', 30);
const CONNECTIONS = numberArg('connections', 20);
const SECRET = 'bench-signing-secret';
const CI_SECRET = 'bench-ci-secret';
const TOKEN = 'xoxb-bench';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// ---- the traffic: real logs from the corpus, in the four shapes the bot receives ---------------------------
const logs = readFileSync(join(ROOT, 'test/fixtures/corpus/dev.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { log: string; image: string | null });

interface Shaped {
  kind: string;
  path: string;
  contentType: string;
  body: string;
  sign: 'slack' | 'ci';
}

function traffic(i: number): Shaped {
  const sample = logs[i % logs.length]!;
  const channel = `CLOAD${(i % 40).toString(36).toUpperCase()}`;
  const slot = i % 10;
  if (slot < 5) {
    return { kind: 'slash command', path: '/slack/events', contentType: 'application/x-www-form-urlencoded', sign: 'slack', body: slashCommandBody({ text: `diagnose ${sample.log.slice(0, 3000)}`, channel_id: channel }) };
  }
  if (slot < 7) {
    const body = viewSubmissionBody({
      callback_id: MODAL_CALLBACK_ID,
      private_metadata: JSON.stringify({ channel }),
      state: {
        values: {
          [MODAL_BLOCKS.log.block]: { [MODAL_BLOCKS.log.action]: { type: 'plain_text_input', value: sample.log.slice(0, 3000) } },
          [MODAL_BLOCKS.image.block]: { [MODAL_BLOCKS.image.action]: { type: 'plain_text_input', value: '' } },
          [MODAL_BLOCKS.registry.block]: { [MODAL_BLOCKS.registry.action]: { type: 'static_select', selected_option: { value: '__any__', text: { type: 'plain_text', text: 'Any' } } } },
        },
      },
    });
    return { kind: 'form submission', path: '/slack/events', contentType: 'application/x-www-form-urlencoded', sign: 'slack', body };
  }
  if (slot < 8) {
    return { kind: 'App Home event', path: '/slack/events', contentType: 'application/json', sign: 'slack', body: eventBody({ type: 'app_home_opened', user: `ULOAD${i % 20}`, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` }) };
  }
  const pipeline = { provider: 'github', name: `build-${i % 7}`, url: 'https://ci.example/run', run_id: String(i), commit: 'abc123', branch: 'main' };
  return { kind: 'CI webhook', path: '/webhooks/ci', contentType: 'application/json', sign: 'ci', body: JSON.stringify({ log: sample.log, ...(sample.image ? { image: sample.image } : {}), pipeline }) };
}

function headersFor(item: Shaped): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  if (item.sign === 'slack') return { 'content-type': item.contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SECRET, ts, item.body) };
  const signature = `v1=${createHmac('sha256', CI_SECRET).update(`v1:${ts}:${item.body}`).digest('hex')}`;
  return { 'content-type': item.contentType, 'x-registry-doctor-timestamp': String(ts), 'x-registry-doctor-signature': signature };
}

interface Figures {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** Each kind's ack latencies (ms), to see which kind of request holds the tail. */
  byKind: Map<string, number[]>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function fire(port: number, seconds: number): Promise<Figures> {
  let next = 0;
  const byKind = new Map<string, number[]>();
  // autocannon reports a response's latency right after its onResponse, with nothing to tie the two: the
  // kind is carried in the connection's context and read back in between.
  let answeredKind = '';
  let finish: (result: autocannon.Result) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => ([finish, fail] = [resolve, reject]));
  const run = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    overallRate: RATE,
    // autocannon's correction for a paced load adds synthetic samples at 1 ms steps below every slow answer
    // (its expected interval is ceil(1 / rate) in ms, for a rate in requests per second), which drowned the
    // real median: one 500 ms answer weighed like 500 answers. The figures come from the answers themselves.
    ignoreCoordinatedOmission: true,
    duration: seconds,
    requests: [
      {
        setupRequest: (request, context) => {
          const item = traffic((next += 1));
          (context as { kind?: string }).kind = item.kind;
          return { ...request, method: 'POST', path: item.path, headers: headersFor(item), body: item.body };
        },
        onResponse: (_status, _body, context) => {
          answeredKind = String((context as { kind?: string }).kind);
        },
      },
    ],
  }, (error, result) => (error ? fail(error) : finish(result)));
  run.on('response', (_client, _status, _bytes, ms) => {
    const list = byKind.get(answeredKind) ?? [];
    list.push(ms);
    byKind.set(answeredKind, list);
  });
  const result = await done;
  for (const list of byKind.values()) list.sort((a, b) => a - b);
  const all = [...byKind.values()].flat().sort((a, b) => a - b);
  return {
    rate: result.requests.total / seconds,
    p50: Math.round(percentile(all, 50)),
    p99: Math.round(percentile(all, 99)),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
    byKind,
  };
}



async function heapMb(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('registry_doctor_nodejs_heap_size_used_bytes '));
  return line ? Number(line.split(' ')[1]) / 1e6 : NaN;
}

async function redisKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

const fake = await new FakeSlack().start();
const prefix = uniquePrefix('bench-load');
const redis = new Redis(REDIS_URL);
redis.on('error', (error: Error) => process.stderr.write(`bench Redis connection: ${error.message}\n`));
const [oursPort, barePort] = [await freePort(), await freePort()];
const common = { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: fake.apiUrl };
const profileDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
// The worker child is forked with the parent's flags, so it writes its own profile beside the web's.
const ours = startNode([...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), buildApp()], {
  ...common,
  PORT: String(oursPort),
  QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'warn',
  REDIS_URL,
  CI_WEBHOOK_SECRET: CI_SECRET,
  ALERT_CHANNEL: 'C0LOADALERTS',
  // The worker does all its work (no waiting on Slack's chat.update tier), so it competes for the CPU in full.
  SLACK_UPDATES_PER_MINUTE: '0',
  REGISTRY_DOCTOR_CONFIG: join(ROOT, 'test/config/fixtures/no-registries.yml'),
});
const bare = startNode(['--import', 'tsx', join(ROOT, 'bench/bare-bolt-app.ts')], { ...common, PORT: String(barePort) });

try {
  await waitListening(`http://127.0.0.1:${oursPort}/slack/events`, ours);
  await waitListening(`http://127.0.0.1:${barePort}/slack/events`, bare);
  const memory0 = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
  process.stdout.write(`offering ${RATE} requests/s for ${SECONDS} s to each (${CONNECTIONS} connections): bare Bolt, then registry-doctor (npm start)\n`);
  const bareFigures = await fire(barePort, Math.min(SECONDS, 30));
  let soak: NodeJS.Timeout | undefined;
  if (SECONDS > 60) {
    soak = setInterval(() => {
      void Promise.all([heapMb(oursPort), redisKeys(redis, prefix)]).then(([heap, keys]) =>
        process.stdout.write(`  soak: heap ${heap.toFixed(1)} MB (web + worker), Redis keys under the prefix ${keys}\n`),
      );
    }, 30_000);
  }
  const oursFigures = await fire(oursPort, SECONDS);
  clearInterval(soak);
  await new Promise((r) => setTimeout(r, 3000)); // let the worker finish what was queued
  const memory1 = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
  const row = (name: string, f: Figures) =>
    `${name.padEnd(28)} ${f.rate.toFixed(1).padStart(7)} ${String(f.p50).padStart(6)} ${String(f.p99).padStart(6)} ${String(f.total).padStart(7)} ${String(f.errors + f.non2xx).padStart(6)}`;
  process.stdout.write(
    [
      '',
      `${'ack latency (ms)'.padEnd(28)} ${'req/s'.padStart(7)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'total'.padStart(7)} ${'errors'.padStart(6)}`,
      row('bare Bolt (acks only)', bareFigures),
      row('registry-doctor npm start', oursFigures),
      '',
      'by kind, p50/p99 ms (requests): bare Bolt | registry-doctor',
      ...[...oursFigures.byKind.keys()].sort().map((kind) => {
        const cell = (list: number[] = []) => `${percentile(list, 50).toFixed(0)}/${percentile(list, 99).toFixed(0)} (${list.length})`;
        return `  ${kind.padEnd(18)} ${cell(bareFigures.byKind.get(kind)).padEnd(16)} | ${cell(oursFigures.byKind.get(kind))}`;
      }),
      `p99 ratio registry-doctor / bare at the same rate: ${(oursFigures.p99 / Math.max(bareFigures.p99, 1)).toFixed(2)}× (target ≤ 1.5×)`,
      `afterwards: heap ${(await heapMb(oursPort)).toFixed(1)} MB (web + worker), Redis keys under the prefix ${await redisKeys(redis, prefix)}, Redis used_memory ${((memory1 - memory0) / 1e6).toFixed(1)} MB more than before`,
      `Slack calls made by the bot: ${fake.calls.length}`,
      '',
    ].join('\n'),
  );
} finally {
  // A profile is written at exit: give the shutdown (which lets the worker finish) its time before any SIGKILL.
  if (profileDir) await new Promise((resolve) => ours.proc.once('exit', resolve).kill('SIGTERM'));
  await Promise.all([stopProcess(ours.proc), stopProcess(bare.proc)]);
  redis.disconnect();
  await fake.stop();
  await cleanPrefix(prefix);
}
