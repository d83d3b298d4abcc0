// Retention: after real traffic (slash commands, the form, CI alerts), every key the bot keeps in Redis has a
// TTL or a stated bound. A key with neither fails the test by name, so a new feature must say how long its
// data lives before it lands.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { postCi, withAlertQueue } from '../fakes/ci-webhook.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const CI_SECRET = 'retention-ci-secret';
const RECENT_LIMIT = 5;
const COMMANDS = 40;
const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';

let fake: FakeSlack;
let app: AppProcess;
let redis: Redis;
const prefix = uniquePrefix('retention');

beforeAll(async () => {
  fake = await new FakeSlack().start();
  redis = new Redis(REDIS_URL);
  app = await startApp({
    // Dozens of diagnoses at once, ten in each channel: the per-channel and workspace-wide pacing (tested in
    // test/slack/slack-pacer.test.ts) are off here; their keys are still kept, and checked.
    env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, RECENT_DIAGNOSES: String(RECENT_LIMIT), CI_WEBHOOK_SECRET: CI_SECRET, ALERT_CHANNEL: 'C0RETAIN', SLACK_CHANNEL_INTERVAL_MS: '0', SLACK_UPDATES_PER_MINUTE: '0' },
  });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  redis?.disconnect();
  await cleanPrefix(prefix);
});

/**
 * Keys without a TTL that are bounded by design, with their bound: BullMQ's own structures (finished jobs are
 * removed by count and age, its event stream is capped), the inbox (drained as it fills), and the per-user lists
 * of recent diagnoses (trimmed to RECENT_DIAGNOSES).
 */
const BOUNDED: Array<{ pattern: RegExp; bound: (key: string, type: string) => Promise<string | undefined> }> = [
  { pattern: /:(diagnose|alert|fix)[\w-]*:(id|meta|marker|stalled-check|pc|wait|active|paused|delayed|prioritized|stalled|limiter|waiting-children|repeat|de:[^:]+)$/, bound: async () => undefined },
  { pattern: /:(diagnose|alert|fix)[\w-]*:(completed|failed)$/, bound: async (key) => ((await redis.zcard(key)) > 5000 ? `more than 5000 finished jobs in ${key}` : undefined) },
  { pattern: /:(diagnose|alert|fix)[\w-]*:events$/, bound: async (key) => ((await redis.xlen(key)) > 10_000 ? `event stream ${key} over 10000` : undefined) },
  // A job's hash (and its logs): removed with the job, by count and age (removeOnComplete / removeOnFail).
  { pattern: /:(diagnose|alert|fix)[\w-]*:[A-Za-z0-9_-]+(:logs)?$/, bound: async () => undefined },
  { pattern: /:diagnose:inbox(:processing)?$/, bound: async (key) => ((await redis.llen(key)) > 0 ? `inbox ${key} not drained` : undefined) },
  { pattern: /:recent(:user:[A-Z0-9]+)?$/, bound: async (key) => ((await redis.llen(key)) > RECENT_LIMIT ? `${key} holds more than RECENT_DIAGNOSES` : undefined) },
];

async function keysUnder(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

it('every key kept after commands and CI alerts has a TTL or a stated bound', async () => {
  for (let i = 0; i < COMMANDS; i += 1) {
    const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: `C0RET${i % 4}`, user_id: `U0RET${i % 3}` });
    expect((await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body })).status).toBe(200);
  }
  for (let i = 0; i < 10; i += 1) {
    const log = `The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]\n${ECR_DENIED}`;
    const answer = await postCi(app.url, CI_SECRET, JSON.stringify({ log, pipeline: { provider: 'github', name: `build-${i}`, run_id: String(i) } }));
    expect(answer.status).toBe(202);
  }
  await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.thread_ts !== undefined && String(c.params.channel).startsWith('C0RET') && c.params.channel !== 'C0RETAIN').length >= COMMANDS, 30_000, 'every diagnosis posted');
  await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === 'C0RETAIN')[0], 20_000, 'the alert');

  // Finished alert jobs are kept a day for their ids (redeliveries), without their logs.
  const finishedAlerts = await withAlertQueue(prefix, async (queue) => (await queue.getJobs(['completed'])).filter((job) => job.name === 'alert'));
  expect(finishedAlerts.length).toBe(10);
  expect(finishedAlerts.map((job) => (job.data as { log?: string }).log)).toEqual(finishedAlerts.map(() => ''));

  const keys = await keysUnder();
  expect(keys.length).toBeGreaterThan(0);
  const problems: string[] = [];
  for (const key of keys) {
    const ttl = await redis.pttl(key);
    if (ttl > 0 || ttl === -2) continue; // expiring, or already gone (a job lock released since the scan)
    const rule = BOUNDED.find((r) => r.pattern.test(key));
    if (!rule) {
      problems.push(`${key} (${await redis.type(key)}): no TTL and no stated bound`);
      continue;
    }
    const problem = await rule.bound(key, await redis.type(key));
    if (problem) problems.push(problem);
  }
  expect(problems).toEqual([]);
}, 120_000);
