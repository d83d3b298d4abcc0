// The bot on a real 3-node Redis Cluster: web and two workers given REDIS_CLUSTER_NODES post every diagnosis
// once, all their keys share the hash-tagged prefix's slot, and a worker killed mid-job still posts once.
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DIAGNOSE_QUEUE } from '../../src/queue/jobs.js';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { startRedisCluster, type RedisCluster } from '../fakes/redis-cluster.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';
const JOBS = 12;
// No hash tag given: the bot must add one itself on a cluster.
const PREFIX = 'rd-cluster';

let cluster: RedisCluster;
let fake: FakeSlack;
let client: Cluster;
let web: AppProcess;
const procs: AppProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  cluster = await startRedisCluster();
  fake = await new FakeSlack().start();
  client = new Cluster(cluster.nodes.split(',').map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })));
  env = { SLACK_API_URL: fake.apiUrl, REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: PREFIX, WORKER_LOCK_MS: '1000', JOB_BACKOFF_MS: '50' };
  web = await startApp({ env, args: ['--role', 'web'] });
  procs.push(web);
}, 60_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  client?.disconnect();
  await fake?.stop();
  await cluster?.stop();
});

async function command(channel: string): Promise<number> {
  const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
  return (await fetch(`${web.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body })).status;
}

const parents = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined);
const replies = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined);

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function completedJobs(): Promise<number> {
  const queue = new Queue(DIAGNOSE_QUEUE, { connection: client, prefix: `{${PREFIX}}` });
  try {
    return (await queue.getJobCounts('completed')).completed ?? 0;
  } finally {
    await queue.close();
  }
}

it('posts each diagnosis once with two workers, keeping every key in the hash-tagged slot', async () => {
  const workers = [await startApp({ env, args: ['--role', 'worker'] }), await startApp({ env, args: ['--role', 'worker'] })];
  procs.push(...workers);
  const channels = Array.from({ length: JOBS }, (_, i) => `C0CL${String(i).padStart(2, '0')}`);
  expect(await Promise.all(channels.map(command))).toEqual(channels.map(() => 200));
  await fake.waitFor(() => channels.every((c) => replies(c).length > 0), 30_000, `${JOBS} thread replies`);
  await until(async () => (await completedJobs()) === JOBS, 10_000, 'all jobs completed');
  for (const channel of channels) {
    expect(parents(channel), channel).toHaveLength(1);
    expect(replies(channel), channel).toHaveLength(1);
  }

  // Every key the bot wrote lives on the one node that owns the `{rd-cluster}` slot.
  const slot = await client.cluster('KEYSLOT', `{${PREFIX}}`);
  const keys = (await Promise.all(client.nodes('master').map((node) => node.keys('*')))).flat();
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.every((key) => key.startsWith(`{${PREFIX}}:`)), keys.join(' ')).toBe(true);
  expect(new Set(await Promise.all(keys.slice(0, 20).map((key) => client.cluster('KEYSLOT', key))))).toEqual(new Set([slot]));
  await Promise.all(workers.map((w) => w.stop()));
});

it('a worker killed mid-job on the cluster: another worker finishes it and posts each message once', async () => {
  const channel = 'C0CLCRASH';
  const before = await completedJobs();
  const first = await startApp({ env, args: ['--role', 'worker'] });
  procs.push(first);
  fake.delay('chat.update', 60_000, 1, (p) => p.channel === channel);
  expect(await command(channel)).toBe(200);
  await fake.waitFor(() => fake.attempts('chat.update', (c) => c.params.channel === channel).length > 0, 15_000, 'the held update');
  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));

  procs.push(await startApp({ env, args: ['--role', 'worker'] }));
  await fake.waitFor(() => replies(channel).length > 0, 20_000, 'thread reply');
  await until(async () => (await completedJobs()) === before + 1, 10_000, 'job completed');
  expect(parents(channel)).toHaveLength(1);
  expect(replies(channel)).toHaveLength(1);
});
