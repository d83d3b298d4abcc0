// A worker killed (SIGKILL) in the middle of a job: another worker picks the job up once its lock lapses,
// reuses the parent message and thread reply it finds in Redis (each is posted exactly once), and finishes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, drained, queueCounts, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const channel = 'C0CRASH';
let fake: FakeSlack;
const procs: AppProcess[] = [];
const prefix = uniquePrefix('e2e-crash');
let env: Record<string, string>;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  env = { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, WORKER_LOCK_MS: '1000', JOB_BACKOFF_MS: '50' };
  procs.push(await startApp({ env, args: ['--role', 'web'] }));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await fake?.stop();
  await cleanPrefix(prefix);
});

it('a job whose worker died is finished by another worker, posting each message once', async () => {
  const first = await startApp({ env, args: ['--role', 'worker'] });
  procs.push(first);
  // The worker will hang on turning the parent into the answer, after parent and reply were posted and recorded.
  fake.delay('chat.update', 60_000, 1, (p) => p.channel === channel);
  const body = slashCommandBody({ text: 'diagnose denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app', channel_id: channel });
  const ack = await fetch(`${procs[0]!.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  expect(ack.status).toBe(200);
  await fake.waitFor(() => fake.attempts('chat.update', (c) => c.params.channel === channel).length > 0, 10_000, 'the held update');

  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));
  expect((await queueCounts(prefix)).active).toBe(1); // still locked by the dead worker

  const second = await startApp({ env, args: ['--role', 'worker'] });
  procs.push(second);
  await fake.waitFor(() => /"msg":"diagnosis posted"/.test(second.output()), 15_000, 'the second worker to finish the job');
  await drained(prefix); // every job finished: a duplicate would have been posted by now
  expect(fake.ok('chat.update', (c) => c.params.channel === channel && /Push failed/.test(String(c.params.text)))).toHaveLength(1);

  expect(fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined)).toHaveLength(1);
  expect(fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined)).toHaveLength(1);
  expect(second.output()).toMatch(/"msg":"diagnosis posted"/);
  expect((await queueCounts(prefix)).completed).toBe(1);
});
