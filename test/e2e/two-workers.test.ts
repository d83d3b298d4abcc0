// Two worker processes on one queue (plus a web process): every job's parent and reply are posted exactly once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, drained, queueCounts, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';
const JOBS = 30;

let fake: FakeSlack;
const procs: AppProcess[] = [];
const prefix = uniquePrefix('e2e-workers');

beforeAll(async () => {
  fake = await new FakeSlack().start();
  // 30 jobs at once: the workspace-wide chat.update pacing (tested in test/slack/slack-pacer.test.ts) is off here.
  const env = { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, WORKER_CONCURRENCY: '2', JOB_BACKOFF_MS: '50', SLACK_UPDATES_PER_MINUTE: '0' };
  procs.push(await startApp({ env, args: ['--role', 'web'] }));
  procs.push(await startApp({ env, args: ['--role', 'worker'] }));
  procs.push(await startApp({ env, args: ['--role=worker'] }));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await fake?.stop();
  await cleanPrefix(prefix);
});

it('each job is posted once (parent and thread reply) with two workers sharing the queue', async () => {
  const [web, w1, w2] = procs;
  const channels = Array.from({ length: JOBS }, (_, i) => `C0TW${String(i).padStart(2, '0')}`);
  // A few 500s and a 429 on the way make workers retry; posting must stay once-only.
  fake.fail('chat.postMessage', 'server_error', 4, (p) => p.channel === 'C0TW03' && p.thread_ts !== undefined);
  fake.fail('chat.update', 'server_error', 4, (p) => p.channel === 'C0TW07');
  fake.fail('chat.postMessage', 'ratelimited', 1, (p) => p.channel === 'C0TW11');
  const acks = await Promise.all(
    channels.map(async (channel) => {
      const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
      const res = await fetch(`${web!.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
      return res.status;
    }),
  );
  expect(acks.every((s) => s === 200)).toBe(true);

  const replies = () => fake.ok('chat.postMessage', (c) => c.params.thread_ts !== undefined);
  await fake.waitFor(() => replies().length >= JOBS, 30_000, `${JOBS} replies`);
  await drained(prefix); // every job finished: a duplicate would have been posted by now

  for (const channel of channels) {
    const parents = fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined);
    const threadReplies = replies().filter((c) => c.params.channel === channel);
    expect(parents, channel).toHaveLength(1);
    expect(threadReplies, channel).toHaveLength(1);
  }
  const counts = await queueCounts(prefix);
  expect(counts.completed).toBe(JOBS);
  expect(counts.failed).toBe(0);
  // Both workers took part (the web process runs no worker).
  const posted = (p: AppProcess) => (p.output().match(/"msg":"diagnosis posted"/g) ?? []).length;
  expect(posted(web!)).toBe(0);
  expect(posted(w1!)).toBeGreaterThan(0);
  expect(posted(w2!)).toBeGreaterThan(0);
  expect(posted(w1!) + posted(w2!)).toBe(JOBS);
}, 60_000);
