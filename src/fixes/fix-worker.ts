// The fix worker: applies one claimed plan. It checks again that the clicker may fix the registry, applies
// the plan once (apply-fix.ts), tells the thread how it went, replaces the plan's buttons with the outcome,
// audits, and then probes again to say whether the push would now get through.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RegistryConfig } from '../config/schema.js';
import { redact } from '../engine/redact.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { fixOutcomeText, replaceFixButtons, type FixOutcomeLine } from '../render/slack/fix-messages.js';
import { callSlack, type WebClient } from '../slack/web-client.js';
import { applyFix, type ApplyFixDeps, type FixOutcome } from './apply-fix.js';
import type { AuditLog } from './audit-log.js';
import { FIX_QUEUE, fixJobSchema, type FixJobData, type FixJobResult } from './fix-job.js';
import type { Fixers } from './fixers.js';
import type { FixPlan, PlanStore } from './plan-store.js';

export interface FixWorkerDeps extends ApplyFixDeps {
  slack: WebClient;
  plans: PlanStore;
  audit: AuditLog;
  fixers: Fixers;
  registries: readonly RegistryConfig[];
  /** Probes the plan's image again after a fix; answers one sentence for the thread. */
  recheck: (plan: FixPlan) => Promise<string>;
  logger: Logger;
  metrics: Metrics;
}

export function createFixProcessor(deps: FixWorkerDeps) {
  const { slack, plans, audit, fixers, logger, metrics } = deps;

  return async function processFixJob(job: Job<FixJobData, FixJobResult>): Promise<FixJobResult> {
    const parsed = fixJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid fix job: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const data = parsed.data;
    const log = logger.child({ fixJob: job.id, user: data.user, channel: data.channel });
    const say = (text: string) =>
      callSlack(metrics, 'chat.postMessage', () => slack.chat.postMessage({ channel: data.channel, thread_ts: data.threadTs, text, unfurl_links: false, unfurl_media: false }));

    const plan = await plans.get(data.planId);
    if (!plan) {
      await audit.append({ at: Date.now(), user: data.user, result: 'refused', reason: 'the plan expired before the worker ran it', planId: data.planId });
      await say(`:hourglass: <@${data.user}>: this fix expired before it could run. Nothing was changed; run the diagnosis again for a new plan.`);
      await plans.finish(data.planId, 'expired before it ran; nothing was changed');
      return { result: 'refused' };
    }
    const entry = { planId: plan.id, kind: plan.kind, registry: plan.registry, target: plan.target, change: plan.change };
    const line: Omit<FixOutcomeLine, 'result'> = { user: data.user, target: plan.target, change: plan.change, done: plan.done };

    const registry = deps.registries.find((r) => r.name === plan.registry);
    const authorization = await fixers.authorize(data.user, registry);
    if (!authorization.allowed) {
      const reason = 'no longer among the fixers of this registry';
      await audit.append({ at: Date.now(), user: data.user, result: 'refused', reason, ...entry });
      const text = fixOutcomeText({ ...line, result: 'refused', detail: `${reason}.` });
      await say(text);
      await plans.finish(plan.id, 'refused: the clicker was not allowed; nothing was changed');
      return { result: 'refused' };
    }

    const started = performance.now();
    let outcome: FixOutcome;
    try {
      outcome = await applyFix(plan, deps);
    } catch (error) {
      outcome = { result: 'failed', reason: redact(error instanceof Error ? error.message.split('\n')[0]! : String(error)) };
    }
    const seconds = (performance.now() - started) / 1000;
    const text = fixOutcomeText({
      ...line,
      result: outcome.result,
      seconds,
      ...(outcome.result === 'failed' ? { detail: outcome.reason } : outcome.result === 'changed' ? { detail: outcome.detail } : {}),
    });
    await audit.append({
      at: Date.now(),
      user: data.user,
      result: outcome.result,
      ...entry,
      durationMs: Math.round(seconds * 1000),
      ...(outcome.result === 'failed' ? { reason: outcome.reason, ...(outcome.before ? { before: outcome.before } : {}) } : {}),
      ...(outcome.result === 'changed' ? { reason: outcome.detail, before: outcome.state } : {}),
      ...(outcome.result === 'applied' ? { before: outcome.before, after: outcome.after } : {}),
      ...(outcome.result === 'already' ? { before: outcome.state, after: outcome.state } : {}),
      ...(outcome.result === 'dry_run' ? { before: outcome.before } : {}),
    });
    await plans.finish(plan.id, summary(outcome, plan));
    log.info({ kind: plan.kind, registry: plan.registry, result: outcome.result }, 'fix attempt finished');

    await say(text);
    if (data.blocks) {
      await callSlack(metrics, 'chat.update', () =>
        slack.chat.update({ channel: data.channel, ts: data.messageTs, text, blocks: replaceFixButtons(data.blocks!, text) }),
      ).catch((error: unknown) => log.warn({ err: error }, 'could not replace the fix buttons'));
    }
    if (outcome.result === 'applied' || outcome.result === 'already') {
      const verdict = await deps.recheck(plan).catch((error: unknown) => `could not check again (${redact(error instanceof Error ? error.message : String(error)).slice(0, 200)})`);
      await say(`:mag: Checked again: ${verdict}`);
    }
    return { result: outcome.result };
  };
}

/** What a later click is told about how this plan ended. */
function summary(outcome: FixOutcome, plan: FixPlan): string {
  switch (outcome.result) {
    case 'applied':
      return plan.done;
    case 'already':
      return `${plan.target} was already fixed; nothing was changed`;
    case 'dry_run':
      return 'dry run; nothing was changed';
    case 'changed':
      return `${plan.target} had changed since the plan; nothing was changed`;
    case 'failed':
      return `it failed: ${outcome.reason}`;
  }
}

export interface StartFixWorkerOptions extends FixWorkerDeps {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
}

export function startFixWorker(options: StartFixWorkerOptions): Worker<FixJobData, FixJobResult> {
  const worker = new Worker<FixJobData, FixJobResult>(FIX_QUEUE, createFixProcessor(options), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
  });
  worker.on('error', (error) => options.logger.error({ err: error }, 'fix worker error'));
  return worker;
}
