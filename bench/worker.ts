// Diagnose-worker throughput: worker processes started as production starts them (`node dist/main.js
// --role worker`, built from this tree into a private directory), real Redis, and the fake Slack Web API;
// measured with 1, 2 and 4 worker processes on one Redis (`--processes 1,2,4`) to show how work scales out.
// N log-only diagnose requests are stored through the slash command's own path (parseCommand → pushToInbox,
// the inbox the web role writes to); the worker's inbox mover turns them into BullMQ jobs and the worker
// posts parent message, updates and the thread reply. Measured from the first enqueue to the last thread
// reply the fake Slack recorded. Prints figures beside the target of DESIGN.md; asserts nothing.
//   npm run bench:worker [-- --processes 1,2,4 --jobs 2000 --warmup 300 --concurrency 8 --rate 0 --log-level info --cpu-prof]
// --concurrency sets WORKER_CONCURRENCY (unset: the app's default); --rate R enqueues at R jobs/s instead of
// all at once (burst), which gives latencies without the queueing of a burst (throughput is then the offered
// rate, not capacity); --cpu-prof writes a V8 CPU profile of the worker into a temporary directory.
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); uses a throwaway queue prefix and removes it.
//
// The fake Slack answers at once (no artificial delay). Real Slack allows about one message a second per
// channel (chat.postMessage, with short bursts), plus per-workspace limits on chat.update: a real deployment
// is bounded by Slack's rate limits long before this figure. So that per-channel ordering is never what is
// measured, every job posts in a channel of its own (the worker has no per-channel state), which also
// lets each thread reply be matched to its job by channel id.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseCommand } from '../src/ingress/slack/parse-command.js';
import { pushToInbox } from '../src/queue/inbox.js';
import type { DiagnoseJobData } from '../src/queue/jobs.js';
import { buildApp, freePort, ROOT, stopProcess } from '../test/fakes/app-process.js';
import { cleanPrefix, queueCounts, REDIS_URL as TEST_REDIS_URL, uniquePrefix } from '../test/fakes/redis.js';
import { FakeSlack, type RecordedCall } from '../test/fakes/slack-api.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const argText = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const JOBS = arg('jobs', 2000);
const WARMUP = arg('warmup', 300);
const CONCURRENCY = arg('concurrency', 0); // 0: leave WORKER_CONCURRENCY unset (the app's default)
const RATE = arg('rate', 0); // 0: burst
const LOG_LEVEL = argText('log-level', 'info'); // production's default
const CPU_PROF = process.argv.includes('--cpu-prof');
const PROCESSES = argText('processes', '1,2,4').split(',').map(Number).filter((n) => n > 0);
const TARGET = 200;
const REDIS_URL = process.env.REDIS_URL ?? TEST_REDIS_URL;

