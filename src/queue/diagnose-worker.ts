// The diagnose worker: parent message (queued → diagnosing → done), the engine, the thread reply.
// Each Slack post is made at most once per job id (PostState); failures are retried by BullMQ with backoff,
// and the last failed attempt says so in the thread, or through response_url when nothing could be posted.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { diagnose } from '../engine/diagnose.js';
import { redact } from '../engine/redact.js';
import { pushVerdict } from '../probes/probe-diagnosis.js';
import { finishedSummary, progressSummary, type WorkerProbes } from '../probes/worker-probes.js';
import { renderDiagnosisBlocks } from '../render/slack/blocks.js';
import { renderPreflightBlocks } from '../render/slack/preflight.js';
import {
  renderEphemeralFailure,
  renderFailureNote,
  renderInviteHint,
  renderParentMessage,
  renderStatus,
  type ParentMessageInput,
  type ParentStatus,
} from '../render/slack/messages.js';
import { callSlack, classifySlackError, type WebClient } from '../slack/web-client.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { DIAGNOSE_QUEUE, diagnoseJobSchema, type DiagnoseJobData, type DiagnoseJobResult } from './jobs.js';
import type { PostState } from '../slack/post-state.js';
import { postToResponseUrl } from '../slack/response-url.js';

export interface DiagnoseWorkerDeps {
  slack: WebClient;
  state: PostState;
  logger: Logger;
  metrics: Metrics;
  /** The slash command's name, for the invite hint. */
  command?: string;
  /** Probes after classification, preflight checks and `/registry status` (absent: the log alone). */
  probes?: WorkerProbes;
}

const errorText = (error: unknown): string => {
  const info = classifySlackError(error);
  const message = error instanceof Error ? error.message : String(error);
  return redact(info.code !== 'unknown' ? `Slack API error ${info.code}` : message).slice(0, 300);
};

