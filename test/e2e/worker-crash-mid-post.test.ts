// A worker SIGKILLed while eight jobs are in the middle of posting their parent message (Slack took each
// message but is slow to answer), with the production-like lock of 10 s: another worker picks the jobs up once
// their locks lapse, finds each parent by its metadata instead of posting it again (or giving up because
// "another worker is posting"), and finishes each job. Checked on what the fake Slack recorded.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, drained, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';

const channel = 'C0CRASHPOST';
const JOBS = 8;
let fake: FakeSlack;
const procs: AppProcess[] = [];
const prefix = uniquePrefix('e2e-crash-post');
let env: Record<string, string>;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  // Eight jobs in one channel: the per-channel and workspace-wide pacing are off (what this checks is posting).
  env = { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, WORKER_LOCK_MS: '10000', WORKER_CONCURRENCY: String(JOBS), JOB_BACKOFF_MS: '50', SLACK_CHANNEL_INTERVAL_MS: '0', SLACK_UPDATES_PER_MINUTE: '0' };
  procs.push(await startApp({ env, args: ['--role', 'web'] }));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await fake?.stop();
  await cleanPrefix(prefix);
});

const isParentPost = (params: Record<string, unknown>) => params.channel === channel && params.thread_ts === undefined;
const jobOf = (message: { metadata?: { event_payload: Record<string, unknown> } }) => String(message.metadata?.event_payload.job_id);
/** What a parent shows now: its last accepted edit, or the post itself. */
function shownNow(ts: string, posted: string): string {
  const edits = fake.ok('chat.update', (c: RecordedCall) => c.params.channel === channel && c.params.ts === ts);
  return edits.length > 0 ? String(edits.at(-1)!.params.text) : posted;
}

it(`${JOBS} jobs killed mid-post each end with one parent, turned into the answer, and one reply`, async () => {
  const first = await startApp({ env, args: ['--role', 'worker'] });
  procs.push(first);
  // Slack takes each parent at once and answers after a minute: every job is mid-post when the worker dies.
  fake.delay('chat.postMessage', 60_000, JOBS, isParentPost);
  for (let i = 0; i < JOBS; i += 1) {
    const body = slashCommandBody({ text: `diagnose denied: User: arn:aws:iam::123456789012:user/ci-${i} is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app-${i}`, channel_id: channel });
    const ack = await fetch(`${procs[0]!.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
    expect(ack.status).toBe(200);
  }
  await fake.waitFor(() => fake.attempts('chat.postMessage', (c) => isParentPost(c.params)).length >= JOBS, 30_000, 'every parent post under way');

  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));
  const second = await startApp({ env, args: ['--role', 'worker'] });
  procs.push(second);

  const counts = await drained(prefix); // every job finished: nothing more will be posted
  expect(counts).toMatchObject({ completed: JOBS, failed: 0 });
  expect(second.output()).not.toMatch(/another worker is posting/);

  const stored = fake.messages(channel);
  const parents = stored.filter((m) => !m.thread_ts);
  expect(parents).toHaveLength(JOBS);
  expect(new Set(parents.map(jobOf)).size).toBe(JOBS); // one parent per job
  for (const parent of parents) {
    const thread = stored.filter((m) => m.thread_ts === parent.ts);
    expect(thread.filter((m) => !m.files)).toHaveLength(1); // one answer in its thread
    expect(thread.filter((m) => m.files?.[0]?.name === 'ecr-push-policy.json')).toHaveLength(1); // and the policy it uses, once
    const now = shownNow(parent.ts, parent.text);
    expect(now).not.toMatch(/queued|Diagnosing|retrying|could not be completed/);
    expect(now).toMatch(/ECR|ecr|push/i);
  }
  // The second worker looked for each parent rather than posting it again.
  expect(fake.ok('conversations.history', (c) => c.params.channel === channel).length).toBeGreaterThanOrEqual(JOBS);
}, 180_000);
