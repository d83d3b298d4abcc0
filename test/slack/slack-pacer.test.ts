// chat.update is limited per workspace (Slack's Tier 3, about 50 a minute), whatever the channel: every
// process's updates share one schedule in Redis. Here two clients on their own Redis connections (two worker
// processes) update messages in many channels at once against a fake Slack that answers 429 beyond the limit.
// The limit is scaled from a minute to 2 s so the test runs in seconds (arrival jitter on a busy machine is then a
// larger part of the window than in production); the schedule is the one production derives.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createPacedSlackClient } from '../../src/slack/paced-client.js';
import { scheduleFor, SlackPacer, type MethodLimit } from '../../src/slack/slack-pacer.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack } from '../fakes/slack-api.js';

const LIMIT: MethodLimit = { perWindow: 10, windowMs: 2000 };
const UPDATES = 30;
const prefix = uniquePrefix('slack-pacer');
const logger = createLogger({ level: 'silent' });
const connections: Redis[] = [];
let slack: FakeSlack;

function client(methods: Record<string, MethodLimit>, keyPrefix = prefix) {
  const redis = new Redis(REDIS_URL);
  connections.push(redis);
  const pacer = new SlackPacer(redis, { prefix: keyPrefix, channelIntervalMs: 0, methods });
  return createPacedSlackClient({ token: 'xoxb-pacer', apiUrl: slack.apiUrl, timeoutMs: 5000, retries: 0 }, pacer, logger, createMetrics());
}

/** The most calls of `method` the fake answered within any `windowMs`. */
function mostPerWindow(method: string, windowMs: number): number {
  const times = slack.ok(method).map((c) => c.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while (times[i]! - times[j]! >= windowMs) j += 1;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const updateAll = (clients: ReturnType<typeof client>[], count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => clients[i % clients.length]!.chat.update({ channel: `C0PACE${i % 12}`, ts: `1700000000.${String(i).padStart(6, '0')}`, text: `update ${i}` })));

beforeAll(async () => {
  slack = await new FakeSlack().start();
});

afterAll(async () => {
  connections.forEach((c) => c.disconnect());
  await slack.stop();
  await cleanPrefix(prefix);
  await cleanPrefix(`${prefix}-unpaced`);
});

it('the schedule lets a burst through, then spaces calls so that no window holds more than the limit', () => {
  const tier3 = scheduleFor({ perWindow: 50, windowMs: 60_000 });
  const burst = tier3.toleranceMs / tier3.intervalMs + 1;
  expect(burst).toBe(10);
  expect(burst + Math.floor(60_000 / tier3.intervalMs)).toBeLessThan(50);
});

it('updates from two processes in many channels: all made, never a 429, never more than the limit in any window', async () => {
  slack.limit('chat.update', LIMIT.perWindow, LIMIT.windowMs);
  const paced = [client({ 'chat.update': LIMIT }), client({ 'chat.update': LIMIT })];
  const results = await updateAll(paced, UPDATES);
  expect(results.every((r) => r.ok)).toBe(true);
  expect(slack.ok('chat.update')).toHaveLength(UPDATES);
  expect(slack.calls.filter((c) => c.status === 429)).toHaveLength(0);
  expect(mostPerWindow('chat.update', LIMIT.windowMs)).toBeLessThanOrEqual(LIMIT.perWindow);
});

it('without the workspace pacing the same updates run into 429s (what the pacing prevents)', async () => {
  slack.reset();
  slack.limit('chat.update', LIMIT.perWindow, LIMIT.windowMs);
  const unpaced = [client({}, `${prefix}-unpaced`), client({}, `${prefix}-unpaced`)];
  // Each 429 is retried after Retry-After, so these still land, later.
  await updateAll(unpaced, 2 * LIMIT.perWindow);
  expect(slack.calls.filter((c) => c.method === 'chat.update' && c.status === 429).length).toBeGreaterThan(0);
});
