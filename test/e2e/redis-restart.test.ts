// Redis restarts and stalls under a running bot (a Redis of the test's own, with append-only persistence as
// production runs it): the web process stays up, /readyz goes not-ready then ready, a command during the outage
// gets a clear answer (its time is printed, not asserted), every command accepted before the outage is posted once after it, and
// a command sent while Redis is frozen is answered in time without being called lost.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { startOwnRedis, type OwnRedis } from '../fakes/redis-server.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';
const BEFORE = ['C0RR1', 'C0RR2', 'C0RR3', 'C0RR4', 'C0RR5'];

let redis: OwnRedis;
let fake: FakeSlack;
let web: AppProcess;
const procs: AppProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startOwnRedis();
  fake = await new FakeSlack().start();
  env = { SLACK_API_URL: fake.apiUrl, REDIS_URL: redis.url, QUEUE_PREFIX: 'rd-restart' };
  web = await startApp({ env, args: ['--role', 'web'] });
  procs.push(web);
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await fake?.stop();
  await redis?.destroy();
});

async function command(channel: string): Promise<{ status: number; text: string; ms: number }> {
  const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
  const started = Date.now();
  const res = await fetch(`${web.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  return { status: res.status, text: await res.text(), ms: Date.now() - started };
}

async function readiness(): Promise<number> {
  return (await fetch(`${web.url}/readyz`)).status;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('keeps answering through a Redis restart and loses nothing accepted before it', async () => {
  // Accepted while no worker runs: the commands wait in Redis.
  for (const channel of BEFORE) expect((await command(channel)).status).toBe(200);
  expect(await readiness()).toBe(200);

  await redis.stop();
  await until(async () => (await readiness()) === 503, '/readyz to say not ready');
  const during = await command('C0RRDOWN');
  expect(during.status).toBe(200);
  process.stdout.write(`ack with Redis stopped: ${during.ms} ms\n`);
  // Plain words that nothing was stored, so retrying is right (and no false promise of an answer).
  expect(during.text).toMatch(/nothing was stored|try again/i);
  expect(web.proc.exitCode).toBeNull();

  await redis.start();
  await until(async () => (await readiness()) === 200, '/readyz to say ready again');
  procs.push(await startApp({ env, args: ['--role', 'worker'] }));
  expect((await command('C0RRAFTER')).status).toBe(200);

  const replies = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined);
  const parents = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined);
  await fake.waitFor(() => [...BEFORE, 'C0RRAFTER'].every((c) => replies(c).length > 0), 20_000, 'every accepted command answered');
  for (const channel of [...BEFORE, 'C0RRAFTER']) {
    expect(parents(channel), channel).toHaveLength(1);
    expect(replies(channel), channel).toHaveLength(1);
  }
  // The refused command was never stored, so nothing is posted for it.
  expect(fake.calls.some((c) => c.params.channel === 'C0RRDOWN')).toBe(false);
});

it('a command sent while Redis stalls is answered as slow, not lost, and is posted once when Redis wakes', async () => {
  redis.pause();
  let during: Awaited<ReturnType<typeof command>>;
  try {
    during = await command('C0RRSTALL');
  } finally {
    redis.resume();
  }
  expect(during.status).toBe(200);
  process.stdout.write(`ack with Redis stalled: ${during.ms} ms\n`);
  expect(during.text).not.toMatch(/nothing was stored/i);
  expect(during.text).toMatch(/no need to send it again/i);
  await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === 'C0RRSTALL' && c.params.thread_ts !== undefined)[0], 20_000, 'the stalled command answered');
  expect(fake.ok('chat.postMessage', (c) => c.params.channel === 'C0RRSTALL' && c.params.thread_ts === undefined)).toHaveLength(1);
});
