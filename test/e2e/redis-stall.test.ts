// Fifty slash commands at once while the bot's Redis is frozen (SIGSTOP: connections open, nothing answers —
// a stall, not an outage), the app as `npm start` runs it. What a user sees: each command is answered, none
// is told its request was lost (people who retry as told would get duplicates), and once Redis goes on each is
// posted exactly once. The ack times are measured by bench/stall.ts, not asserted here.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { drained } from '../fakes/redis.js';
import { startOwnRedis, type OwnRedis } from '../fakes/redis-server.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const COMMANDS = 50;
const PREFIX = 'rd-stall';
const channels = Array.from({ length: COMMANDS }, (_, i) => `C0STALL${String(i).padStart(2, '0')}`);
const ECR_DENIED = (i: number) =>
  `denied: User: arn:aws:iam::123456789012:user/ci-${i} is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app`;

let redis: OwnRedis;
let fake: FakeSlack;
let app: AppProcess;

beforeAll(async () => {
  redis = await startOwnRedis();
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, REDIS_URL: redis.url, QUEUE_PREFIX: PREFIX, SLACK_UPDATES_PER_MINUTE: '0' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await redis?.destroy();
});

it(`${COMMANDS} commands during a Redis stall: each answered as slow (never as lost), each posted once after it`, async () => {
  redis.pause();
  let acks: { status: number; text: string }[];
  try {
    acks = await Promise.all(
      channels.map(async (channel, i) => {
        const body = slashCommandBody({ text: `diagnose ${ECR_DENIED(i)}`, channel_id: channel });
        const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
        return { status: res.status, text: await res.text() };
      }),
    );
  } finally {
    redis.resume();
  }

  for (const ack of acks) {
    expect(ack.status).toBe(200);
    expect(ack.text).not.toMatch(/nothing was stored|try again/i);
    expect(ack.text).toMatch(/no need to send it again/i);
  }

  const replies = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined);
  const parents = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined);
  await fake.waitFor(() => channels.every((channel) => replies(channel).length > 0), 60_000, 'every stalled command answered');
  await drained(PREFIX, redis.url); // nothing waiting or running: a duplicate would have been posted by now
  for (const channel of channels) {
    expect(parents(channel), channel).toHaveLength(1);
    expect(replies(channel), channel).toHaveLength(1);
    expect(String(replies(channel)[0]!.params.text), channel).toMatch(/ECR|ecr:InitiateLayerUpload|push/i);
  }
}, 120_000);