// ---- realistic requests: the example logs and labelled logs from the corpus -------------------------------
interface Sample {
  name: string;
  /** What the user typed after `/registry` (as the slash command's text). */
  text: string;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  const examples = join(ROOT, 'examples');
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.log')).sort()) {
    out.push({ name: `examples/${file}`, text: `diagnose ${readFileSync(join(examples, file), 'utf8')}` });
  }
  const corpus = readFileSync(join(ROOT, 'test/fixtures/corpus/dev.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  // Every third labelled entry (about a dozen): a mix of providers, with and without an image reference.
  corpus.forEach((line, i) => {
    if (i % 3 !== 0) return;
    const row = JSON.parse(line) as { id: string; log: string; image: string | null };
    out.push({ name: `dev.jsonl#${row.id}`, text: `diagnose ${row.image ? `${row.image} ` : ''}${row.log}` });
  });
  return out;
}

// ---- the worker process ----------------------------------------------------------------------------------
function startWorker(env: Record<string, string>, nodeArgs: string[]): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, [...nodeArgs, buildApp(), '--role', 'worker'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Drain the JSON logs (a full pipe would stall the worker); keep the tail for error messages.
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  return { proc, out: () => out };
}

async function waitReady(url: string, proc: ChildProcess, out: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`worker exited with ${proc.exitCode}:\n${out()}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`worker not ready:\n${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** utime + stime of a process, in seconds (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; 100 Hz on Linux
  } catch {
    return NaN;
  }
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return get('used_cpu_user') + get('used_cpu_sys');
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

// ---- one batch -------------------------------------------------------------------------------------------
const isReply = (c: RecordedCall) => c.method === 'chat.postMessage' && !c.failed && typeof c.params.thread_ts === 'string';

interface Batch {
  enqueuedAt: Map<string, number>; // channel → ms
  firstEnqueue: number;
  lastEnqueue: number;
}

let batchCounter = 0;
async function enqueueBatch(redis: Redis, prefix: string, requests: Sample[], n: number, fake: FakeSlack, rate: number): Promise<Batch> {
  const batch = (batchCounter += 1).toString(36).toUpperCase();
  const enqueuedAt = new Map<string, number>();
  const pending: Array<Promise<string>> = [];
  const firstEnqueue = Date.now();
  for (let i = 0; i < n; i += 1) {
    if (rate > 0) {
      const due = firstEnqueue + (i * 1000) / rate;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    const sample = requests[i % requests.length]!;
    const parsed = parseCommand(sample.text);
    if (parsed.kind !== 'diagnose') throw new Error(`${sample.name} does not parse as a diagnose command`);
    const channel = `CB${batch}X${i.toString(36).toUpperCase()}`;
    const data: DiagnoseJobData = {
      source: 'command',
      log: parsed.log,
      ...(parsed.image ? { image: parsed.image } : {}),
      channel,
      user: `UBENCH${(i % 50).toString(36).toUpperCase()}`,
      team: 'T0BENCH',
      responseUrl: fake.responseUrl(),
      requestedAt: Date.now(),
    };
    enqueuedAt.set(channel, Date.now());
    pending.push(pushToInbox(redis, prefix, data));
    // A burst goes out 100 stores at a time: each store allows itself 1.5 s (the ack path's deadline), and
    // thousands started in one synchronous loop would spend it waiting for the loop, not for Redis.
    if (pending.length % 100 === 0) await Promise.all(pending.slice(-100));
  }
  await Promise.all(pending);
  return { enqueuedAt, firstEnqueue, lastEnqueue: Date.now() };
}

async function waitForReplies(fake: FakeSlack, batch: Batch, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<string>();
  let scanned = 0;
  while (seen.size < batch.enqueuedAt.size && Date.now() < deadline) {
    for (; scanned < fake.calls.length; scanned += 1) {
      const c = fake.calls[scanned]!;
      if (isReply(c) && batch.enqueuedAt.has(String(c.params.channel))) seen.add(String(c.params.channel));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---- run -------------------------------------------------------------------------------------------------
const fake = await new FakeSlack().start();
const profileDir = join(tmpdir(), `registry-doctor-bench-worker-${process.pid}`);
if (CPU_PROF) mkdirSync(profileDir, { recursive: true });
// The connection the web role enqueues with (main.ts: the ack path's connection).
const redis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true, commandTimeout: 1500, lazyConnect: true });
await redis.connect();
const running: Array<{ proc: ChildProcess }> = [];
const prefixes: string[] = [];
const interrupted = () => {
  for (const w of running) w.proc.kill('SIGKILL');
  void Promise.all(prefixes.map(cleanPrefix)).finally(() => process.exit(130));
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

interface Row {
  processes: number;
  throughput: number;
  p50: number;
  p99: number;
  missing: number;
  duplicates: number;
}

async function measure(processes: number): Promise<Row> {
  const prefix = uniquePrefix(`bench-worker-${processes}`);
  prefixes.push(prefix);
  fake.reset();
  process.stdout.write(`\n== ${processes} worker process${processes > 1 ? 'es' : ''} ==\n`);
  const workers: Array<{ proc: ChildProcess; out: () => string; url: string }> = [];
  for (let n = 0; n < processes; n += 1) {
    const port = await freePort();
    const worker = startWorker(
      {
        SLACK_BOT_TOKEN: 'xoxb-bench-worker',
        SLACK_API_URL: fake.apiUrl,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        PORT: String(port),
        LOG_LEVEL,
        REGISTRY_DOCTOR_CONFIG: join(ROOT, 'test/config/fixtures/no-registries.yml'), // log-only diagnoses
        // The worker's own capacity, not Slack's limits: a job's parent and reply share its channel, and a
        // second post waiting the channel's 1 s slot would make every job last a second.
        SLACK_CHANNEL_INTERVAL_MS: '0',
        SLACK_UPDATES_PER_MINUTE: '0',
        ...(CONCURRENCY > 0 ? { WORKER_CONCURRENCY: String(CONCURRENCY) } : {}),
      },
      CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    );
    workers.push({ ...worker, url: `http://127.0.0.1:${port}` });
    running.push(worker);
  }
  try {
    for (const w of workers) await waitReady(w.url, w.proc, w.out);
    const requests = samples();
    const sizes = requests.map((r) => parseCommand(r.text)).map((p) => (p.kind === 'diagnose' ? p.log.length : 0));
    process.stdout.write(
      `workers ready (pids ${workers.map((w) => w.proc.pid).join(', ')}, WORKER_CONCURRENCY=${CONCURRENCY > 0 ? CONCURRENCY : 'unset → app default'}, LOG_LEVEL=${LOG_LEVEL}); ` +
        `${requests.length} distinct logs (${Math.min(...sizes)}–${Math.max(...sizes)} chars, mean ${Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length)})\n`,
    );

    if (WARMUP > 0) {
      process.stdout.write(`warm-up: ${WARMUP} jobs (not counted)…\n`);
      const warm = await enqueueBatch(redis, prefix, requests, WARMUP, fake, 0);
      await waitForReplies(fake, warm, 60_000);
      await new Promise((r) => setTimeout(r, 500)); // let the last jobs' "done" updates land
    }
    fake.reset();
    const sumMetric = async (name: string) => (await Promise.all(workers.map((w) => metric(w.url, name)))).reduce((a, b) => a + b, 0);
    const engineSum0 = await sumMetric('registry_doctor_engine_seconds_sum');
    const engineCount0 = await sumMetric('registry_doctor_engine_seconds_count');
    const workerCpuNow = () => workers.reduce((sum, w) => sum + cpuSeconds(w.proc.pid!), 0);

    process.stdout.write(`measuring: ${JOBS} jobs, ${RATE > 0 ? `enqueued at ${RATE}/s` : 'enqueued at once (burst)'}…\n`);
    const cpuWorker0 = workerCpuNow();
    const cpuBench0 = process.cpuUsage();
    const cpuRedis0 = await redisCpuSeconds(redis);
    const batch = await enqueueBatch(redis, prefix, requests, JOBS, fake, RATE);
    await waitForReplies(fake, batch, 60_000 + JOBS * 50);
    const cpuWorker1 = workerCpuNow();
    const cpuBench1 = process.cpuUsage(cpuBench0);
    const cpuRedis1 = await redisCpuSeconds(redis);

    // Let the trailing "done" updates (and any late duplicate) land, then count everything the fake recorded.
    const settleDeadline = Date.now() + 5000;
    while (fake.calls.filter((c) => c.method === 'chat.update').length < 2 * JOBS && Date.now() < settleDeadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const firstReplyByChannel = new Map<string, number>();
    const repliesByChannel = new Map<string, number>();
    for (const c of fake.calls.filter(isReply)) {
      const ch = String(c.params.channel);
      repliesByChannel.set(ch, (repliesByChannel.get(ch) ?? 0) + 1);
      if (!firstReplyByChannel.has(ch)) firstReplyByChannel.set(ch, c.at);
    }
    let lastReply = batch.firstEnqueue;
    for (const t of firstReplyByChannel.values()) lastReply = Math.max(lastReply, t);
    const wallS = Math.max(lastReply - batch.firstEnqueue, 1) / 1000;
    const latencies = [...batch.enqueuedAt].flatMap(([ch, t]) => (firstReplyByChannel.has(ch) ? [firstReplyByChannel.get(ch)! - t] : [])).sort((a, b) => a - b);
    const done = latencies.length;
    const throughput = done / wallS;
    const byMethod = new Map<string, number>();
    for (const c of fake.calls) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);
    const failedCalls = fake.calls.filter((c) => c.failed).length;
    let missing = 0;
    let duplicates = 0;
    for (const ch of batch.enqueuedAt.keys()) {
      const n = repliesByChannel.get(ch) ?? 0;
      if (n === 0) missing += 1;
      else duplicates += n - 1;
    }
    const counts = await queueCounts(prefix);
    const engineS = (await sumMetric('registry_doctor_engine_seconds_sum')) - engineSum0;
    const engineN = (await sumMetric('registry_doctor_engine_seconds_count')) - engineCount0;

    const workerCpu = cpuWorker1 - cpuWorker0;
    const benchCpu = (cpuBench1.user + cpuBench1.system) / 1e6;
    const redisCpu = cpuRedis1 - cpuRedis0;
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    process.stdout.write(
      [
        `jobs with a thread reply     ${done} / ${JOBS}  (enqueue took ${batch.lastEnqueue - batch.firstEnqueue} ms)`,
        `first enqueue → last reply   ${wallS.toFixed(2)} s`,
        RATE > 0
          ? `throughput                   ${throughput.toFixed(0)} jobs/s   (paced at ${RATE}/s: the offered rate, not capacity)`
          : `throughput                   ${throughput.toFixed(0)} jobs/s   (${(throughput / processes).toFixed(0)} per worker process; target ≥ ${TARGET}/s per process)`,
        `latency enqueue → reply      p50 ${ms(percentile(latencies, 50))}   p99 ${ms(percentile(latencies, 99))}   max ${ms(latencies[latencies.length - 1] ?? NaN)}` +
          (RATE > 0 ? '' : '   (burst: mostly time spent waiting in the queue)'),
        `Slack calls per job          ${(fake.calls.length / JOBS).toFixed(2)}  (${[...byMethod].map(([m, n]) => `${m} ${(n / JOBS).toFixed(2)}`).join(', ')}; failed answers ${failedCalls})`,
        `thread replies               missing ${missing}, duplicates ${duplicates}`,
        `queue afterwards             ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `CPU during the run           workers ${workerCpu.toFixed(2)} s (${((100 * workerCpu) / wallS).toFixed(0)}% of one core, ${((1000 * workerCpu) / Math.max(done, 1)).toFixed(2)} ms/job)` +
          `; bench + fake Slack ${benchCpu.toFixed(2)} s; Redis ${redisCpu.toFixed(2)} s`,
        `diagnosis engine             ${((1000 * engineS) / Math.max(engineN, 1)).toFixed(2)} ms/job mean over ${engineN} jobs (${((100 * engineS) / Math.max(workerCpu, 1e-9)).toFixed(0)}% of the workers' CPU)`,
        '',
      ].join('\n'),
    );
    return { processes, throughput, p50: percentile(latencies, 50), p99: percentile(latencies, 99), missing, duplicates };
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w.proc)));
    await cleanPrefix(prefix);
  }
}

try {
  process.stdout.write(`building the app (tsc)…\n`);
  buildApp();
  const rows: Row[] = [];
  for (const n of PROCESSES) rows.push(await measure(n));
  process.stdout.write(
    [
      '',
      `${'worker processes'.padEnd(18)} ${'jobs/s'.padStart(7)} ${'per process'.padStart(12)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'missing'.padStart(8)} ${'dupes'.padStart(6)}`,
      ...rows.map((r) =>
        `${String(r.processes).padEnd(18)} ${r.throughput.toFixed(0).padStart(7)} ${(r.throughput / r.processes).toFixed(0).padStart(12)} ${r.p50.toFixed(0).padStart(7)} ${r.p99.toFixed(0).padStart(7)} ${String(r.missing).padStart(8)} ${String(r.duplicates).padStart(6)}`,
      ),
      '',
      `On this ${os.availableParallelism()}-core machine, processes beyond the core count share CPU with Redis, the fake Slack and this bench.`,
      `Slack's own limits (about 1 message per second per channel) bound a real deployment long before the workers.`,
      '',
    ].join('\n'),
  );
} finally {
  process.off('SIGINT', interrupted);
  process.off('SIGTERM', interrupted);
  redis.disconnect();
  await fake.stop();
  if (CPU_PROF) process.stdout.write(`CPU profiles of the workers in ${profileDir}\n`);
}
