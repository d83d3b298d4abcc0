// A long document is shared once, also when the outcome of its share is unknown: Slack shared the snippet
// (files.completeUploadExternal) but the answer never came back, because the worker was SIGKILLed waiting for
// it or because it came after the client's timeout. The next attempt finds the file in the thread by the ids
// its pending mark holds, instead of uploading it again or quoting it in the reply. `node dist/main.js` as web
// and worker processes, real Redis, the fake Slack Web API; checked on what the fake recorded.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, drained, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const ECR_DENIED =
  'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]\n' +
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';
/** The client gives up after this. */
const TIMEOUT_MS = 2000;

let fake: FakeSlack;
const procs: AppProcess[] = [];
const prefix = uniquePrefix('e2e-documents-once');
let env: Record<string, string>;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  env = { SLACK_API_URL: fake.apiUrl, SLACK_API_TIMEOUT_MS: String(TIMEOUT_MS), QUEUE_PREFIX: prefix, WORKER_LOCK_MS: '10000', JOB_BACKOFF_MS: '50', SLACK_UPDATES_PER_MINUTE: '0' };
  procs.push(await startApp({ env, args: ['--role', 'web'] }));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await fake?.stop();
  await cleanPrefix(prefix);
});

async function diagnoseIn(channel: string): Promise<void> {
  const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
  const ack = await fetch(`${procs[0]!.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  expect(ack.status).toBe(200);
}

/** What the thread of the one diagnosis in `channel` holds once every job is done. */
function threadOf(channel: string) {
  const parent = fake.messages(channel).find((m) => !m.thread_ts)!;
  const thread = fake.messages(channel).filter((m) => m.thread_ts === parent.ts);
  const reply = thread.find((m) => !m.files)!;
  return {
    files: thread.filter((m) => m.files?.some((f) => f.name === 'ecr-push-policy.json')),
    replies: thread.filter((m) => !m.files),
    /** Edits of the reply: the document quoted inline when the file seemed not to be shared. */
    replyEdits: fake.ok('chat.update', (c) => c.params.channel === channel && c.params.ts === reply.ts),
  };
}

const isShareIn = (channel: string) => (params: Record<string, unknown>) => params.channel_id === channel;

it('a worker killed after Slack shared the file, before it was recorded: the next worker finds it; one file, the reply unchanged', async () => {
  const channel = 'C0DOCCRASH';
  const first = await startApp({ env, args: ['--role', 'worker'] });
  procs.push(first);
  // Slack shares the file at once and answers after a minute: the worker is waiting when it dies.
  fake.delay('files.completeUploadExternal', 60_000, 1, isShareIn(channel));
  await diagnoseIn(channel);
  await fake.waitFor(() => fake.attempts('files.completeUploadExternal', (c) => isShareIn(channel)(c.params)).length > 0, 30_000, 'the share under way');
  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));

  procs.push(await startApp({ env, args: ['--role', 'worker'] }));
  expect(await drained(prefix)).toMatchObject({ failed: 0 });
  const thread = threadOf(channel);
  expect(thread.files).toHaveLength(1);
  expect(thread.replies).toHaveLength(1);
  expect(thread.replyEdits).toHaveLength(0);
  expect(fake.attempts('files.getUploadURLExternal')).toHaveLength(1); // nothing uploaded again
  // The next worker looked in the thread for the file rather than sharing it again.
  expect(fake.ok('conversations.replies', (c) => c.params.channel === channel).length).toBeGreaterThanOrEqual(1);
}, 120_000);

it('the share answered after the client timed out: found in the thread at once; one file, not quoted in the reply as well', async () => {
  const channel = 'C0DOCSLOW';
  const uploadsBefore = fake.attempts('files.getUploadURLExternal').length;
  fake.delay('files.completeUploadExternal', 3 * TIMEOUT_MS, 1, isShareIn(channel));
  await diagnoseIn(channel);
  await fake.waitFor(() => fake.attempts('files.completeUploadExternal', (c) => isShareIn(channel)(c.params)).length > 0, 30_000, 'the share under way');
  expect(await drained(prefix)).toMatchObject({ failed: 0 });
  const thread = threadOf(channel);
  expect(thread.files).toHaveLength(1);
  expect(thread.replyEdits).toHaveLength(0);
  expect(fake.attempts('files.getUploadURLExternal')).toHaveLength(uploadsBefore + 1);
}, 60_000);
