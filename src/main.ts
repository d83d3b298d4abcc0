// Entry point: wiring only, and the one place that reads the environment.
// `node dist/main.js` runs web and worker in one process; `--role web|worker` splits them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { loadSettings, SettingsError, type Settings } from './config/env.js';
import { ConfigError, loadConfigFile } from './config/load-config.js';
import { createSlackApp, SLACK_EVENTS_PATH } from './ingress/slack/create-app.js';
import { createAlertControls } from './alerts/alert-controls.js';
import { alertJobId, createAlertQueue } from './alerts/alert-job.js';
import { AlertGroups } from './alerts/alert-groups.js';
import { startAlertWorker } from './alerts/alert-worker.js';
import { createLogFetcher } from './alerts/fetch-log.js';
import { createLogPreparer } from './ingress/webhooks/prepare-log.js';
import { createWebhookHandler, webhookRoute } from './ingress/webhooks/routes.js';
import { SlackPacer } from './slack/slack-pacer.js';
import { DeliveryHealth } from './slack/delivery-health.js';
import { createPacedSlackClient } from './slack/paced-client.js';
import { createHomePublisher } from './slack/publish-home.js';
import { mountOpsRoutes, type ReadinessCheck } from './ops/http.js';
import { createLogger, type Logger } from './ops/logger.js';
import { createMetrics } from './ops/metrics.js';
import { connectRedis, type ConnectionOptions, type RedisConnection } from './ops/redis.js';
import { isSupervisedWorker, serveParent, superviseWorkerChild, type WorkerChild } from './ops/worker-child.js';
import { createDiagnoseQueue, type DiagnoseQueue } from './queue/diagnose-queue.js';
import { startDiagnoseWorker } from './queue/diagnose-worker.js';
import type { Diagnosis } from './engine/diagnosis.js';
import { createWorkerProbes } from './probes/worker-probes.js';
import { inboxLength, pushAlertToInbox, pushHomeToInbox, pushToInbox, startInboxMover, type InboxMover } from './queue/inbox.js';
import { AnswerStore } from './slack/answer-store.js';
import { PostState } from './slack/post-state.js';
import { createFixQueue, FIX_JOB } from './fixes/fix-job.js';
import { createFixServices } from './fixes/fix-services.js';
import { startFixWorker } from './fixes/fix-worker.js';
import { planFixes } from './fixes/plan-fixes.js';
import { recheckAfterFix } from './fixes/recheck.js';
import { createSlackClient } from './slack/web-client.js';
import type { RegistrySummary } from './render/slack/messages.js';

/** One line on stderr (log collectors split on newlines), exit 2: the configuration cannot work. */
function fail(message: string): never {
  const line = message
    .split('\n')
    .map((part) => part.trim().replace(/^- /, ''))
    .filter(Boolean)
    .join('; ')
    .replace(/:;/g, ':');
  process.stderr.write(`registry-doctor: ${line}\n`);
  process.exit(2);
}

function redisClient(settings: Settings, logger: Logger, name: string, options: ConnectionOptions): RedisConnection {
  const client = connectRedis(settings.redis, { connectionName: `registry-doctor:${name}`, ...options });
  let lastLogged = 0;
  client.on('error', (error: Error) => {
    // ioredis reconnects by itself; log at most every 10 s per connection.
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      logger.warn({ connection: name, err: error }, 'redis connection error');
    }
  });
  return client;
}

/** How long the web role waits at start for the ack path's Redis connection before taking requests anyway. */
const QUEUE_READY_WAIT_MS = 5000;

