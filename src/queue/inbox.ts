// The ack path's enqueue: one LPUSH of validated, redacted job data to an inbox list in Redis (durable once
// Redis answers, so the ack never promises a job that was not stored). A mover in each worker process turns
// inbox entries into BullMQ jobs, with the entry's id as the BullMQ job id, so moving is idempotent: a mover
// that dies between add and removal leaves the entry in the processing list, and the next pass re-adds it
// as a no-op. Measured: a BullMQ add (a Lua script and two event-stream writes) in the ack path doubled the
// p99 ack latency under 50 concurrent commands; an LPUSH costs about what a bare ack does. Every kind of
// request the web role takes goes this way: diagnoses (commands, forms, buttons), CI alerts (webhooks) and
// App Home publishing.
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../ops/redis.js';
import { redactDeep } from '../engine/redact.js';
import type { Logger } from '../ops/logger.js';
import { ALERT_JOB, alertJobSchema, type AlertJobData, type AlertQueue } from '../alerts/alert-job.js';
import type { DiagnoseQueue } from './diagnose-queue.js';
import { diagnoseJobSchema, homeJobSchema, jobName, PUBLISH_HOME_JOB, type DiagnoseJobData } from './jobs.js';

/** What the web role stores; `kind` absent is a diagnosis (entries written before alerts and App Home came this way). */
export type InboxEntry =
  | { id: string; kind?: 'diagnose'; data: DiagnoseJobData }
  | { id: string; kind: 'alert'; data: AlertJobData }
  | { id: string; kind: 'home'; user: string };

export const inboxKeys = (prefix: string) => ({ inbox: `${prefix}:diagnose:inbox`, processing: `${prefix}:diagnose:inbox:processing` });

// Unique across processes (a random tag per process) and cheap (no crypto call per request).
const PROCESS_TAG = randomBytes(3).toString('hex');
let sequence = 0;

/** Short, time-ordered, never an integer (BullMQ refuses integer custom ids). */
export function newJobId(now = Date.now()): string {
  sequence = (sequence + 1) % 1296;
  return `${now.toString(36)}${PROCESS_TAG}${sequence.toString(36).padStart(2, '0')}`;
}

/**
 * The job may not have been stored. `stored: 'no'` — Redis refused or was unreachable, nothing was written;
 * `'unknown'` — the command was sent but Redis did not answer in time (a stall): it may still be written.
 */
export class EnqueueError extends Error {
  override name = 'EnqueueError';
  constructor(
    message: string,
    readonly stored: 'no' | 'unknown',
  ) {
    super(message);
  }
}

/** How long a request's identity is remembered: beyond Slack's 5-minute signature window either way. */
const REQUEST_MEMORY_SECONDS = 15 * 60;

// Store the entry unless this request was stored before; answer the job id either way (one round trip).
const PUSH_ONCE = `
local existing = redis.call('GET', KEYS[2])
if existing then return existing end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
redis.call('LPUSH', KEYS[1], ARGV[2])
return ARGV[1]`;

async function storeEntry(redis: RedisConnection, prefix: string, entry: InboxEntry, requestKey: string | undefined): Promise<string> {
  const keys = inboxKeys(prefix);
  try {
    if (!requestKey) {
      await withinStoreDeadline(redis.lpush(keys.inbox, JSON.stringify(entry)));
      return entry.id;
    }
    const id = await withinStoreDeadline(redis.eval(PUSH_ONCE, 2, keys.inbox, `${prefix}:request:${requestKey}`, entry.id, JSON.stringify(entry), REQUEST_MEMORY_SECONDS));
    return String(id);
  } catch (error) {
    const message = (error as Error).message;
    throw new EnqueueError(`could not store the job: ${message}`, /timed out/i.test(message) ? 'unknown' : 'no');
  }
}

/**
 * Validate and store a job request; resolves with its job id once Redis has it. Give `redis` a
 * `commandTimeout` (and no offline queue) so that this fails fast, well inside Slack's 3 s, when Redis is away.
 * With a `requestKey`, a replay of the same request (Slack's retries, a resent signed request) stores nothing
 * and resolves with the first job's id.
 */
export async function pushToInbox(redis: RedisConnection, prefix: string, data: DiagnoseJobData, requestKey?: string): Promise<string> {
  // Redacted here, the one way into Redis, whatever the caller already did: a secret never reaches a Redis value.
  return storeEntry(redis, prefix, { id: newJobId(), data: diagnoseJobSchema.parse(redactDeep(data)) }, requestKey);
}

/**
 * Store a CI alert under `jobId` (the same failed CI job always has the same id); resolves once Redis has it.
 * A redelivery within the request memory stores nothing more; a later one is a no-op when moved (same job id).
 * `data` comes redacted from the webhook route, which redacts the whole log before cutting it to size: a
 * second pass here would cost as much again on a multi-megabyte log, and could re-grow a cut redaction marker.
 */
export async function pushAlertToInbox(redis: RedisConnection, prefix: string, data: AlertJobData, jobId: string): Promise<string> {
  return storeEntry(redis, prefix, { id: jobId, kind: 'alert', data: alertJobSchema.parse(data) }, `alert:${jobId}`);
}

/** Ask a worker to publish `user`'s App Home (recent diagnoses, registries): permalinks and views.publish stay off the ack path. */
export async function pushHomeToInbox(redis: RedisConnection, prefix: string, user: string): Promise<string> {
  return storeEntry(redis, prefix, { id: newJobId(), kind: 'home', ...homeJobSchema.parse({ user }) }, undefined);
}

