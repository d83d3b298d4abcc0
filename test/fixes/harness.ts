// The fixes end to end in one process: the real Bolt HTTP receiver (signed requests), the fix worker on a
// BullMQ queue in real Redis (a prefix of its own), the fake Slack Web API, and whatever fake cloud a test
// starts. Cloud fakes are served over self-signed https in-process, so the app runs in this process too.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { RegistryConfig } from '../../src/config/schema.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { AuditLog, type AuditEntry } from '../../src/fixes/audit-log.js';
import { createFixQueue, FIX_JOB, type FixQueue } from '../../src/fixes/fix-job.js';
import { startFixWorker } from '../../src/fixes/fix-worker.js';
import { Fixers, slackUsergroups } from '../../src/fixes/fixers.js';
import { planFixes } from '../../src/fixes/plan-fixes.js';
import { PlanStore } from '../../src/fixes/plan-store.js';
import { recheckAfterFix } from '../../src/fixes/recheck.js';
import { createSlackApp } from '../../src/ingress/slack/create-app.js';
import { createLogger } from '../../src/ops/logger.js';
import { createMetrics } from '../../src/ops/metrics.js';
import type { ProbeDefinition } from '../../src/probes/types.js';
import { renderDiagnosisBlocks } from '../../src/render/slack/blocks.js';
import { createSlackClient } from '../../src/slack/web-client.js';
import { AnswerStore } from '../../src/slack/answer-store.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../fakes/redis.js';

export const SIGNING_SECRET = 'fix-tests-signing-secret';
export const CHANNEL = 'C0BUILDS';
export const PARENT_TS = '1700000000.000001';
/** What the README says the fix credentials need on Artifact Registry, and no more. */
export const GAR_FIX_PERMISSIONS = ['artifactregistry.repositories.get', 'artifactregistry.repositories.create', 'artifactregistry.repositories.getIamPolicy', 'artifactregistry.repositories.setIamPolicy'];

export interface HarnessOptions {
  registries: readonly RegistryConfig[];
  /** Environment holding the fix (and probe) credentials. */
  env: Record<string, string>;
  /** The probes run after a fix (default: none, so the recheck says so). */
  recheckProbes?: readonly ProbeDefinition[];
  dryRun?: boolean;
}

export interface PostedPlans {
  ts: string;
  blocks: Record<string, unknown>[];
  planIds: string[];
  diagnosis: Diagnosis;
}

export class FixHarness {
  readonly slack = new FakeSlack();
  readonly redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  readonly prefix = uniquePrefix('fix');
  readonly logger = createLogger({ level: 'silent' });
  readonly metrics = createMetrics();
  readonly plans = new PlanStore(this.redis, this.prefix, 3600);
  readonly audit = new AuditLog(this.redis, this.prefix);
  private readonly bullRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  private queue!: FixQueue;
  private worker!: Worker;
  private server!: Server;

  constructor(readonly options: HarnessOptions) {}

  async start(): Promise<this> {
    await this.slack.start();
    const client = createSlackClient({ token: 'xoxb-fix-tests', apiUrl: this.slack.apiUrl, timeoutMs: 5000 }, this.logger, this.metrics);
    this.queue = createFixQueue(this.bullRedis, this.prefix);
    const { registries, env } = this.options;
    const fixers = new Fixers(slackUsergroups(client));
    const app = createSlackApp({
      slack: { token: 'xoxb-fix-tests', apiUrl: this.slack.apiUrl, timeoutMs: 5000, signingSecret: SIGNING_SECRET, appToken: undefined },
      logger: this.logger,
      metrics: this.metrics,
      enqueue: async () => 'unused',
      requestHome: async () => 'unused',
      answers: new AnswerStore(this.redis, { prefix: this.prefix }),
      registries: [],
      audit: { mayRead: (user) => fixers.anyOf(user, registries), last: (count) => this.audit.last(count) },
      fixes: {
        plans: this.plans,
        fixers,
        audit: this.audit,
        registries,
        enqueueFix: async (data) => {
          await this.queue.add(FIX_JOB, data);
        },
      },
    });
    if (app.mode !== 'http') throw new Error('expected HTTP mode');
    this.server = createServer(app.handle);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.worker = startFixWorker({
      connection: this.bullRedis,
      prefix: this.prefix,
      concurrency: 4,
      slack: client,
      plans: this.plans,
      audit: this.audit,
      fixers: new Fixers(slackUsergroups(client)),
      registries,
      env,
      recheck: (plan) => recheckAfterFix(plan, { registries, env, probes: this.options.recheckProbes ?? [] }),
      logger: this.logger,
      metrics: this.metrics,
    });
    return this;
  }

