// The worker with probes, in-process, on real Redis, the fake Slack and a real registry: the parent message
// shows the probes as they run (against which registry) and when done (how long), the thread holds the
// results; `/registry check` answers with a verdict; `/registry status` checks credentials for real.
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createWorkerProbes } from '../../src/probes/worker-probes.js';
import { createDiagnoseProcessor } from '../../src/queue/diagnose-worker.js';
import type { DiagnoseJobData, DiagnoseJobResult } from '../../src/queue/jobs.js';
import { AnswerStore } from '../../src/slack/answer-store.js';
import { PostState } from '../../src/slack/post-state.js';
import { createSlackClient } from '../../src/slack/web-client.js';
import { startRegistry, type RunningRegistry } from '../fakes/oci-registry.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack } from '../fakes/slack-api.js';

const prefix = uniquePrefix('worker-probes');
let fake: FakeSlack;
let redis: Redis;
let registry: RunningRegistry;
let processJob: ReturnType<typeof createDiagnoseProcessor>;

const job = (id: string, data: Partial<DiagnoseJobData>) =>
  ({
    id,
    data: { source: 'command', log: '', user: 'U0ALICE', requestedAt: Date.now(), channel: 'C0PROBE', ...data },
    opts: { attempts: 1 },
    attemptsMade: 0,
  }) as unknown as Job<DiagnoseJobData, DiagnoseJobResult>;

const texts = (method: string, channel: string): string[] =>
  fake.ok(method, (c) => c.params.channel === channel).map((c) => `${String(c.params.text)}\n${JSON.stringify(c.params.blocks)}`);

beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd', users: { ci: { password: 'pw' } } });
  fake = await new FakeSlack().start();
  redis = new Redis(REDIS_URL);
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ level: 'silent' });
  const slack = createSlackClient({ token: 'xoxb-test', apiUrl: fake.apiUrl, timeoutMs: 5000 }, logger, metrics);
  const registries = parseConfig({
    registries: [{ name: 'lab', provider: 'other', host: registry.host, credentials: { probe: { username: 'LAB_USER', password: 'LAB_PASSWORD' } } }],
  }).registries;
  processJob = createDiagnoseProcessor({
    slack,
    state: new PostState(redis, { prefix, waitMs: 3000 }),
    answers: new AnswerStore(redis, { prefix }),
    logger,
    metrics,
    probes: createWorkerProbes({ registries, env: { LAB_USER: 'ci', LAB_PASSWORD: 'pw' } }),
  });
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await fake?.stop();
  await registry?.stop();
});

describe('worker with probes', () => {
  it('a diagnosis: the parent shows the probes running against the registry, then how many and how long; the thread lists them', async () => {
    const log = `The push refers to repository [${registry.host}/team/app]\nunauthorized: authentication required\n`;
    const result = await processJob(job('p1', { channel: 'C0PROBE1', log, image: `${registry.host}/team/app:1.0` }));
    expect(result.outcome).toBe('done');
    const updates = texts('chat.update', 'C0PROBE1');
    expect(updates.some((text) => /probing the registry… \d of 5 checks against `lab` done/i.test(text))).toBe(true);
    const last = updates.at(-1)!;
    expect(last).toMatch(/\*Probes:\* 5 checks against `lab` in \d+ ms \(\d+ ok/);
    const reply = texts('chat.postMessage', 'C0PROBE1').find((text) => text.includes('oci.upload'))!;
    expect(reply).toContain('net.connect ok');
    expect(reply).toContain('oci.upload ok');
  });

  it('/registry check: the verdict in the parent and first in the thread', async () => {
    await processJob(job('p2', { channel: 'C0PROBE2', image: `${registry.host}/team/app:1.0`, purpose: 'preflight' }));
    const last = texts('chat.update', 'C0PROBE2').at(-1)!;
    expect(last).toContain('*Preflight check:*');
    expect(last).toContain('a push would succeed now');
    const reply = texts('chat.postMessage', 'C0PROBE2').at(-1)!;
    expect(reply).toContain(`A push to \`${registry.host}/team/app:1.0\` would succeed now`);
    expect(reply).toContain('`oci.upload` ok');
  });

  it('/registry status: each registry’s credentials checked, answered through response_url', async () => {
    const url = fake.responseUrl('status1');
    const result = await processJob(job('p3', { channel: 'C0PROBE3', purpose: 'status', responseUrl: url }));
    expect(result).toEqual({ outcome: 'done' });
    const answer = fake.responseUrlPosts.find((post) => post.id === 'status1')!;
    expect(String(answer.body.text)).toBe('Registry status: 1 of 1 OK');
    expect(JSON.stringify(answer.body.blocks)).toContain(`accepts the credentials of ci`);
    expect(fake.ok('chat.postMessage', (c) => c.params.channel === 'C0PROBE3')).toEqual([]);
  });
});