/** True once `client` is ready, false if it is not within `ms`. */
function readyWithin(client: RedisConnection, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, ms);
    client.once('ready', onReady);
  });
}

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings(process.env, process.argv.slice(2));
  } catch (error) {
    if (error instanceof SettingsError) fail(error.message);
    throw error;
  }
  const logger = createLogger({ level: settings.logLevel, name: settings.role });

  let loaded: Awaited<ReturnType<typeof loadConfigFile>>;
  try {
    loaded = await loadConfigFile(settings.configPath, settings.configRequired);
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(`${error.message}\nFix the file (or point REGISTRY_DOCTOR_CONFIG at another one); registry-doctor.example.yml shows every key.`);
    }
    throw error;
  }
  const registries: RegistrySummary[] = loaded.config.registries.map((r) => ({ name: r.name, provider: r.provider, host: r.host }));
  logger.info(
    { config: loaded.source ?? null, registries: registries.length },
    loaded.source ? `configuration loaded from ${loaded.source}` : `no configuration file at ${settings.configPath}: no registries configured, diagnoses use logs alone`,
  );

  const metrics = createMetrics();
  const runsWeb = settings.role !== 'worker';
  // Role `all` runs the worker as a supervised child process, so diagnosis work never delays an ack.
  const runsWorker = settings.role === 'worker';
  const workerChild: WorkerChild | undefined = settings.role === 'all' ? superviseWorkerChild(logger) : undefined;

  // Producers fail fast when Redis is down (the ack says so); workers wait for it to come back.
  const health = redisClient(settings, logger, 'health', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Pipelined: each concurrent job makes a dozen small calls here, and calls made in one tick share one write.
  const stateRedis = redisClient(settings, logger, 'state', { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  // The ack path's connection: pipelined, no offline queue, and a command timeout well inside Slack's 3 s.
  const queueRedis = redisClient(settings, logger, 'queue', { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true, commandTimeout: 1500 });
  const state = new PostState(stateRedis, { prefix: settings.queuePrefix, recentLimit: settings.recentDiagnoses, claimMs: settings.worker.lockMs });
  const answers = new AnswerStore(stateRedis, { prefix: settings.queuePrefix });
  const queue: DiagnoseQueue = createDiagnoseQueue({
    connection: queueRedis,
    prefix: settings.queuePrefix,
    attempts: settings.worker.attempts,
    backoffMs: settings.worker.backoffMs,
  });
  queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
  // CI alerts: the webhook routes store them in the inbox on the fail-fast connection (503 when Redis is away);
  // the worker's mover adds them here.
  const alertQueue = createAlertQueue(queueRedis, settings.queuePrefix, settings.worker.attempts, settings.worker.backoffMs);
  alertQueue.on('error', (error) => logger.warn({ err: error }, 'alert queue error'));

  // Fix buttons: plans and the audit in Redis; the click is queued on the fail-fast connection.
  const fileRegistries = loaded.config.registries;
  const fixQueue = createFixQueue(queueRedis, settings.queuePrefix);
  fixQueue.on('error', (error) => logger.warn({ err: error }, 'fix queue error'));
  const fixServices = (slack: Parameters<typeof createFixServices>[0]['slack']) =>
    createFixServices({ redis: stateRedis, prefix: settings.queuePrefix, config: loaded.config.fixes, slack, logger: logger.child({ component: 'fixes' }), metrics });

  let worker: Worker | undefined;
  let alertWorker: Worker | undefined;
  let fixWorker: Worker | undefined;
  let mover: InboxMover | undefined;
  if (runsWorker) {
    mover = startInboxMover({
      blocking: redisClient(settings, logger, 'inbox', { maxRetriesPerRequest: null }),
      redis: stateRedis,
      queue,
      alerts: alertQueue,
      prefix: settings.queuePrefix,
      logger: logger.child({ component: 'inbox' }),
    });
    const workerRedis = redisClient(settings, logger, 'worker', { maxRetriesPerRequest: null });
    // Every post of every worker goes through one paced client (per-channel slots in Redis, Retry-After).
    const deliveryHealth = new DeliveryHealth(stateRedis, settings.queuePrefix);
    const slack = createPacedSlackClient(
      { token: settings.slack.botToken, apiUrl: settings.slack.apiUrl, timeoutMs: settings.slack.timeoutMs, retries: 0 },
      new SlackPacer(stateRedis, {
        prefix: settings.queuePrefix,
        channelIntervalMs: settings.slackChannelIntervalMs,
        methods: settings.slackUpdatesPerMinute > 0 ? { 'chat.update': { perWindow: settings.slackUpdatesPerMinute, windowMs: 60_000 } } : {},
      }),
      logger,
      metrics,
      (code, method) => void deliveryHealth.record(code, method).catch((error: unknown) => logger.warn({ err: error }, 'could not record a Slack delivery problem')),
    );
    const fixes = fixServices(slack);
    // Probes need a configuration: without registries[] the bot reads logs alone, as it says at start.
    const probes = loaded.config.registries.length > 0 ? { probes: createWorkerProbes({ registries: loaded.config.registries, env: process.env }) } : {};
    const fixOffers = {
      plan: (diagnosis: Diagnosis) => planFixes(diagnosis, { registries: fileRegistries, env: process.env, plans: fixes.plans, dryRun: loaded.config.fixes.dryRun }),
      bind: (planIds: readonly string[], channel: string, messageTs: string) => fixes.plans.bind(planIds, channel, messageTs),
    };
    worker = startDiagnoseWorker({
      connection: workerRedis,
      prefix: settings.queuePrefix,
      concurrency: settings.worker.concurrency,
      lockMs: settings.worker.lockMs,
      slack,
      state,
      answers,
      deliveryHealth,
      logger: logger.child({ component: 'worker' }),
      metrics,
      publishHome: createHomePublisher({ slack, state, answers, registries, logger: logger.child({ component: 'home' }), metrics }),
      registries: fileRegistries,
      ...probes,
      fixes: fixOffers,
    });
    fixWorker = startFixWorker({
      connection: redisClient(settings, logger, 'fix-worker', { maxRetriesPerRequest: null }),
      prefix: settings.queuePrefix,
      concurrency: settings.worker.concurrency,
      slack,
      ...fixes,
      registries: fileRegistries,
      env: process.env,
      recheck: (plan) => recheckAfterFix(plan, { registries: fileRegistries, env: process.env }),
      logger: logger.child({ component: 'fix-worker' }),
      metrics,
    });
    alertWorker = startAlertWorker({
      connection: redisClient(settings, logger, 'alert-worker', { maxRetriesPerRequest: null }),
      prefix: settings.queuePrefix,
      concurrency: settings.worker.concurrency,
      lockMs: settings.worker.lockMs,
      slack,
      state,
      groups: new AlertGroups(stateRedis, settings.queuePrefix, settings.alerts.windowMs),
      answers,
      queue: alertQueue,
      routing: {
        routes: loaded.config.routing,
        registries: loaded.config.registries,
        allowChannelOverride: loaded.config.alerts.allowChannelOverride,
        defaultChannel: settings.alerts.channel,
      },
      fetchLog: createLogFetcher({ github: { token: settings.alerts.github.token, apiUrl: settings.alerts.github.apiUrl }, gitlab: { token: settings.alerts.gitlab.token, url: settings.alerts.gitlab.url } }),
      maxLogChars: settings.alerts.maxLogChars,
      updateEveryMs: settings.alerts.updateEveryMs,
      replyEveryMs: settings.alerts.replyEveryMs,
      logger: logger.child({ component: 'alerts' }),
      metrics,
      registries: fileRegistries,
      ...probes,
      fixes: fixOffers,
    });
  }

  const readiness: ReadinessCheck[] = [
    { name: 'redis', check: async () => (await health.ping()) === 'PONG' },
    // The connection commands and webhooks are queued on: a request before it is up is refused.
    { name: 'queue_connection', check: async () => (await queueRedis.ping()) === 'PONG' },
    { name: 'config', check: async () => true },
  ];
  if (runsWeb && settings.slack.appToken) readiness.push({ name: 'slack_socket', check: async () => slackConnected });
  if (worker && alertWorker) {
    const [w, a] = [worker, alertWorker];
    readiness.push({ name: 'worker', check: async () => w.isRunning() && a.isRunning() });
  }
  if (workerChild) readiness.push({ name: 'worker', check: async () => workerChild.alive() });
  const expressApp = mountOpsRoutes({
    metrics,
    ...(workerChild ? { metricsText: () => workerChild.metricsText(metrics.registry) } : {}),
    logger,
    readiness,
    queueCounts: async () => ({
      ...(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')),
      inbox: await inboxLength(stateRedis, settings.queuePrefix),
    }),
    ...(runsWeb ? { queues: [queue, alertQueue] } : {}),
    ...(settings.admin ? { admin: settings.admin } : {}),
  });
  if (!settings.admin && runsWeb) logger.info('the /admin/queues dashboard is off (set ADMIN_USER and ADMIN_PASSWORD to enable it)');

  let server: Server | undefined;
  let slackConnected = true;
  let stopSlack: (() => Promise<unknown>) | undefined;
  if (runsWeb) {
    const logPreparer = createLogPreparer(settings.alerts.maxLogChars);
    const webhooks = createWebhookHandler({
      store: (data, dedupKey) => pushAlertToInbox(queueRedis, settings.queuePrefix, data, alertJobId(dedupKey)),
      ciSecret: settings.alerts.ciSecret,
      githubSecret: settings.alerts.github.secret,
      gitlabToken: settings.alerts.gitlab.secret,
      maxBodyBytes: settings.alerts.maxBodyBytes,
      prepareLog: (log) => logPreparer.prepare(log),
      logger: logger.child({ component: 'webhooks' }),
    });
    // The webhook routes share the one server; everything else falls through to the ops routes.
    const withWebhooks = (req: IncomingMessage, res: ServerResponse) => (webhookRoute(req.url) ? webhooks(req, res) : expressApp(req, res));
    const fixes = fixServices(createSlackClient({ ...settings.slack, token: settings.slack.botToken }, logger, metrics));
    const slackApp = createSlackApp({
      slack: { ...settings.slack, token: settings.slack.botToken },
      enqueue: (data, key) => pushToInbox(queueRedis, settings.queuePrefix, data, key),
      requestHome: (user) => pushHomeToInbox(queueRedis, settings.queuePrefix, user),
      answers,
      registries,
      logger,
      metrics,
      fixes: {
        ...fixes,
        registries: fileRegistries,
        enqueueFix: async (data) => {
          await fixQueue.add(FIX_JOB, data);
        },
      },
      audit: { mayRead: (user) => fixes.fixers.anyOf(user, fileRegistries), last: (count) => fixes.audit.last(count) },
      alerts: createAlertControls(new AlertGroups(queueRedis, settings.queuePrefix, settings.alerts.windowMs), alertQueue),
    });
    // A command taken before the queue connection is up is refused ('queue unavailable') although Redis is
    // fine, so requests (and Slack's socket) wait for it; with Redis away the app starts anyway and says so.
    if (!(await readyWithin(queueRedis, QUEUE_READY_WAIT_MS))) {
      logger.warn(`the queue connection to Redis is not up after ${QUEUE_READY_WAIT_MS / 1000} s: starting anyway; commands and webhooks are refused until it is`);
    }
    if (slackApp.mode === 'http') {
      // One server: Slack's endpoint goes straight to Bolt's receiver, everything else to the ops routes.
      const handle = slackApp.handle;
      server = await listen(
        createServer((req, res) => {
          if (req.method === 'POST' && (req.url === SLACK_EVENTS_PATH || req.url?.startsWith(`${SLACK_EVENTS_PATH}?`))) handle(req, res);
          else withWebhooks(req, res);
        }),
        settings.port,
      );
    } else {
      // Health and metrics first: the socket may take a while to connect (and retries on its own).
      server = await listen(createServer(withWebhooks), settings.port);
      stopSlack = () => slackApp.app.stop();
      slackConnected = false;
      void slackApp.app
        .start()
        .then(() => {
          slackConnected = true;
          logger.info('Socket Mode connected');
        })
        .catch((error: unknown) => logger.error({ err: error }, 'Socket Mode failed to start'));
    }
    const port = boundPort(server);
    logger.info({ port, mode: slackApp.mode }, `web listening on :${port} (${slackApp.mode === 'http' ? `HTTP mode: POST ${SLACK_EVENTS_PATH}` : 'Socket Mode'})`);
  } else if (!isSupervisedWorker()) {
    server = await listen(createServer(expressApp), settings.port);
    const port = boundPort(server);
    logger.info({ port }, `worker health and metrics on :${port}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    // With Redis up, let active jobs finish (bounded); with Redis down there is nothing to wait for.
    const redisUp = health.status === 'ready';
    const bounded = (p: Promise<unknown>, ms: number) => Promise.race([p, new Promise((r) => setTimeout(r, ms).unref())]);
    await bounded(Promise.allSettled([stopSlack?.(), mover?.stop(), worker?.close(!redisUp), alertWorker?.close(!redisUp), fixWorker?.close(!redisUp), workerChild?.stop()]), redisUp ? 12_000 : 2000);
    if (server?.listening) {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      await bounded(closed, 2000);
    }
    await bounded(Promise.allSettled([queue.close(), alertQueue.close(), fixQueue.close()]), redisUp ? 2000 : 200);
    for (const c of [health, stateRedis, queueRedis]) c.disconnect();
    process.exit(0);
  };
  process.on('unhandledRejection', (reason) => {
    // A bug, not an expected failure: log it as JSON and let the supervisor restart the process.
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // A worker forked by `npm start` stops with its parent, even one killed without a chance to say so.
  if (isSupervisedWorker()) serveParent(metrics.registry, () => void shutdown('parent gone'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The port the server has (PORT=0 lets the system choose one). */
function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

main().catch((error: unknown) => {
  process.stderr.write(`registry-doctor: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
