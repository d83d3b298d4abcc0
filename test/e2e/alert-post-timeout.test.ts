// CI alert posts whose outcome is unknown: Slack takes the message but answers after the client's timeout.
// The refresh fails and is retried; the retry finds the message by its metadata (the group and the step)
// instead of posting it again. The app as `npm start` runs it, real Redis, the fake Slack Web API.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type AppProcess } from '../fakes/app-process.js';
import { postCi, withAlertQueue } from '../fakes/ci-webhook.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack, type StoredMessage } from '../fakes/slack-api.js';

const CI_SECRET = 'ci-webhook-secret-for-tests-0123456789';
const CHANNEL = 'C0ALERTSLOW';
/** The client gives up after this; the fake answers the held posts after three times as long. */
const TIMEOUT_MS = 1000;

let slack: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('e2e-alert-timeout');

const ecrDenied = (repo: string) =>
  [
    `The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/${repo}]`,
    `denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/${repo}`,
  ].join('\n');
const ciBody = (log: string, name: string, runId: string) => JSON.stringify({ log, pipeline: { provider: 'jenkins', name, run_id: runId, url: `https://ci.example.com/job/${runId}` } });

const messages = () => slack.messages(CHANNEL);
const parentsOf = (repo: string) => messages().filter((m) => !m.thread_ts && m.text.includes(repo));
const repliesTo = (parent: StoredMessage) => messages().filter((m) => m.thread_ts === parent.ts);

/** Every alert and refresh job finished (none waiting, running, delayed or retrying): nothing more will be posted. */
async function alertsSettled(): Promise<void> {
  await withAlertQueue(prefix, async (queue) => {
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(counts).every((n) => n === 0)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

beforeAll(async () => {
  slack = await new FakeSlack().start();
  app = await startApp({
    env: {
      SLACK_API_URL: slack.apiUrl,
      SLACK_API_TIMEOUT_MS: String(TIMEOUT_MS),
      QUEUE_PREFIX: prefix,
      CI_WEBHOOK_SECRET: CI_SECRET,
      ALERT_CHANNEL: CHANNEL,
      ALERT_UPDATE_INTERVAL_MS: '300',
      ALERT_REPLY_INTERVAL_MS: '1000',
      JOB_BACKOFF_MS: '50',
      SLACK_UPDATES_PER_MINUTE: '0',
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await slack?.stop();
  await withAlertQueue(prefix, (queue) => queue.obliterate({ force: true })).catch(() => {});
  await cleanPrefix(prefix);
});

it("an alert parent answered after the timeout is found, not posted again: one alert", async () => {
  slack.delay('chat.postMessage', 3 * TIMEOUT_MS, 1, (p) => p.channel === CHANNEL && p.thread_ts === undefined);
  expect((await postCi(app.url, CI_SECRET, ciBody(ecrDenied('parent-slow'), 'parent-slow', '1'))).status).toBe(202);
  await slack.waitFor(() => parentsOf('parent-slow')[0] && repliesTo(parentsOf('parent-slow')[0]!).length > 0, 20_000, 'the diagnosis in the thread');
  await alertsSettled();
  expect(slack.attempts('conversations.history', (c) => c.params.channel === CHANNEL).length).toBeGreaterThan(0); // it looked
  expect(parentsOf('parent-slow')).toHaveLength(1);
  expect(repliesTo(parentsOf('parent-slow')[0]!)).toHaveLength(1);
});

it('the diagnosis reply answered after the timeout is found in the thread: one reply', async () => {
  slack.delay('chat.postMessage', 3 * TIMEOUT_MS, 1, (p) => p.channel === CHANNEL && p.thread_ts !== undefined);
  expect((await postCi(app.url, CI_SECRET, ciBody(ecrDenied('reply-slow'), 'reply-slow', '2'))).status).toBe(202);
  await slack.waitFor(() => parentsOf('reply-slow')[0] && repliesTo(parentsOf('reply-slow')[0]!).length > 0, 20_000, 'the diagnosis in the thread');
  await alertsSettled();
  expect(parentsOf('reply-slow')).toHaveLength(1);
  expect(repliesTo(parentsOf('reply-slow')[0]!)).toHaveLength(1);
  expect(slack.ok('conversations.replies', (c) => c.params.ts === parentsOf('reply-slow')[0]!.ts).length).toBeGreaterThan(0); // it looked
});

it('a "new pipelines" reply answered after the timeout is found: the pipeline is listed once', async () => {
  expect((await postCi(app.url, CI_SECRET, ciBody(ecrDenied('list-slow'), 'list-first', '3'))).status).toBe(202);
  await slack.waitFor(() => parentsOf('list-slow')[0] && repliesTo(parentsOf('list-slow')[0]!).length > 0, 20_000, 'the alert');
  await alertsSettled();
  const listing = (p: Record<string, unknown>) => p.channel === CHANNEL && p.thread_ts !== undefined && String(p.text).includes('The same failure');
  slack.delay('chat.postMessage', 3 * TIMEOUT_MS, 1, listing);
  expect((await postCi(app.url, CI_SECRET, ciBody(ecrDenied('list-slow'), 'list-second', '4'))).status).toBe(202);
  await slack.waitFor(() => slack.attempts('chat.postMessage', (c) => listing(c.params)).length > 0, 20_000, 'the listing');
  await alertsSettled();
  const parent = parentsOf('list-slow');
  expect(parent).toHaveLength(1);
  const listed = repliesTo(parent[0]!).filter((m) => m.text.includes('The same failure'));
  expect(listed).toHaveLength(1);
  expect(slack.ok('conversations.replies', (c) => c.params.ts === parent[0]!.ts).length).toBeGreaterThan(0); // it looked
});
