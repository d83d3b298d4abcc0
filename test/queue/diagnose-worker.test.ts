// The diagnose processor in-process, on real Redis and the fake Slack: re-runs and races never post twice.
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackClient } from '../../src/slack/web-client.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createDiagnoseProcessor } from '../../src/queue/diagnose-worker.js';
import type { DiagnoseJobData, DiagnoseJobResult } from '../../src/queue/jobs.js';
import { PostState } from '../../src/slack/post-state.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack } from '../fakes/slack-api.js';

const prefix = uniquePrefix('worker');
let fake: FakeSlack;
let redis: Redis;
let state: PostState;
let metrics: ReturnType<typeof createMetrics>;
let processJob: ReturnType<typeof createDiagnoseProcessor>;

const data = (channel: string, extra: Partial<DiagnoseJobData> = {}): DiagnoseJobData => ({
  source: 'command',
  log: 'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app',
  channel,
  user: 'U0ALICE',
  requestedAt: Date.now(),
  ...extra,
});

const job = (id: string, d: DiagnoseJobData, attemptsMade = 0, attempts = 3) =>
  ({ id, data: d, opts: { attempts }, attemptsMade }) as unknown as Job<DiagnoseJobData, DiagnoseJobResult>;

const posts = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel);

beforeAll(async () => {
  fake = await new FakeSlack().start();
  redis = new Redis(REDIS_URL);
  state = new PostState(redis, { prefix, waitMs: 3000 });
  metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ level: 'silent' });
  const slack = createSlackClient({ token: 'xoxb-test', apiUrl: fake.apiUrl, timeoutMs: 5000 }, logger, metrics);
  processJob = createDiagnoseProcessor({ slack, state, logger, metrics });
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await fake.stop();
});

describe('diagnose processor', () => {
  it('a re-run of a finished job (a worker that died before completing it) posts nothing new', async () => {
    const first = await processJob(job('r1', data('C0RERUN')));
    expect(first.outcome).toBe('done');
    expect(first.category).toBe('permission_denied');
    const second = await processJob(job('r1', data('C0RERUN'), 1));
    expect(second).toEqual(first);
    expect(posts('C0RERUN')).toHaveLength(2); // one parent, one reply
  });

  it('two workers racing on one job post each message once', async () => {
    const results = await Promise.all([processJob(job('race', data('C0RACE'))), processJob(job('race', data('C0RACE')))]);
    expect(results[0]!.parentTs).toBe(results[1]!.parentTs);
    expect(results[0]!.replyTs).toBe(results[1]!.replyTs);
    expect(posts('C0RACE')).toHaveLength(2);
  });

  it('a retry after a failed reply reuses the parent', async () => {
    fake.fail('chat.postMessage', 'invalid_auth', 1, (p) => p.channel === 'C0RETRY' && p.thread_ts !== undefined);
    await expect(processJob(job('retry', data('C0RETRY', { responseUrl: fake.responseUrl('retry') })))).rejects.toBeInstanceOf(UnrecoverableError);
    // invalid_auth is not worth retrying: failed at once, and the parent says so.
    const update = fake.ok('chat.update', (c) => c.params.channel === 'C0RETRY').at(-1);
    expect(String(update?.params.text)).toMatch(/failed after 1 attempts: Slack API error invalid_auth/);
    fake.fail('chat.postMessage', 'server_error', 4, (p) => p.channel === 'C0RETRY2' && p.thread_ts !== undefined);
    await expect(processJob(job('retry2', data('C0RETRY2')))).rejects.toThrow();
    const done = await processJob(job('retry2', data('C0RETRY2'), 1));
    expect(done.outcome).toBe('done');
    expect(posts('C0RETRY2').filter((c) => c.params.thread_ts === undefined)).toHaveLength(1);
    expect(posts('C0RETRY2').filter((c) => c.params.thread_ts !== undefined)).toHaveLength(1);
  });

  it('channel_not_found: invite hint through response_url, no retry', async () => {
    fake.fail('chat.postMessage', 'channel_not_found', 1, (p) => p.channel === 'D0DM');
    const result = await processJob(job('dm', data('D0DM', { responseUrl: fake.responseUrl('dm') })));
    expect(result.outcome).toBe('not_in_channel');
    expect(String(fake.responseUrlPosts.find((p) => p.id === 'dm')?.body.text)).toContain('/invite @registry-doctor');
    expect(await metrics.registry.getSingleMetricAsString('registry_doctor_slack_api_errors_total')).toMatch(/method="chat.postMessage",code="channel_not_found"/);
  });

  it('invalid job data fails without retry', async () => {
    await expect(processJob(job('bad', { ...data('C0BAD'), channel: '#general' }))).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('counts jobs, findings and latency', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/registry_doctor_jobs_total\{outcome="done"\} \d+/);
    expect(text).toMatch(/registry_doctor_findings_total\{category="permission_denied",provider="ecr"\} \d+/);
    expect(text).toMatch(/registry_doctor_diagnosis_seconds_count\{source="command"\} \d+/);
  });

  it('keeps a capped list of small, log-free summaries for App Home', async () => {
    const recent = await state.recent();
    expect(recent.length).toBeGreaterThan(0);
    expect(recent[0]).toMatchObject({ category: 'permission_denied', user: 'U0ALICE' });
    expect(JSON.stringify(recent)).not.toContain('is not authorized to perform');
    expect(await state.recent('U0ALICE')).toEqual(recent);
    expect(await state.recent('U0SOMEONE')).toEqual([]);
    // Re-runs of a job add it once.
    expect(new Set(recent.map((r) => r.jobId)).size).toBe(recent.length);
  });
});

describe('PostState', () => {
  it('releases the claim when the post fails, so the next attempt can post', async () => {
    await expect(state.once('claim', 'parent', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(state.once('claim', 'parent', async () => '1.1')).resolves.toEqual({ ts: '1.1', posted: true });
    await expect(state.once('claim', 'parent', async () => '2.2')).resolves.toEqual({ ts: '1.1', posted: false });
  });
});
