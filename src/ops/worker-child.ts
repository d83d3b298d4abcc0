// `npm start` (role `all`) keeps one command but two processes: this one serves Slack and the webhooks, and a
// supervised child (`--role worker`, forked with node:cluster) runs diagnoses and posts to Slack. Sharing one
// event loop, diagnosis work delayed the acks (p99 2–4× a bare Bolt app's under a burst); apart, the ack path
// never waits for it. The child's metrics reach this process's /metrics over the IPC channel.
import cluster, { type Worker as ChildWorker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from './logger.js';

const METRICS_REQUEST = 'registry-doctor:metrics-request';
const METRICS_RESPONSE = 'registry-doctor:metrics-response';

export interface WorkerChild {
  /** True while a child is running (readiness). */
  alive(): boolean;
  /** This process's metrics merged with the child's (the child's alone are lost if it does not answer in time). */
  metricsText(own: Registry): Promise<string>;
  /** SIGTERM the child and wait for it to exit (it finishes or requeues its jobs first). */
  stop(): Promise<void>;
}

/** Fork `--role worker` and restart it, with backoff, whenever it exits without being asked to. */
export function superviseWorkerChild(logger: Logger, options: { restartMaxMs?: number } = {}): WorkerChild {
  const restartMaxMs = options.restartMaxMs ?? 30_000;
  cluster.setupPrimary({ args: ['--role', 'worker'] });
  let child: ChildWorker | undefined;
  let stopping = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const fork = () => {
    const started = Date.now();
    // PORT 0: the child's own health server must not take the web port.
    const current = cluster.fork({ PORT: '0' });
    child = current;
    current.once('online', () => logger.info({ workerPid: current.process.pid }, 'worker process started'));
    current.on('exit', (code, signal) => {
      if (child === current) child = undefined;
      if (stopping) return;
      // A child that ran a minute before dying starts over at the shortest delay.
      failures = Date.now() - started > 60_000 ? 1 : failures + 1;
      const delay = Math.min(restartMaxMs, 500 * 2 ** (failures - 1));
      logger.error({ workerPid: current.process.pid, code, signal, restartInMs: delay }, 'worker process exited; restarting it');
      restartTimer = setTimeout(fork, delay);
    });
  };
  fork();

  return {
    alive: () => child !== undefined && !child.isDead(),
    async metricsText(own) {
      const mine = await own.getMetricsAsJSON();
      const current = child;
      if (!current || current.isDead()) return own.metrics();
      const theirs = await new Promise<Awaited<ReturnType<Registry['getMetricsAsJSON']>> | undefined>((resolve) => {
        const timer = setTimeout(() => finish(undefined), 1000);
        const onMessage = (message: { type?: string; metrics?: Awaited<ReturnType<Registry['getMetricsAsJSON']>> }) => {
          if (message?.type === METRICS_RESPONSE) finish(message.metrics);
        };
        function finish(value: Awaited<ReturnType<Registry['getMetricsAsJSON']>> | undefined) {
          clearTimeout(timer);
          current!.off('message', onMessage);
          resolve(value);
        }
        current.on('message', onMessage);
        current.send({ type: METRICS_REQUEST });
      });
      if (!theirs) return own.metrics();
      return AggregatorRegistry.aggregate([mine, theirs]).metrics();
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const current = child;
      if (!current || current.isDead()) return;
      await new Promise<void>((resolve) => {
        current.once('exit', () => resolve());
        current.process.kill('SIGTERM');
      });
    },
  };
}

/** In the child: answer the parent's metrics requests, and stop when the parent is gone (never orphaned). */
export function serveParent(registry: Registry, onParentGone: () => void): void {
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== METRICS_REQUEST) return;
    void registry.getMetricsAsJSON().then((metrics) => process.send?.({ type: METRICS_RESPONSE, metrics }));
  });
  process.once('disconnect', onParentGone);
}

export const isSupervisedWorker = () => cluster.isWorker;
