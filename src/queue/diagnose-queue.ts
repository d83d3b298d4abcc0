// The producer side: the diagnose queue with its retry policy, and a bounded-time enqueue for the ack path.
import { Queue, type ConnectionOptions } from 'bullmq';
import { DIAGNOSE_JOB, DIAGNOSE_QUEUE, diagnoseJobSchema, type DiagnoseJobData, type DiagnoseJobResult } from './jobs.js';

export type DiagnoseQueue = Queue<DiagnoseJobData, DiagnoseJobResult>;

export interface DiagnoseQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  attempts: number;
  backoffMs: number;
}

export function createDiagnoseQueue(options: DiagnoseQueueOptions): DiagnoseQueue {
  return new Queue<DiagnoseJobData, DiagnoseJobResult>(DIAGNOSE_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      // Keep finished jobs for the dashboard, bounded.
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
    },
  });
}

export class EnqueueError extends Error {
  override name = 'EnqueueError';
}

/** Validate and add a job; fails (rather than hangs) when Redis does not answer within `timeoutMs`. */
export async function enqueueDiagnosis(queue: DiagnoseQueue, data: DiagnoseJobData, timeoutMs = 1500): Promise<string> {
  const valid = diagnoseJobSchema.parse(data);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EnqueueError(`queue did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const job = await Promise.race([queue.add(DIAGNOSE_JOB, valid), timeout]);
    if (job.id === undefined) throw new EnqueueError('queue returned no job id');
    return job.id;
  } finally {
    clearTimeout(timer);
  }
}
