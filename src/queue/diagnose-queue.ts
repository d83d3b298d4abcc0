// The diagnose queue with its retry policy. The ack path does not add to it directly: see inbox.ts.
import { Queue, type ConnectionOptions } from 'bullmq';
import { DIAGNOSE_QUEUE, type DiagnoseJobData, type DiagnoseJobResult, type HomeJobData } from './jobs.js';

/** Diagnoses, re-runs and App Home publishing (`publish-home` jobs: small, and run by the same workers). */
export type DiagnoseQueue = Queue<DiagnoseJobData | HomeJobData, DiagnoseJobResult>;

export interface DiagnoseQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  attempts: number;
  backoffMs: number;
}

export function createDiagnoseQueue(options: DiagnoseQueueOptions): DiagnoseQueue {
  return new Queue<DiagnoseJobData | HomeJobData, DiagnoseJobResult>(DIAGNOSE_QUEUE, {
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
