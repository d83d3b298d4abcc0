// Operations routes on the one HTTP server: /healthz, /readyz, /metrics and the BullMQ dashboard.
import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  /** Resolves true when ready; may throw. Bounded in time by the caller. */
  check: () => Promise<boolean>;
}

export interface OpsOptions {
  metrics: Metrics;
  logger: Logger;
  readiness: readonly ReadinessCheck[];
  /** Queues shown on the dashboard (web role); the dashboard is off without `admin` credentials. */
  queues?: readonly Queue[];
  admin?: { user: string; password: string };
  /** The /metrics text when it is more than this process's registry (a supervised worker's merged in). */
  metricsText?: () => Promise<string>;
  /** Sampled into the queue gauge at each scrape: job counts by state. */
  queueCounts?: () => Promise<Record<string, number>>;
  checkTimeoutMs?: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export function basicAuth(user: string, password: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const [scheme, encoded] = header.split(' ');
    if (scheme?.toLowerCase() === 'basic' && encoded) {
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0 && same(decoded.slice(0, colon), user) && same(decoded.slice(colon + 1), password)) {
        next();
        return;
      }
    }
    res.set('WWW-Authenticate', 'Basic realm="registry-doctor admin", charset="UTF-8"').status(401).send('authentication required\n');
  };
}

async function withTimeout(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([check(), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Mount the operations routes on `app` (created here when not given). */
export function mountOpsRoutes(options: OpsOptions, app: Express = express()): Express {
  const timeout = options.checkTimeoutMs ?? 1000;
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(options.readiness.map(async (r) => [r.name, (await withTimeout(r.check, timeout)) ? 'ok' : 'failing'] as const));
    const ready = results.every(([, v]) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });

  app.get('/metrics', async (_req, res) => {
    if (options.queueCounts) {
      const sample = options.queueCounts;
      const counts = await withTimeout(async () => {
        for (const [state, n] of Object.entries(await sample())) options.metrics.queueJobs.set({ state }, n);
        return true;
      }, timeout);
      if (!counts) options.logger.debug('queue counts unavailable for /metrics');
    }
    const text = options.metricsText ? await options.metricsText() : await options.metrics.registry.metrics();
    res.set('Content-Type', options.metrics.registry.contentType).send(text);
  });

  if (options.admin && options.queues?.length) {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath('/admin/queues');
    createBullBoard({
      queues: options.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
      serverAdapter,
    });
    app.use('/admin/queues', basicAuth(options.admin.user, options.admin.password), serverAdapter.getRouter());
  } else {
    app.use('/admin/queues', (_req, res) => {
      res.status(404).send('the dashboard is off: set ADMIN_USER and ADMIN_PASSWORD to enable it\n');
    });
  }
  return app;
}
