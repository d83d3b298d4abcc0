// The inbox: what the ack path stores, and the mover that turns it into BullMQ jobs exactly once.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALERT_JOB, alertJobId, createAlertQueue, type AlertJobData, type AlertQueue } from '../../src/alerts/alert-job.js';
import { createLogger } from '../../src/ops/logger.js';
import { createDiagnoseQueue, type DiagnoseQueue } from '../../src/queue/diagnose-queue.js';
import { inboxKeys, inboxLength, newJobId, pushAlertToInbox, pushHomeToInbox, pushToInbox, startInboxMover } from '../../src/queue/inbox.js';
import { PUBLISH_HOME_JOB, type DiagnoseJobData } from '../../src/queue/jobs.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from '../fakes/redis.js';

const prefix = uniquePrefix('inbox');
let redis: Redis;
let queue: DiagnoseQueue;
let alerts: AlertQueue;
const logger = createLogger({ level: 'silent' });
const data = (n: number): DiagnoseJobData => ({ source: 'command', log: `denied ${n}`, channel: 'C0INBOX', user: 'U0ALICE', requestedAt: Date.now() });

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  queue = createDiagnoseQueue({ connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, attempts: 1, backoffMs: 10 });
  alerts = createAlertQueue(new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, 1, 10);
});

afterAll(async () => {
  await Promise.all([queue.close(), alerts.close()]);
  redis.disconnect();
  await cleanPrefix(prefix);
});

it('job ids are short, ordered and never integers', () => {
  const a = newJobId(1_700_000_000_000);
  expect(a).toMatch(/^[a-z0-9]{12,16}$/);
  expect(Number.isNaN(Number(a))).toBe(true);
});

it('refuses invalid job data before storing it', async () => {
  await expect(pushToInbox(redis, prefix, { ...data(0), channel: '#nope' })).rejects.toThrow();
  expect(await inboxLength(redis, prefix)).toBe(0);
});

it('redacts what it stores, whatever the caller did', async () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const other = prefix + '-redact';
  await pushToInbox(redis, other, { ...data(0), log: `aws configure set aws_secret_access_key ${secret}`, image: 'ghcr.io/acme/app:1' });
  const stored = await redis.lrange(inboxKeys(other).inbox, 0, -1);
  await redis.del(inboxKeys(other).inbox);
  expect(stored).toHaveLength(1);
  expect(stored[0]).toContain('aws_secret_access_key [REDACTED]');
  expect(stored[0]).not.toContain(secret.slice(0, 8));
});

it('moves every entry once, re-adds entries a dead mover left behind, and drops malformed ones', async () => {
  const ids = await Promise.all(Array.from({ length: 150 }, (_, i) => pushToInbox(redis, prefix, data(i))));
  // A mover that died mid-batch: an entry already added and one not yet added, both still in processing.
  const keys = inboxKeys(prefix);
  const orphan = JSON.stringify({ id: 'orphan1', data: data(999) });
  await redis.lpush(keys.processing, orphan, JSON.stringify({ id: ids[0], data: data(0) }), 'not json');

  const movers = [0, 1].map(() =>
    startInboxMover({ blocking: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), redis, queue, alerts, prefix, logger, batch: 20, recoverEveryMs: 60_000 }),
  );
  // idle() resolves after a pass that found the inbox empty, so every entry is moved by then.
  await Promise.all(movers.map((m) => m.idle()));
  await Promise.all(movers.map((m) => m.stop()));

  expect(await inboxLength(redis, prefix)).toBe(0);
  const jobs = await queue.getJobs(['waiting']);
  expect(jobs).toHaveLength(151);
  expect(new Set(jobs.map((j) => j.id))).toEqual(new Set([...ids, 'orphan1']));
});

it('a running mover re-adds, on its periodic pass, an entry another mover left in processing', async () => {
  const keys = inboxKeys(prefix);
  const mover = startInboxMover({ blocking: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), redis, queue, alerts, prefix, logger, recoverEveryMs: 50 });
  try {
    await mover.idle(); // started, start-up recovery done, inbox empty
    // Another mover died after taking this entry: it sits in processing, not in the inbox.
    await redis.lpush(keys.processing, JSON.stringify({ id: 'leftbehind1', data: data(7) }));
    for (;;) {
      const job = await queue.getJob('leftbehind1');
      if (job) {
        expect((job.data as DiagnoseJobData).log).toBe('denied 7');
        break;
      }
      await mover.idle();
    }
    expect(await inboxLength(redis, prefix)).toBe(0);
  } finally {
    await mover.stop();
  }
});

it('a CI alert is stored once per job id and moved to the alert queue under it; an App Home request becomes a publish-home job', async () => {
  const other = `${prefix}-kinds`;
  const otherAlerts = createAlertQueue(new Redis(REDIS_URL, { maxRetriesPerRequest: null }), other, 1, 10);
  const otherQueue = createDiagnoseQueue({ connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix: other, attempts: 1, backoffMs: 10 });
  const alert: AlertJobData = { kind: 'alert', source: 'ci', log: 'denied: push', pipeline: { name: 'api', runId: '1', job: 'push' }, receivedAt: Date.now() };
  const jobId = alertJobId('ci:jenkins:api:1:push');
  try {
    // A redelivery (the CI retried) answers the same id and stores nothing more.
    expect(await pushAlertToInbox(redis, other, alert, jobId)).toBe(jobId);
    expect(await pushAlertToInbox(redis, other, { ...alert, receivedAt: Date.now() + 1 }, jobId)).toBe(jobId);
    expect(await redis.llen(inboxKeys(other).inbox)).toBe(1);
    await expect(pushHomeToInbox(redis, other, 'not-a-user')).rejects.toThrow();
    const homeId = await pushHomeToInbox(redis, other, 'U0ALICE');

    const mover = startInboxMover({ blocking: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), redis, queue: otherQueue, alerts: otherAlerts, prefix: other, logger });
    await mover.idle();
    await mover.stop();

    expect(await inboxLength(redis, other)).toBe(0);
    const stored = await otherAlerts.getJobs(['waiting']);
    expect(stored.map((j) => [j.id, j.name])).toEqual([[jobId, ALERT_JOB]]);
    expect(stored[0]!.data).toMatchObject({ kind: 'alert', pipeline: { runId: '1' } });
    const home = await otherQueue.getJob(homeId);
    expect([home?.name, home?.data]).toEqual([PUBLISH_HOME_JOB, { user: 'U0ALICE' }]);
  } finally {
    await Promise.all([otherAlerts.close(), otherQueue.close()]);
    await cleanPrefix(other);
  }
});
