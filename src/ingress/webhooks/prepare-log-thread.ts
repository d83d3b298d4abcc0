// The worker thread of prepare-log.ts: redacts and cuts one log at a time, in arrival order.
import { parentPort, workerData } from 'node:worker_threads';
import { redactAndCut } from '../../engine/cut-log.js';
import type { PreparedMessage } from './prepare-log.js';

const { maxChars } = workerData as { maxChars: number };

parentPort!.on('message', ({ id, log }: { id: number; log: string }) => {
  let answer: PreparedMessage;
  try {
    answer = { id, log: redactAndCut(log, maxChars) };
  } catch (error) {
    answer = { id, error: (error as Error).message };
  }
  parentPort!.postMessage(answer);
});
