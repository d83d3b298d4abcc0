// A CI log is redacted and cut before it is stored. For a log of megabytes that is seconds of CPU (every
// line may be a candidate), and the web process must keep acking Slack within 3 s meanwhile: so a large log
// is prepared on a worker thread, one at a time, and the event loop only waits for the answer.
import { Worker } from 'node:worker_threads';
import { redactAndCut } from '../../engine/cut-log.js';

/** Below this many characters, redacting and cutting take milliseconds: done in place. */
const IN_PLACE_CHARS = 256 * 1024;

export interface LogPreparer {
  /** The log redacted, then cut to `maxChars` (a cut never leaves half a secret behind). */
  prepare(log: string): Promise<string>;
}

interface Pending {
  resolve: (log: string) => void;
  reject: (error: Error) => void;
}

/** The message the thread answers each request with. */
export type PreparedMessage = { id: number; log: string } | { id: number; error: string };

export function createLogPreparer(maxChars: number): LogPreparer {
  let thread: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error) => {
    for (const request of pending.values()) request.reject(error);
    pending.clear();
    thread = undefined;
  };

  const start = (): Worker => {
    const started = new Worker(new URL('./prepare-log-thread.js', import.meta.url), { workerData: { maxChars } });
    started.unref(); // the thread never keeps the process alive: shutting down ends it
    started.on('message', (message: PreparedMessage) => {
      const request = pending.get(message.id);
      if (!request) return;
      pending.delete(message.id);
      if ('log' in message) request.resolve(message.log);
      else request.reject(new Error(message.error));
    });
    // A thread that died (out of memory, a bug) fails what it held; the next large log starts a new one.
    started.on('error', (error) => {
      if (thread === started) failAll(error);
    });
    started.on('exit', (code) => {
      if (thread === started) failAll(new Error(`the log thread stopped (exit code ${code})`));
    });
    return started;
  };

  return {
    async prepare(log) {
      if (log.length <= IN_PLACE_CHARS) return redactAndCut(log, maxChars);
      thread ??= start();
      const id = nextId++;
      const answer = new Promise<string>((resolve, reject) => pending.set(id, { resolve, reject }));
      thread.postMessage({ id, log });
      return answer;
    },
  };
}
