// A CI alert job retried after its alert was marked Resolved: the failure was counted in the resolved alert by
// the first attempt, so the retry counts nothing and opens no second alert. The alert worker as production runs
// it (BullMQ on real Redis, retries with backoff, the refresh jobs that post), the fake Slack Web API, and the
// Resolved button's own control. The first attempt fails after counting, as when Redis refuses the write that
// schedules the counter's refresh; the person clicks Resolved while the job waits for its retry.
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAlertControls } from '../../src/alerts/alert-controls.js';
import { AlertGroups } from '../../src/alerts/alert-groups.js';
import { ALERT_JOB, REFRESH_JOB, createAlertQueue, type AlertJobData, type AlertQueue } from '../../src/alerts/alert-job.js';
import { startAlertWorker } from '../../src/alerts/alert-worker.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { AnswerStore } from '../../src/slack/answer-store.js';
import { PostState } from '../../src/slack/post-state.js';
import { createSlackClient } from '../../src/slack/web-client.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack } from '../fakes/slack-api.js';

const CHANNEL = 'C0ALERTRETRY';
const prefix = uniquePrefix('alert-retry');
const ecrDenied = (repo: string) =>
  [
    `The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/${repo}]`,
    `denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/${repo}`,
  ].join('\n');

let slack: FakeSlack;
let redis: Redis;
let queue: AlertQueue;
let groups: AlertGroups;
let worker: ReturnType<typeof startAlertWorker>;
/** Set by a test: the next refresh scheduled for this group fails, after `beforeFailing` ran. */
let failNextRefresh: { group: string; beforeFailing: () => Promise<void> } | undefined;

const parents = () => slack.messages(CHANNEL).filter((m) => !m.thread_ts);
/** The text a parent shows now: its last accepted edit, or the post itself. */
function shownNow(ts: string): string {
  const edits = slack.ok('chat.update', (c) => c.params.channel === CHANNEL && c.params.ts === ts);
  return edits.length > 0 ? String(edits.at(-1)!.params.text) : parents().find((m) => m.ts === ts)!.text;
}

const alert = (repo: string, pipeline: string, runId: string): AlertJobData => ({
  kind: 'alert',
  source: 'ci',
  log: ecrDenied(repo),
  pipeline: { provider: 'jenkins', name: pipeline, runId, url: `https://ci.example.com/${pipeline}/${runId}` },
  receivedAt: Date.now(),
});

/** Every alert and refresh job finished (none waiting, running or delayed): nothing more will be posted. */
async function settled(): Promise<void> {
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(counts).every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Add an alert job as the inbox mover does (its id is the delivery's) and wait until it has finished. */
async function deliver(id: string, data: AlertJobData): Promise<Job> {
  await queue.add(ALERT_JOB, data, { jobId: id });
  await settled();
  return (await queue.getJob(id))!;
}

beforeAll(async () => {
  slack = await new FakeSlack().start();
  redis = new Redis(REDIS_URL);
  const logger = createLogger({ level: 'silent' });
  const metrics = createMetrics({ defaultMetrics: false });
  queue = createAlertQueue({ url: REDIS_URL }, prefix, 3, 50);
  groups = new AlertGroups(redis, prefix, 60 * 60_000);
  // The worker's view of the queue, where Redis can be made to refuse one write.
  const failingQueue = new Proxy(queue, {
    get(target, property, receiver) {
      if (property !== 'add') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<AlertQueue['add']>) => {
        const [name, data] = args;
        const planned = failNextRefresh;
        if (planned && name === REFRESH_JOB && data.kind === 'alert-refresh' && data.group === planned.group) {
          failNextRefresh = undefined;
          await planned.beforeFailing();
          throw new Error('READONLY You can\'t write against a read only replica.');
        }
        return target.add(...args);
      };
    },
  });
  worker = startAlertWorker({
    connection: { url: REDIS_URL, maxRetriesPerRequest: null },
    prefix,
    concurrency: 2,
    slack: createSlackClient({ token: 'xoxb-test', apiUrl: slack.apiUrl, timeoutMs: 5000 }, logger, metrics),
    state: new PostState(redis, { prefix }),
    groups,
    answers: new AnswerStore(redis, { prefix }),
    queue: failingQueue,
    routing: { routes: [], registries: [], allowChannelOverride: false, defaultChannel: CHANNEL },
    fetchLog: () => Promise.reject(new Error('every test alert carries its log')),
    maxLogChars: 50_000,
    updateEveryMs: 100,
    replyEveryMs: 100,
    logger,
    metrics,
  });
});

afterAll(async () => {
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await slack?.stop();
});

it('a failure counted in an alert that is then resolved is not counted again by its retry: one alert, two failures', async () => {
  const opener = await deliver('a-first', alert('shop/api', 'api-release', '1'));
  expect(opener.returnvalue).toMatchObject({ outcome: 'opened' });
  const gid = String(opener.returnvalue.group);
  expect(parents()).toHaveLength(1);
  const ts = parents()[0]!.ts;

  // The second failure is counted, then its job fails; Resolved is clicked before the retry.
  const controls = createAlertControls(groups, queue);
  failNextRefresh = { group: gid, beforeFailing: async () => void expect((await controls.resolve(gid, 'U0FIXER')).outcome).toBe('resolved') };
  const retried = await deliver('a-second', alert('shop/api', 'api-nightly', '2'));
  expect(failNextRefresh).toBeUndefined();
  expect(retried.attemptsMade).toBe(2);

  expect(parents()).toHaveLength(1);
  expect(shownNow(ts)).toContain('2 failed pushes · 2 pipelines');
  expect(shownNow(ts)).toMatch(/^Resolved: /);
  expect(retried.returnvalue).toEqual({ outcome: 'counted', group: gid });
  expect((await groups.state(gid))?.count).toBe(2);
});

it('a redelivered webhook of that failure (the same delivery id) after Resolved counts nothing, also once the queue has dropped its job', async () => {
  const kept = await deliver('a-second', alert('shop/api', 'api-nightly', '2'));
  expect(kept.attemptsMade).toBe(2); // the finished job itself: BullMQ stored nothing new
  await kept.remove();
  const redelivered = await deliver('a-second', alert('shop/api', 'api-nightly', '2'));
  expect(parents()).toHaveLength(1);
  expect(redelivered.returnvalue).toMatchObject({ outcome: 'counted', group: kept.returnvalue.group });
  expect((await groups.state(String(kept.returnvalue.group)))?.count).toBe(2);
});

it('a new failure after Resolved opens a new alert, counted from one', async () => {
  const next = await deliver('a-third', alert('shop/api', 'api-release', '3'));
  expect(next.returnvalue).toMatchObject({ outcome: 'opened' });
  expect(parents()).toHaveLength(2);
  expect(shownNow(parents()[1]!.ts)).toContain('1 failed push · 1 pipeline');
  expect(shownNow(parents()[0]!.ts)).toContain('2 failed pushes · 2 pipelines');
});
