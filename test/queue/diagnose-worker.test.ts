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
import { AnswerStore } from '../../src/slack/answer-store.js';
import { PostState } from '../../src/slack/post-state.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack } from '../fakes/slack-api.js';

const prefix = uniquePrefix('worker');
let fake: FakeSlack;
let redis: Redis;
let state: PostState;
let answers: AnswerStore;
let metrics: ReturnType<typeof createMetrics>;
let processJob: ReturnType<typeof createDiagnoseProcessor>;
/** As production posts: each call made once, a short timeout (the job retries, looking before it posts). */
let processOneShot: ReturnType<typeof createDiagnoseProcessor>;

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
  answers = new AnswerStore(redis, { prefix });
  processJob = createDiagnoseProcessor({ slack, state, answers, logger, metrics });
  const oneShot = createSlackClient({ token: 'xoxb-test', apiUrl: fake.apiUrl, timeoutMs: 300, retries: 0 }, logger, metrics);
  processOneShot = createDiagnoseProcessor({ slack: oneShot, state, answers, logger, metrics });
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
    fake.fail('chat.postMessage', 'server_error', 4, (p) => p.channel === 'C0RETRY2' && p.thread_ts !== undefined);
    await expect(processJob(job('retry2', data('C0RETRY2')))).rejects.toThrow();
    const done = await processJob(job('retry2', data('C0RETRY2'), 1));
    expect(done.outcome).toBe('done');
    expect(posts('C0RETRY2').filter((c) => c.params.thread_ts === undefined)).toHaveLength(1);
    expect(posts('C0RETRY2').filter((c) => c.params.thread_ts !== undefined)).toHaveLength(1);
  });

  it('the answer mentions the person in a thread reply (a message that notifies), and the parent becomes the answer', async () => {
    const result = await processJob(job('answer', data('C0ANSWER')));
    const reply = posts('C0ANSWER').find((c) => c.params.thread_ts === result.parentTs)!;
    expect(String(reply.params.text)).toMatch(/^<@U0ALICE> :red_circle: \*Push failed:\* user `ci` may not push to `app` \(missing `ecr:InitiateLayerUpload`\)\. First: `aws iam put-user-policy --user-name ci/);
    const parent = fake.ok('chat.update', (c) => c.params.channel === 'C0ANSWER' && c.params.ts === result.parentTs).at(-1)!;
    expect(String(parent.params.text)).toContain('user `ci` may not push to `app`');
    expect(String(parent.params.text)).not.toMatch(/permission_denied|done|✅|white_check_mark/);
    // The queued parent mentioned nobody: the one notification is the answer.
    const first = posts('C0ANSWER').find((c) => c.params.thread_ts === undefined)!;
    expect(String(first.params.text)).not.toContain('<@');
  });

  it('msg_blocks_too_long or invalid_blocks: the same answer as plain text at once, no retries', async () => {
    for (const [i, code] of (['msg_blocks_too_long', 'invalid_blocks'] as const).entries()) {
      const channel = `C0BLOCKS${i}`;
      fake.fail('chat.postMessage', code, 1, (p) => p.channel === channel && p.thread_ts !== undefined);
      const result = await processJob(job(`blocks${i}`, data(channel)));
      expect(result.outcome).toBe('done');
      const replies = fake.attempts('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined);
      expect(replies).toHaveLength(2);
      expect(replies[1]!.params.blocks).toBeUndefined();
      expect(String(replies[1]!.params.text)).toMatch(/^<@U0ALICE> :red_circle: \*Push failed:\* user `ci` may not push/);
      expect(String(replies[1]!.params.text)).toContain('aws iam put-user-policy --user-name ci');
    }
  });

  it('invalid_auth (permanent) on the reply: the parent says so and the person gets the answer by DM', async () => {
    fake.fail('chat.postMessage', 'invalid_auth', 1, (p) => p.channel === 'C0RETRY' && p.thread_ts !== undefined);
    const result = await processJob(job('retry', data('C0RETRY', { responseUrl: fake.responseUrl('retry') })));
    expect(result.outcome).toBe('delivered_elsewhere');
    const update = fake.ok('chat.update', (c) => c.params.channel === 'C0RETRY').at(-1);
    expect(String(update?.params.text)).toMatch(/could not be completed after 1 attempts/);
    const dm = fake.ok('chat.postMessage', (c) => c.params.channel === 'D0ALICE' && String(c.params.text).includes('invalid_auth'));
    expect(dm).toHaveLength(1);
    expect(JSON.stringify(dm[0]!.params.blocks)).toContain('may not push to');
  });

  it('500 until every retry is spent: the answer still reaches the person through response_url', async () => {
    fake.fail('chat.postMessage', 'server_error', 100, (p) => (p.channel === 'C0DOWN' && p.thread_ts !== undefined) || String(p.channel).startsWith('D'));
    const url = fake.responseUrl('down');
    await expect(processJob(job('down', data('C0DOWN', { responseUrl: url })))).rejects.toThrow();
    const result = await processJob(job('down', data('C0DOWN', { responseUrl: url }), 2));
    expect(result.outcome).toBe('delivered_elsewhere');
    const sent = fake.responseUrlPosts.filter((p) => p.id === 'down');
    expect(sent).toHaveLength(1);
    expect(String(sent[0]!.body.text)).toMatch(/http_500.*\n<@U0ALICE> :red_circle: \*Push failed:\* user `ci` may not push/s);
    fake.reset();
  });

  it('not_in_channel: the full diagnosis by DM, with how to invite the bot; no retry', async () => {
    fake.fail('chat.postMessage', 'not_in_channel', 1, (p) => p.channel === 'C0OUT');
    const result = await processJob(job('out', data('C0OUT', { responseUrl: fake.responseUrl('out') })));
    expect(result.outcome).toBe('not_in_channel');
    const dm = fake.ok('chat.postMessage', (c) => c.params.channel === 'D0ALICE' && String(c.params.text).includes('not_in_channel'));
    expect(dm).toHaveLength(1);
    const blocks = JSON.stringify(dm[0]!.params.blocks);
    expect(blocks).toContain('/invite @registry-doctor');
    expect(blocks).toContain('Do this first');
    expect(blocks).toContain('rd.wrong_cause');
    expect(await metrics.registry.getSingleMetricAsString('registry_doctor_slack_api_errors_total')).toMatch(/method="chat.postMessage",code="not_in_channel"/);
  });

  it('not_in_channel and no DM either: the answer and the invite hint through response_url', async () => {
    fake.fail('chat.postMessage', 'not_in_channel', 1, (p) => p.channel === 'C0OUT2');
    fake.fail('conversations.open', 'cannot_dm_bot', 1);
    const result = await processJob(job('out2', data('C0OUT2', { responseUrl: fake.responseUrl('out2') })));
    expect(result.outcome).toBe('not_in_channel');
    const text = String(fake.responseUrlPosts.find((p) => p.id === 'out2')?.body.text);
    expect(text).toContain('/invite @registry-doctor');
    expect(text).toContain('user `ci` may not push to `app`');
  });

  describe('a direct message whose outcome is unknown', () => {
    const isDmOf = (jobId: string) => (p: Record<string, unknown>) =>
      p.channel === 'D0ALICE' && (p.metadata as { event_payload?: { job_id?: string } } | undefined)?.event_payload?.job_id === jobId;
    const dmsOf = (jobId: string) => fake.messages('D0ALICE').filter((m) => isDmOf(jobId)({ channel: 'D0ALICE', metadata: m.metadata }));

    it('Slack took the DM but answered after the timeout: it is found, not sent again nor through response_url', async () => {
      fake.fail('chat.postMessage', 'not_in_channel', 1, (p) => p.channel === 'C0DMSLOW');
      fake.delay('chat.postMessage', 1500, 1, isDmOf('dmslow'));
      const result = await processOneShot(job('dmslow', data('C0DMSLOW', { responseUrl: fake.responseUrl('dmslow') })));
      expect(result.outcome).toBe('not_in_channel');
      expect(fake.attempts('chat.postMessage', (c) => isDmOf('dmslow')(c.params)).length).toBeGreaterThan(0);
      expect(dmsOf('dmslow')).toHaveLength(1);
      expect(fake.messages('D0ALICE').filter((m) => m.text.includes('not_in_channel') && !m.metadata)).toHaveLength(0);
      expect(fake.responseUrlPosts.filter((p) => p.id === 'dmslow')).toHaveLength(0);
      expect(fake.ok('conversations.history', (c) => c.params.channel === 'D0ALICE').length).toBeGreaterThan(0);
    });

    it('a worker that died after Slack took the DM: the next attempt finds it and sends no second one', async () => {
      // What the dead worker left: Slack has the DM with its metadata; Redis has the pending mark and no ts.
      const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'D0ALICE', text: 'the answer', metadata: { event_type: 'registry_doctor_post', event_payload: { job_id: 'dmdead', step: 'delivered' } } }),
      });
      expect(res.ok).toBe(true);
      await redis.hset(state.key('dmdead'), 'delivered:pending', String(Date.now()));
      const dmsBefore = fake.messages('D0ALICE').length;
      fake.fail('chat.postMessage', 'not_in_channel', 1, (p) => p.channel === 'C0DMDEAD');
      const result = await processOneShot(job('dmdead', data('C0DMDEAD', { responseUrl: fake.responseUrl('dmdead') }), 1));
      expect(result.outcome).toBe('not_in_channel');
      expect(fake.messages('D0ALICE')).toHaveLength(dmsBefore); // no DM at all, with or without metadata
      expect(fake.responseUrlPosts.filter((p) => p.id === 'dmdead')).toHaveLength(0);
    });
  });

  it('private: parent and answer go to the person\'s DM, nothing to the channel', async () => {
    const result = await processJob(job('private', data('C0PRIVATE', { private: true })));
    expect(result.outcome).toBe('done');
    expect(posts('C0PRIVATE')).toHaveLength(0);
    expect(fake.ok('conversations.open', (c) => c.params.users === 'U0ALICE').length).toBeGreaterThan(0);
    expect(fake.ok('chat.postMessage', (c) => c.params.channel === 'D0ALICE' && c.params.thread_ts === result.parentTs)).toHaveLength(1);
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

  it('the configured registries[] name a custom domain’s provider: an ACR behind registry.contoso.example is answered as ACR, with its registry name', async () => {
    const logger = createLogger({ level: 'silent' });
    const slack = createSlackClient({ token: 'xoxb-test', apiUrl: fake.apiUrl, timeoutMs: 5000 }, logger, metrics);
    const registries = [{ name: 'contoso-acr', provider: 'acr' as const, host: 'registry.contoso.example', account: 'contosoreg' }];
    const configured = createDiagnoseProcessor({ slack, state, answers, logger, metrics, registries });
    const log = "The push refers to repository [registry.contoso.example/shop/api]\n5f70bf18a086: Preparing\ndenied: client with IP '203.0.113.7' is not allowed access.";
    const result = await configured(job('contoso', data('C0CONTOSO', { log, image: 'registry.contoso.example/shop/api:1.4.2' })));
    expect(result.category).toBe('firewall_denied');
    const reply = posts('C0CONTOSO').find((c) => c.params.thread_ts === result.parentTs)!;
    expect(String(reply.params.text)).toContain('First: `az acr network-rule list --name contosoreg`');
    expect(JSON.stringify(reply.params.blocks)).toContain('*Registry:* Azure Container Registry');
  });
});

describe('posts whose outcome is unknown', () => {
  const parents = (channel: string) => fake.messages(channel).filter((m) => !m.thread_ts);
  // The diagnosis replies; the policy file shared after the reply is a thread message of its own.
  const replies = (channel: string) => fake.messages(channel).filter((m) => m.thread_ts && !m.files);

  it('Slack took the parent but answered after the timeout: the retry finds it by its metadata and posts no second one', async () => {
    const channel = 'C0SLOWPOST';
    fake.delay('chat.postMessage', 1500, 1, (p) => p.channel === channel && p.thread_ts === undefined);
    await expect(processOneShot(job('slow1', data(channel)))).rejects.toThrow();
    const done = await processOneShot(job('slow1', data(channel), 1));
    expect(done.outcome).toBe('done');
    expect(parents(channel)).toHaveLength(1);
    expect(done.parentTs).toBe(parents(channel)[0]!.ts);
    expect(replies(channel)).toHaveLength(1);
    expect(replies(channel)[0]!.thread_ts).toBe(parents(channel)[0]!.ts);
    expect(parents(channel)[0]!.metadata).toEqual({ event_type: 'registry_doctor_post', event_payload: { job_id: 'slow1', step: 'parent' } });
  });

  it('the same for the thread reply: found among the replies, not posted twice', async () => {
    const channel = 'C0SLOWREPLY';
    fake.delay('chat.postMessage', 1500, 1, (p) => p.channel === channel && p.thread_ts !== undefined);
    await expect(processOneShot(job('slow2', data(channel)))).rejects.toThrow();
    const done = await processOneShot(job('slow2', data(channel), 1));
    expect(done.outcome).toBe('done');
    expect(parents(channel)).toHaveLength(1);
    expect(replies(channel)).toHaveLength(1);
    expect(done.replyTs).toBe(replies(channel)[0]!.ts);
  });

  it('a claim left by a dead worker lapses and the job goes on (no "another worker is posting" failure)', async () => {
    const channel = 'C0DEADCLAIM';
    // A worker claimed the parent, marked it pending and died before Slack got the post.
    await redis.set(`${state.key('dead1')}:claim:parent`, 'dead-worker', 'PX', 500);
    await redis.hset(state.key('dead1'), 'parent:pending', String(Date.now()));
    const done = await processOneShot(job('dead1', data(channel)));
    expect(done.outcome).toBe('done');
    expect(parents(channel)).toHaveLength(1);
    expect(replies(channel)).toHaveLength(1);
  });

  it('a status edit that keeps failing (500, msg_too_long) does not hold up the answer', async () => {
    for (const [channel, kind] of [['C0EDIT500', 'server_error'], ['C0EDITLONG', 'msg_too_long']] as const) {
      fake.fail('chat.update', kind, 100, (p) => p.channel === channel);
      const done = await processOneShot(job(`edit-${channel}`, data(channel)));
      expect(done.outcome).toBe('done');
      expect(replies(channel)).toHaveLength(1);
      expect(fake.attempts('chat.update', (c) => c.params.channel === channel).length).toBeGreaterThan(0);
    }
  });
});

describe('PostState', () => {
  it('releases the claim when the post fails, so the next attempt can post', async () => {
    await expect(state.once('claim', 'parent', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(state.once('claim', 'parent', async () => '1.1')).resolves.toEqual({ ts: '1.1', posted: true });
    await expect(state.once('claim', 'parent', async () => '2.2')).resolves.toEqual({ ts: '1.1', posted: false });
  });
});