/** The job processor, separate from the Worker so tests can drive it directly. */
export function createDiagnoseProcessor(deps: DiagnoseWorkerDeps) {
  const { slack, state, logger, metrics } = deps;
  const command = deps.command ?? '/registry';

  return async function processDiagnoseJob(job: Job<DiagnoseJobData, DiagnoseJobResult>): Promise<DiagnoseJobResult> {
    const jobId = String(job.id);
    const parsed = diagnoseJobSchema.safeParse(job.data);
    if (!parsed.success) {
      metrics.jobs.inc({ outcome: 'invalid' });
      throw new UnrecoverableError(`invalid job data: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    }
    const data = parsed.data;
    if (data.purpose === 'status') return answerStatus(data);
    const attempts = job.opts.attempts ?? 1;
    const attempt = job.attemptsMade + 1;
    const log = logger.child({ jobId, attempt, channel: data.channel });
    const base: Omit<ParentMessageInput, 'status'> = {
      user: data.user,
      jobId,
      image: data.image,
      registry: data.registry,
      source: data.source,
      attempt,
      attempts,
      ...(data.purpose === 'preflight' ? { purpose: 'preflight' as const } : {}),
    };
    let parentTs: string | undefined;
    const updateParent = async (status: ParentStatus, extra: Partial<ParentMessageInput> = {}) => {
      if (!parentTs) return;
      const ts = parentTs;
      await callSlack(metrics, 'chat.update', () => slack.chat.update({ channel: data.channel, ts, ...renderParentMessage({ ...base, ...extra, status }) }));
    };

    try {
      parentTs = (
        await state.once(jobId, 'parent', async () => {
          const res = await callSlack(metrics, 'chat.postMessage', () =>
            slack.chat.postMessage({ channel: data.channel, ...renderParentMessage({ ...base, status: 'queued' }), unfurl_links: false, unfurl_media: false }),
          );
          if (!res.ts) throw new Error('chat.postMessage returned no ts');
          return res.ts;
        })
      ).ts;

      const done = (await state.get(jobId)).reply !== undefined;
      if (!done) await updateParent('diagnosing');

      const started = performance.now();
      const fromLog = diagnose({ log: data.log, ...(data.image ? { image: data.image } : {}) });
      metrics.engineSeconds.observe((performance.now() - started) / 1000);
      const purpose = data.purpose === 'preflight' ? 'preflight' : 'diagnose';
      const diagnosis =
        deps.probes && !done
          ? await deps.probes.step(fromLog, { purpose, onProgress: (progress) => updateParent('probing', { probes: progressSummary(progress) }) })
          : fromLog;
      const verdict = purpose === 'preflight' ? pushVerdict(diagnosis) : undefined;
      const top = diagnosis.findings[0];

      const reply = await state.once(jobId, 'reply', async () => {
        const message = verdict ? renderPreflightBlocks(diagnosis, verdict) : renderDiagnosisBlocks(diagnosis);
        const res = await callSlack(metrics, 'chat.postMessage', () =>
          slack.chat.postMessage({ channel: data.channel, thread_ts: parentTs, ...message, unfurl_links: false, unfurl_media: false }),
        );
        if (!res.ts) throw new Error('chat.postMessage returned no ts');
        return res.ts;
      });
      if (reply.posted) {
        metrics.diagnosisSeconds.observe({ source: data.source }, (Date.now() - data.requestedAt) / 1000);
        if (top) metrics.findings.inc({ category: top.category, provider: diagnosis.provider });
      }

      await updateParent('done', {
        top: top ? { category: top.category, title: redact(top.title), confidence: top.confidence } : undefined,
        findingCount: diagnosis.findings.length,
        probes: finishedSummary(diagnosis.probes),
        verdict,
      });
      await state.addRecent({
        jobId,
        at: Date.now(),
        user: data.user,
        channel: data.channel,
        parentTs,
        image: data.image,
        registry: data.registry,
        provider: diagnosis.provider,
        category: top?.category,
        title: top ? redact(top.title).slice(0, 200) : undefined,
      });
      metrics.jobs.inc({ outcome: 'done' });
      log.info({ category: top?.category ?? null, replyPosted: reply.posted }, 'diagnosis posted');
      return { outcome: 'done', parentTs, replyTs: reply.ts, category: top?.category };
    } catch (error) {
      const info = classifySlackError(error);
      if (info.cannotPost) {
        metrics.jobs.inc({ outcome: 'not_in_channel' });
        const sent = data.responseUrl ? await postToResponseUrl(data.responseUrl, renderInviteHint(command)) : { ok: false as const, reason: 'no response_url' };
        log.warn({ code: info.code, hintSent: sent.ok, hintError: sent.ok ? undefined : sent.reason }, 'bot cannot post in the channel');
        return { outcome: 'not_in_channel' };
      }
      const reason = errorText(error);
      const final = attempt >= attempts || !info.retryable || error instanceof UnrecoverableError;
      if (!final) {
        metrics.jobs.inc({ outcome: 'retrying' });
        log.warn({ err: error, code: info.code }, 'diagnosis attempt failed; will retry');
        await updateParent('retrying', { error: reason }).catch(() => {});
        throw error;
      }
      metrics.jobs.inc({ outcome: 'failed' });
      log.error({ err: error, code: info.code }, `diagnosis failed after ${attempt} attempts`);
      await reportFailure(jobId, data, parentTs, attempt, reason).catch((e: unknown) => log.error({ err: e }, 'could not report the failure'));
      throw error instanceof UnrecoverableError ? error : new UnrecoverableError(`diagnosis failed after ${attempt} attempts: ${reason}`);
    }
  };

  /** `/registry status`: check each registry's credentials and answer the asker through response_url. */
  async function answerStatus(data: DiagnoseJobData): Promise<DiagnoseJobResult> {
    const health = deps.probes ? await deps.probes.status() : [];
    if (data.responseUrl) await postToResponseUrl(data.responseUrl, renderStatus(health.map((h) => h.registry), health));
    metrics.jobs.inc({ outcome: 'done' });
    return { outcome: 'done' };
  }

  async function reportFailure(jobId: string, data: DiagnoseJobData, parentTs: string | undefined, attempts: number, reason: string) {
    if (parentTs) {
      await callSlack(metrics, 'chat.update', () =>
        slack.chat.update({ channel: data.channel, ts: parentTs, ...renderParentMessage({ user: data.user, jobId, image: data.image, registry: data.registry, source: data.source, status: 'failed', attempts, error: reason }) }),
      ).catch(() => {});
      await state.once(jobId, 'failure', async () => {
        const res = await callSlack(metrics, 'chat.postMessage', () => slack.chat.postMessage({ channel: data.channel, thread_ts: parentTs, ...renderFailureNote(attempts, reason) }));
        return res.ts ?? 'posted';
      });
      return;
    }
    if (data.responseUrl) await postToResponseUrl(data.responseUrl, renderEphemeralFailure(attempts, reason));
  }
}

export interface StartWorkerOptions extends DiagnoseWorkerDeps {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** BullMQ lockDuration (and stalled-job check interval): a dead worker's job is picked up again after it. */
  lockMs?: number;
}

export function startDiagnoseWorker(options: StartWorkerOptions): Worker<DiagnoseJobData, DiagnoseJobResult> {
  const worker = new Worker<DiagnoseJobData, DiagnoseJobResult>(DIAGNOSE_QUEUE, createDiagnoseProcessor(options), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    ...(options.lockMs ? { lockDuration: options.lockMs, stalledInterval: options.lockMs } : {}),
  });
  worker.on('error', (error) => options.logger.error({ err: error }, 'worker error'));
  return worker;
}