/**
 * How long a request waits for Redis to take it. The connection's `commandTimeout` alone does not bound it: with
 * auto-pipelining, commands that arrive while a pipeline is unanswered are sent (and their own timeout starts)
 * only when it fails, so in a stall most of 50 concurrent commands waited two timeouts, past Slack's 3 s.
 */
const STORE_DEADLINE_MS = 1_500;

/** `command`, or a "timed out" error after STORE_DEADLINE_MS: it may still be written once Redis answers. */
function withinStoreDeadline<T>(command: Promise<T>): Promise<T> {
  command.catch(() => {}); // a late failure after the deadline has nobody to tell
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Redis timed out taking the request')), STORE_DEADLINE_MS);
  });
  return Promise.race([command, deadline]).finally(() => clearTimeout(timer));
}

export interface InboxMoverOptions {
  /** A dedicated connection: BLMOVE blocks it. */
  blocking: RedisConnection;
  /** For LREM and the drain pipeline. */
  redis: RedisConnection;
  /** Diagnoses and App Home publishing. */
  queue: DiagnoseQueue;
  /** CI alerts. */
  alerts: AlertQueue;
  prefix: string;
  logger: Logger;
  batch?: number;
  /** How often entries stuck in the processing list (a mover died) are re-added. */
  recoverEveryMs?: number;
}

export interface InboxMover {
  stop(): Promise<void>;
  /** Resolves after the next pass that found the inbox empty (tests). */
  idle(): Promise<void>;
}

export function startInboxMover(options: InboxMoverOptions): InboxMover {
  const { blocking, redis, queue, alerts, prefix, logger } = options;
  const keys = inboxKeys(prefix);
  const batch = options.batch ?? 100;
  const recoverEveryMs = options.recoverEveryMs ?? 30_000;
  let running = true;
  let idleWaiters: Array<() => void> = [];
  let seenInProcessing = new Set<string>();

  async function move(raws: string[]): Promise<void> {
    const jobs: Parameters<DiagnoseQueue['addBulk']>[0] = [];
    const alertJobs: Parameters<AlertQueue['addBulk']>[0] = [];
    for (const raw of raws) {
      try {
        const entry = JSON.parse(raw) as InboxEntry;
        if (typeof entry.id !== 'string' || !/^[a-z0-9]+$/.test(entry.id)) throw new Error('bad id');
        const opts = { jobId: entry.id };
        if (entry.kind === 'alert') {
          alertJobs.push({ name: ALERT_JOB, data: alertJobSchema.parse(entry.data), opts });
        } else if (entry.kind === 'home') {
          jobs.push({ name: PUBLISH_HOME_JOB, data: homeJobSchema.parse({ user: entry.user }), opts });
        } else {
          const data = diagnoseJobSchema.parse(entry.data);
          jobs.push({ name: jobName(data), data, opts });
        }
      } catch (error) {
        logger.error({ err: error }, 'dropping a malformed inbox entry');
      }
    }
    await Promise.all([jobs.length ? queue.addBulk(jobs) : undefined, alertJobs.length ? alerts.addBulk(alertJobs) : undefined]);
    const pipe = redis.pipeline();
    for (const raw of raws) pipe.lrem(keys.processing, 1, raw);
    await pipe.exec();
  }

  async function recover(): Promise<void> {
    const stuck = await redis.lrange(keys.processing, 0, -1);
    // Only entries already seen on the previous pass: a live mover finishes within milliseconds.
    const old = stuck.filter((raw) => seenInProcessing.has(raw));
    seenInProcessing = new Set(stuck);
    if (old.length) {
      logger.warn({ entries: old.length }, 're-adding inbox entries left by a stopped mover');
      await move(old);
    }
  }

  const loop = async () => {
    let lastRecover = 0;
    while (running) {
      try {
        if (Date.now() - lastRecover >= recoverEveryMs) {
          lastRecover = Date.now();
          await recover();
        }
        const first = await blocking.blmove(keys.inbox, keys.processing, 'RIGHT', 'LEFT', 1);
        if (!first) {
          const waiters = idleWaiters;
          idleWaiters = [];
          waiters.forEach((w) => w());
          continue;
        }
        const raws = [first];
        const pipe = redis.pipeline();
        for (let i = 1; i < batch; i += 1) pipe.lmove(keys.inbox, keys.processing, 'RIGHT', 'LEFT');
        for (const [, value] of (await pipe.exec()) ?? []) if (typeof value === 'string') raws.push(value);
        await move(raws);
      } catch (error) {
        if (!running) break;
        logger.warn({ err: error }, 'inbox mover: Redis error; retrying in 1 s');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  // On start, entries of a mover that died are re-added at once (idempotent by job id).
  const started = (async () => {
    seenInProcessing = new Set(await redis.lrange(keys.processing, 0, -1).catch(() => []));
    await move([...seenInProcessing]).catch((e: unknown) => logger.warn({ err: e }, 'inbox recovery failed'));
    seenInProcessing.clear();
  })().then(loop);

  return {
    async stop() {
      running = false;
      blocking.disconnect();
      await started.catch(() => {});
    },
    idle: () => new Promise<void>((resolve) => idleWaiters.push(resolve)),
  };
}

/** Entries not yet moved (for /metrics and tests). */
export async function inboxLength(redis: RedisConnection, prefix: string): Promise<number> {
  const keys = inboxKeys(prefix);
  const [a, b] = await Promise.all([redis.llen(keys.inbox), redis.llen(keys.processing)]);
  return a + b;
}
