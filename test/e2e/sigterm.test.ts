// SIGTERM to a worker in the middle of jobs (a deploy, a scale-in): the jobs it holds finish before it exits,
// or go back to the queue for the next worker; every accepted command is answered once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, queueCounts, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';
const CHANNELS = ['C0TERM1', 'C0TERM2', 'C0TERM3', 'C0TERM4', 'C0TERM5', 'C0TERM6'];

let fake: FakeSlack;
let web: AppProcess;
const procs: AppProcess[] = [];
const prefix = uniquePrefix('e2e-sigterm');
let env: Record<string, string>;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  env = { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, WORKER_LOCK_MS: '2000', JOB_BACKOFF_MS: '50' };
  web = await startApp({ env, args: ['--role', 'web'] });
  procs.push(web);
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await fake?.stop();
  await cleanPrefix(prefix);
});

it('a worker stopped with SIGTERM mid-job loses nothing and posts nothing twice', async () => {
  const first = await startApp({ env, args: ['--role', 'worker'] });
  procs.push(first);
  // Slack answers thread replies slowly, so jobs are in flight when the signal comes.
  fake.delay('chat.postMessage', 1500, CHANNELS.length, (p) => p.thread_ts !== undefined);
  for (const channel of CHANNELS) {
    const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
    expect((await fetch(`${web.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body })).status).toBe(200);
  }
  await fake.waitFor(() => fake.attempts('chat.postMessage', (c) => c.params.thread_ts !== undefined).length > 0, 15_000, 'a reply in flight');

  const exited = new Promise<number | null>((resolve) => first.proc.once('exit', (code) => resolve(code)));
  first.proc.kill('SIGTERM');
  expect(await exited).toBe(0);

  procs.push(await startApp({ env, args: ['--role', 'worker'] }));
  const replies = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined);
  const parents = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined);
  await fake.waitFor(() => CHANNELS.every((c) => replies(c).length > 0), 30_000, 'every command answered');
  // Done means every job completed: no straggler can still post after this point.
  for (const deadline = Date.now() + 15_000; (await queueCounts(prefix)).completed !== CHANNELS.length && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await queueCounts(prefix)).completed).toBe(CHANNELS.length);
  for (const channel of CHANNELS) {
    expect(parents(channel), channel).toHaveLength(1);
    expect(replies(channel), channel).toHaveLength(1);
  }
}, 90_000);
