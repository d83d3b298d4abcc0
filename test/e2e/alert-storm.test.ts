// The alert storm of DESIGN.md: 1,000 signed failed-push webhooks within 60 s over 5 causes → exactly 5
// threads, parent counters summing to exactly 1,000, nothing lost, and Slack calls within its limits
// (about one message a second per channel, short bursts allowed; chat.update at Tier 3, 50+ a minute).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendStorm, maxPostsPerWindow, shownCount, STORM_CAUSES, type StormDelivery } from '../fakes/alert-storm.js';
import { startApp, type AppProcess } from '../fakes/app-process.js';
import { withAlertQueue } from '../fakes/ci-webhook.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack } from '../fakes/slack-api.js';

const SECRET = 'storm-secret-0123456789';
const CHANNEL = 'C0STORM';
const COUNT = 1000;
let slack: FakeSlack;
let app: AppProcess;
let deliveries: StormDelivery[];
const prefix = uniquePrefix('e2e-storm');

const parents = () => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts === undefined);
/** The latest count each thread's parent shows (its last update, or the post). */
function latestCounts(): number[] {
  return parents().map((parent) => {
    const ts = String(parent.response?.ts);
    const last = slack.ok('chat.update', (c) => c.params.ts === ts).at(-1);
    return shownCount(last ?? parent);
  });
}

beforeAll(async () => {
  slack = await new FakeSlack().start();
  // Slack's Tier 3 for chat.update, workspace-wide: beyond it the fake answers 429.
  slack.limit('chat.update', 50, 60_000);
  app = await startApp({ env: { SLACK_API_URL: slack.apiUrl, QUEUE_PREFIX: prefix, CI_WEBHOOK_SECRET: SECRET, ALERT_CHANNEL: CHANNEL } });
  deliveries = await sendStorm({ url: app.url, secret: SECRET, count: COUNT, concurrency: 16 });
  await slack.waitFor(() => latestCounts().length === STORM_CAUSES.length && latestCounts().reduce((a, b) => a + b, 0) === COUNT, 90_000, 'the counters to reach 1,000');
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await slack?.stop();
  await cleanPrefix(prefix);
});

it('every webhook was accepted (202), each with an id of its own', () => {
  expect(deliveries.filter((d) => d.status === 202)).toHaveLength(COUNT);
  expect(new Set(deliveries.map((d) => d.id)).size).toBe(COUNT);
});

it('exactly 5 threads, one per cause, each with its diagnosis', () => {
  expect(parents()).toHaveLength(STORM_CAUSES.length);
  for (const cause of STORM_CAUSES) expect(parents().filter((p) => JSON.stringify(p.params.blocks).includes(cause.key))).toHaveLength(1);
  const replies = slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts !== undefined);
  // One diagnosis per thread; the "new pipelines" reply waits for its 5-minute interval.
  expect(replies).toHaveLength(STORM_CAUSES.length);
});

it('the parent counters sum to exactly 1,000, and each counts its own cause', () => {
  const counts = latestCounts();
  expect(counts.reduce((a, b) => a + b, 0)).toBe(COUNT);
  expect(counts.every((n) => n === COUNT / STORM_CAUSES.length)).toBe(true);
});

it('nothing lost: 1,000 alert jobs, all counted', async () => {
  const outcomes = await withAlertQueue(prefix, async (queue) => (await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'])).filter((j) => j.name === 'alert').map((j) => (j.returnvalue as { outcome?: string } | null)?.outcome));
  expect(outcomes).toHaveLength(COUNT);
  expect(outcomes.filter((o) => o === 'opened')).toHaveLength(STORM_CAUSES.length);
  expect(outcomes.filter((o) => o === 'counted')).toHaveLength(COUNT - STORM_CAUSES.length);
});

it("Slack calls stay within its limits: posts paced per channel, updates coalesced, no 429", () => {
  // One a second, with a burst of two tolerated (call arrival jitter), as Slack allows.
  for (const [, most] of maxPostsPerWindow(slack.calls, 1000)) expect(most).toBeLessThanOrEqual(2);
  const updates = slack.ok('chat.update');
  // Coalesced to at most one per thread per 10-s interval (5 threads: 30 a minute, inside Tier 3's 50).
  expect(updates.length).toBeLessThan(COUNT / 10);
  for (const parent of parents()) {
    const ts = String(parent.response?.ts);
    const times = slack.ok('chat.update', (c) => c.params.ts === ts).map((c) => c.at);
    const span = times.length > 1 ? times.at(-1)! - times[0]! : 0;
    expect(times.length).toBeLessThanOrEqual(Math.floor(span / 10_000) + 2);
  }
  expect(slack.calls.filter((c) => c.status === 429)).toHaveLength(0);
});
