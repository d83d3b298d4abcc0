// Real Redis for tests: a unique queue prefix each, and a clean-up that removes every key under it.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { inboxLength } from '../../src/queue/inbox.js';
import { DIAGNOSE_QUEUE } from '../../src/queue/jobs.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(label: string): string {
  return `rd-test-${label}-${randomBytes(4).toString('hex')}`;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Obliterate the diagnose queue under `prefix`, then delete whatever keys remain. */
export async function cleanPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const queue = new Queue(DIAGNOSE_QUEUE, { connection: redis, prefix });
  try {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export async function queueCounts(prefix: string, redisUrl = REDIS_URL): Promise<Record<string, number>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const queue = new Queue(DIAGNOSE_QUEUE, { connection: redis, prefix });
  try {
    // Jobs wait in the inbox list for a moment before they are BullMQ jobs: count both.
    return { ...(await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized')), inbox: await inboxLength(redis, prefix) };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Jobs ever stored under `prefix`, whatever their state (a job moving from active to completed leaves it unchanged). */
export async function queueTotal(prefix: string): Promise<number> {
  return Object.values(await queueCounts(prefix)).reduce((a, b) => a + b, 0);
}

/** Resolves once every stored request under `prefix` is a finished job (nothing waiting, running or delayed): after it, nothing more will happen. */
export async function drained(prefix: string, redisUrl = REDIS_URL): Promise<Record<string, number>> {
  for (;;) {
    const counts = await queueCounts(prefix, redisUrl);
    if (counts.inbox === 0 && counts.waiting === 0 && counts.active === 0 && counts.delayed === 0 && counts.prioritized === 0) return counts;
    await new Promise((r) => setTimeout(r, 50));
  }
}
