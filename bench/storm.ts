// Alert storm: the app as `npm start` runs it (built from this tree), real Redis, the fake Slack Web API.
// N signed failed-push webhooks over 5 causes are sent to POST /webhooks/ci with bounded concurrency; then we
// wait until the 5 thread parents show counters summing to N. Prints accepted/s, the webhook answer latency,
// the end-to-end latency (webhook sent → the first Slack post or update of its thread whose counter includes
// it, taking each thread's webhooks in the order they were answered), and the Slack calls made. Asserts nothing.
//   npm run bench:storm [-- --count 1000 --concurrency 16 --update-ms 10000]
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); uses a throwaway prefix and removes it.
import { sendStorm, maxPostsPerWindow, shownCount, STORM_CAUSES } from '../test/fakes/alert-storm.js';
import { startApp } from '../test/fakes/app-process.js';
import { cleanPrefix, REDIS_URL as TEST_REDIS_URL, uniquePrefix } from '../test/fakes/redis.js';
import { FakeSlack, type RecordedCall } from '../test/fakes/slack-api.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg('count', 1000);
const CONCURRENCY = arg('concurrency', 16);
const UPDATE_MS = arg('update-ms', 10_000);
const SECRET = 'bench-storm-secret';
const CHANNEL = 'C0BENCHSTORM';
const REDIS_URL = process.env.REDIS_URL ?? TEST_REDIS_URL;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (n: number) => `${Math.round(n)} ms`;

const prefix = uniquePrefix('bench-storm');
const slack = await new FakeSlack().start();
const app = await startApp({
  env: { REDIS_URL, SLACK_API_URL: slack.apiUrl, QUEUE_PREFIX: prefix, CI_WEBHOOK_SECRET: SECRET, ALERT_CHANNEL: CHANNEL, ALERT_UPDATE_INTERVAL_MS: String(UPDATE_MS), LOG_LEVEL: 'warn' },
});
try {
  const started = Date.now();
  const deliveries = await sendStorm({ url: app.url, secret: SECRET, count: COUNT, concurrency: CONCURRENCY });
  const sentIn = Date.now() - started;

  const parents = () => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts === undefined);
  /** Every Slack view of a thread's counter, in order: [time, count]. */
  const views = (parent: RecordedCall): Array<[number, number]> => {
    const ts = String(parent.response?.ts);
    return [parent, ...slack.ok('chat.update', (c) => c.params.ts === ts)].map((c) => [c.at, shownCount(c)]);
  };
  const total = () => parents().reduce((sum, p) => sum + (views(p).at(-1)?.[1] ?? 0), 0);
  await slack.waitFor(() => parents().length === STORM_CAUSES.length && total() === COUNT, 10 * UPDATE_MS + 120_000, `counters summing to ${COUNT}`);
  const settledIn = Date.now() - started;

  // End to end: the k-th answered webhook of a cause is shown once its thread's counter reaches k.
  const latencies: number[] = [];
  STORM_CAUSES.forEach((cause, index) => {
    const parent = parents().find((p) => JSON.stringify(p.params.blocks).includes(cause.key));
    if (!parent) return;
    const shown = views(parent);
    deliveries
      .filter((d) => d.cause === index && d.status === 202)
      .sort((a, b) => a.answeredAt - b.answeredAt)
      .forEach((d, k) => {
        const at = shown.find(([, count]) => count >= k + 1)?.[0];
        if (at !== undefined) latencies.push(at - d.sentAt);
      });
  });
  latencies.sort((a, b) => a - b);
  const answers = deliveries.map((d) => d.answeredAt - d.sentAt).sort((a, b) => a - b);
  const byMethod = new Map<string, number>();
  for (const c of slack.calls) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);

  console.log(`alert storm: ${COUNT} signed webhooks over ${STORM_CAUSES.length} causes, concurrency ${CONCURRENCY}, update interval ${UPDATE_MS} ms`);
  console.log(`  accepted (202)      ${deliveries.filter((d) => d.status === 202).length} / ${COUNT} in ${ms(sentIn)} → ${((COUNT * 1000) / sentIn).toFixed(0)} accepted/s`);
  console.log(`  answer latency      p50 ${ms(percentile(answers, 50))}, p99 ${ms(percentile(answers, 99))}`);
  console.log(`  end to end          p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))} (webhook sent → its count shown in Slack; ${latencies.length} matched)`);
  console.log(`  settled             all counters exact after ${ms(settledIn)}; threads ${parents().length}; counters sum ${total()}`);
  console.log(`  Slack calls         ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}; total ${slack.calls.length}`);
  console.log(`  posts per channel   at most ${Math.max(...maxPostsPerWindow(slack.calls, 1000).values())} in any 1 s (Slack: ~1/s/channel, short bursts); 429s answered: ${slack.calls.filter((c) => c.status === 429).length}`);
} finally {
  await app.stop();
  await slack.stop();
  await cleanPrefix(prefix);
}