  /** What the diagnose worker does with a probed diagnosis: plan, post the reply, bind the plans to it. */
  async post(diagnosis: Diagnosis): Promise<PostedPlans> {
    const planned = await planFixes(diagnosis, { registries: this.options.registries, env: this.options.env, plans: this.plans, dryRun: this.options.dryRun ?? false });
    const message = renderDiagnosisBlocks(planned);
    const client = createSlackClient({ token: 'xoxb-fix-tests', apiUrl: this.slack.apiUrl, timeoutMs: 5000 }, this.logger, this.metrics);
    const posted = await client.chat.postMessage({ channel: CHANNEL, thread_ts: PARENT_TS, ...message });
    const planIds = planned.findings.flatMap((finding) => finding.fixes.map((fix) => fix.id));
    await this.plans.bind(planIds, CHANNEL, posted.ts!);
    return { ts: posted.ts!, blocks: message.blocks as unknown as Record<string, unknown>[], planIds, diagnosis: planned };
  }

  /** A click on a fix button, as Slack POSTs it (signed unless told otherwise). */
  async click(planId: string, on: PostedPlans, options: { user?: string; signed?: boolean; messageTs?: string } = {}): Promise<Response> {
    const ts = options.messageTs ?? on.ts;
    const payload = {
      type: 'block_actions',
      team: { id: 'T0FAKE', domain: 'fake' },
      user: { id: options.user ?? 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0FAKE' },
      api_app_id: 'A0APP',
      token: 'deprecated-verification-token',
      container: { type: 'message', message_ts: ts, channel_id: CHANNEL, is_ephemeral: false, thread_ts: PARENT_TS },
      trigger_id: '1.2.trigger',
      channel: { id: CHANNEL, name: 'builds' },
      message: { type: 'message', text: 'diagnosis', ts, thread_ts: PARENT_TS, bot_id: 'B0BOT', user: 'U0BOT', blocks: on.blocks },
      response_url: this.slack.responseUrl(),
      actions: [{ type: 'button', action_id: 'rd.fix.0', block_id: 'rd.fixes', value: planId, text: { type: 'plain_text', text: 'Fix' }, action_ts: `${Date.now() / 1000}` }],
      state: { values: {} },
      is_enterprise_install: false,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const headers = options.signed === false ? { 'content-type': 'application/x-www-form-urlencoded' } : signedHeaders(SIGNING_SECRET, body);
    return fetch(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`, { method: 'POST', headers, body });
  }

  /** A signed slash command, as Slack POSTs it. */
  async command(text: string, user: string, responseUrl: string): Promise<Response> {
    const body = slashCommandBody({ text, user_id: user, channel_id: CHANNEL, response_url: responseUrl });
    return fetch(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  }

  /** Thread replies (not ephemeral) whose text matches. */
  threadReplies(pattern: RegExp): RecordedCall[] {
    return this.slack.ok('chat.postMessage', (call) => call.params.thread_ts === PARENT_TS && pattern.test(String(call.params.text)));
  }

  ephemerals(pattern: RegExp, user?: string): RecordedCall[] {
    return this.slack.ok('chat.postEphemeral', (call) => pattern.test(String(call.params.text)) && (!user || call.params.user === user));
  }

  async waitForReply(pattern: RegExp): Promise<RecordedCall> {
    return this.slack.waitFor(() => this.threadReplies(pattern)[0], 15_000, `a thread reply matching ${pattern}`);
  }

  async waitForEphemeral(pattern: RegExp, count = 1): Promise<RecordedCall[]> {
    return this.slack.waitFor(() => (this.ephemerals(pattern).length >= count ? this.ephemerals(pattern) : undefined), 15_000, `${count} ephemeral(s) matching ${pattern}`);
  }

  async auditEntries(): Promise<AuditEntry[]> {
    return this.audit.last(100);
  }

  /** Wait until the audit stream holds `count` entries. */
  async waitForAudit(count: number): Promise<AuditEntry[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const entries = await this.auditEntries();
      if (entries.length >= count) return entries;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} audit entries; have ${JSON.stringify(entries)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Wait until the fix queue has nothing waiting or running. */
  async idle(): Promise<void> {
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.obliterate({ force: true }).catch(() => {});
    await this.queue.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await deleteKeys(this.redis, this.prefix);
    this.redis.disconnect();
    this.bullRedis.disconnect();
    await this.slack.stop();
  }
}
