// The fix job: one claimed click, applied by a worker. Its data names the plan by id only; the plan itself
// (target, change) stays in Redis. One attempt: a mutating job is never retried behind anyone's back.
import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { PLAN_ID } from './plan-store.js';

export const FIX_QUEUE = 'fix';
export const FIX_JOB = 'fix';

export const fixJobSchema = z.object({
  planId: z.string().regex(PLAN_ID),
  /** Who clicked (authorized again by the worker). */
  user: z.string().regex(/^[UW][A-Z0-9]+$/),
  channel: z.string().regex(/^[CGDZ][A-Z0-9]+$/),
  /** The message the button sat on, and its thread. */
  messageTs: z.string().regex(/^\d+\.\d+$/),
  threadTs: z.string().regex(/^\d+\.\d+$/),
  /** That message's blocks as the click sent them, so the buttons can be replaced by the outcome. */
  blocks: z.array(z.record(z.string(), z.unknown())).max(50).optional(),
  clickedAt: z.number().int(),
});

export type FixJobData = z.infer<typeof fixJobSchema>;

export interface FixJobResult {
  result: string;
}

export type FixQueue = Queue<FixJobData, FixJobResult>;

export function createFixQueue(connection: ConnectionOptions, prefix: string): FixQueue {
  return new Queue<FixJobData, FixJobResult>(FIX_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { attempts: 1, removeOnComplete: { age: 24 * 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600, count: 5000 } },
  });
}
