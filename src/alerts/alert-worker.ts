// The alert worker. An `alert` job: fetch the log when the webhook did not carry it, diagnose, drop what is no
// push failure, route, count in its group (Lua, atomic), and schedule a refresh. A `refresh` job does all the
// posting of a group, one refresh at a time: the parent (once), the diagnosis in its thread (once), the exact
// counter (coalesced: at most one update per group per interval), and at most one "new pipelines" reply per
// reply interval. Posting goes through the paced client (per-channel slots, Retry-After). With probes, the job
// that opens a group probes its image (the webhook's runner IP as the client IP) and plans fixes before the
// thread is posted; repeats of the fingerprint are counted, not probed again.
import { randomBytes } from 'node:crypto';
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { diagnose } from '../engine/diagnose.js';
import type { KnownRegistry } from '../engine/known-registry.js';
import type { Diagnosis } from '../engine/diagnosis.js';
import { redact } from '../engine/redact.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { renderDiagnosisBlocks, type SlackMessage } from '../render/slack/blocks.js';
import type { WorkerProbes } from '../probes/worker-probes.js';
import type { DiagnoseWorkerDeps } from '../queue/diagnose-worker.js';
import { MAX_JOB_LOG_CHARS } from '../queue/jobs.js';
import type { AnswerStore } from '../slack/answer-store.js';
import { callSlack, type WebClient } from '../slack/web-client.js';
import type { PostState } from '../slack/post-state.js';
import { postFinder, postMetadata } from '../slack/posted-message.js';
import { alertAnswerRecord } from './alert-answer.js';
import { ALERT_QUEUE, REFRESH_JOB, alertJobSchema, refreshJobSchema, type AlertJobData, type AlertQueue, type RefreshJobData } from './alert-job.js';
import type { AlertGroups, PipelineRef } from './alert-groups.js';
import { cutLog, redactAndCut } from '../engine/cut-log.js';
import { LogUnavailableError, type FetchJobLog } from './fetch-log.js';
import { alertFingerprint } from './fingerprint.js';
import { counterLine, renderAlertParent, renderPipelinesReply } from './render-alert.js';
import { routeAlert, type RoutingTable } from './routing.js';

export interface AlertWorkerDeps {
  slack: WebClient;
  state: PostState;
  groups: AlertGroups;
  /** The records behind the diagnosis' buttons. */
  answers: AnswerStore;
  queue: AlertQueue;
  routing: RoutingTable;
  fetchLog: FetchJobLog;
  maxLogChars: number;
  /** At most one parent update per group per this interval (the counter is exact after each). */
  updateEveryMs: number;
  /** At most one "new pipelines" thread reply per group per this interval. */
  replyEveryMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Probes for the failure that opens a group (absent: the log alone). */
  probes?: WorkerProbes;
  /** The configured registries[]: a host's entry names its provider and identifiers (absent: hosts speak for themselves). */
  registries?: readonly KnownRegistry[];
  /** Fix plans where a probe confirmed the cause, bound to the thread reply that offers them. */
  fixes?: DiagnoseWorkerDeps['fixes'];
}

export interface AlertJobResult {
  outcome: 'opened' | 'counted' | 'not_a_push_failure' | 'no_channel' | 'log_unavailable' | 'refreshed' | 'muted' | 'gone';
  group?: string;
}

const postKey = (gid: string) => `alert-${gid}`;

/** A "new pipelines" reply being posted: its post step and the pipelines it lists. */
interface Listing {
  step: `list-${string}`;
  pipelines: PipelineRef[];
}

export function createAlertProcessor(deps: AlertWorkerDeps) {
  const { slack, state, groups, answers, queue, logger, metrics } = deps;

  async function scheduleRefresh(gid: string, atMs: number): Promise<void> {
    // Refresh `b` runs after bucket `b` ends, so it reads every failure counted in it (Redis' clock).
    const bucket = Math.floor(atMs / deps.updateEveryMs);
    const delay = Math.max(0, (bucket + 1) * deps.updateEveryMs - Date.now() + 50);
    await queue.add(REFRESH_JOB, { kind: 'alert-refresh', group: gid }, { jobId: `r${gid}b${bucket}`, delay });
  }

  async function processAlert(job: Job, data: AlertJobData): Promise<AlertJobResult> {
    let log = data.log;
    if (log === undefined) {
      try {
        log = redactAndCut(await deps.fetchLog(data.fetch!), deps.maxLogChars);
      } catch (error) {
        if (!(error instanceof LogUnavailableError)) throw error;
        logger.warn({ jobId: job.id, reason: error.message }, 'alert dropped: the job log is unavailable');
        return { outcome: 'log_unavailable' };
      }
    }
    const p = data.pipeline;
    const diagnosis = diagnose({
      log,
      ...(data.image ? { image: data.image } : {}),
      ...(data.runnerIp ? { runnerIp: data.runnerIp } : {}),
      ...(deps.registries ? { registries: deps.registries } : {}),
      pipeline: { ...(p.provider ? { provider: p.provider } : {}), ...(p.name ? { name: p.name } : {}), ...(p.url ? { url: p.url } : {}), ...(p.runId ? { runId: p.runId } : {}), ...(p.commit ? { commit: p.commit } : {}), ...(p.branch ? { branch: p.branch } : {}) },
    });
    const fingerprint = alertFingerprint(diagnosis);
    if (!fingerprint) return { outcome: 'not_a_push_failure' };
    const channel = routeAlert(deps.routing, { host: fingerprint.host, repository: fingerprint.repository, pipeline: p.name, requested: data.channel });
    if (!channel) {
      logger.warn({ jobId: job.id, host: fingerprint.host }, 'alert dropped: no route matches and ALERT_CHANNEL is not set');
      return { outcome: 'no_channel' };
    }
    const top = diagnosis.findings[0]!;
    const pipeline: PipelineRef | undefined = p.name || p.runId ? { name: p.name ?? p.provider ?? 'pipeline', ...(p.runId ? { runId: p.runId } : {}), ...(p.url ? { url: p.url } : {}) } : undefined;
    // The buttons' record id: kept by the group that this failure opens (a retried opener finds the first one's).
    const answerId = randomBytes(12).toString('base64url');
    // With probes, a new group's thread message is stored once its opener has probed ('' until then).
    const message = deps.probes ? '' : JSON.stringify(renderDiagnosisBlocks(diagnosis, { answerId }));
    // What Re-run and Wrong cause? read: bounded like a pasted log, cut around the failure.
    const storedLog = cutLog(log, MAX_JOB_LOG_CHARS);
    const { group, opened, at } = await groups.record(
      String(job.id),
      { fingerprint, channel, provider: diagnosis.provider, title: redact(top.title), ...(diagnosis.image ? { image: diagnosis.image.reference } : {}), answerId },
      pipeline,
      message,
      `g${randomBytes(8).toString('hex')}`,
      storedLog,
    );
    const opening = opened ? await groups.state(group) : undefined;
    const keptId = opening?.meta.answerId;
    let answered = diagnosis;
    if (opening && deps.probes && !opening.parentTs) {
      answered = await probeForThread(diagnosis, job);
      const plans = answered.findings.flatMap((finding) => finding.fixes.map((fix) => fix.id));
      await groups.setFields(group, { diagnosis: JSON.stringify(renderDiagnosisBlocks(answered, keptId ? { answerId: keptId } : {})), plans: JSON.stringify(plans) });
    }
    if (keptId) await answers.create(alertAnswerRecord({ id: keptId, jobId: String(job.id), channel, group, fingerprint: fingerprint.id, diagnosis: answered, log: storedLog }));
    if (opened) await queue.add(REFRESH_JOB, { kind: 'alert-refresh', group }, { jobId: `r${group}open` });
    else await scheduleRefresh(group, at);
    return { outcome: opened ? 'opened' : 'counted', group };
  }

  /** Probed (the runner IP stands in for a client IP the log lacks), with plans where a probe confirmed the cause. */
  async function probeForThread(diagnosis: Diagnosis, job: Job): Promise<Diagnosis> {
    let probed: Diagnosis;
    try {
      probed = await deps.probes!.step(diagnosis, { purpose: 'diagnose' });
    } catch (error) {
      // Probes never sink the alert: the thread says what the log shows.
      logger.warn({ jobId: job.id, err: error }, 'alert probes failed; posting the log diagnosis');
      return diagnosis;
    }
    if (!deps.fixes) return probed;
    return deps.fixes.plan(probed).catch((error: unknown) => {
      logger.warn({ jobId: job.id, err: error }, 'fix planning failed');
      return probed;
    });
  }

  async function refresh(gid: string): Promise<AlertJobResult> {
    return groups.withLock(gid, async () => {
      const group = await groups.state(gid);
      if (!group) return { outcome: 'gone' as const };
      const { channel } = group.meta;
      const mute = await groups.muted(group.meta.fingerprint.id);
      const shown = `${counterLine(group)}|${mute ? `${mute.by}:${mute.until ?? 'resolved'}` : ''}|${group.resolved ? 'resolved' : ''}`;
      let parentTs = group.parentTs;
      if (!parentTs) {
        // Muted before its first post: counted, not posted (the parent appears once unmuted and failing again).
        if (mute) return { outcome: 'muted' as const, group: gid };
        // The opener is still probing; it queues the refresh that posts once the thread message is stored.
        if (!(await groups.getField(gid, 'diagnosis'))) return { outcome: 'refreshed' as const, group: gid };
        parentTs = (
          await state.once(
            postKey(gid),
            'parent',
            async () => {
              const res = await callSlack(metrics, 'chat.postMessage', () =>
                slack.chat.postMessage({ channel, ...renderAlertParent(group, mute), metadata: postMetadata({ key: postKey(gid), step: 'parent' }), unfurl_links: false, unfurl_media: false }),
              );
              if (!res.ts) throw new Error('chat.postMessage returned no ts');
              return res.ts;
            },
            postFinder(slack, logger, { channel }, { key: postKey(gid), step: 'parent' }),
          )
        ).ts;
        await groups.setFields(gid, { parentTs, shown });
        if (group.meta.answerId) await answers.update(group.meta.answerId, { parentTs });
        metrics.findings.inc({ category: group.meta.fingerprint.category, provider: group.meta.provider });
      } else if (group.shown !== shown) {
        const ts = parentTs;
        await callSlack(metrics, 'chat.update', () => slack.chat.update({ channel, ts, ...renderAlertParent(group, mute) }));
        await groups.setFields(gid, { shown });
      }

      // The diagnosis in the thread, once: a refresh retried after this post failed (or timed out) comes back to it.
      if (!(await state.get(postKey(gid))).reply) {
        const ts = parentTs;
        const diagnosisMessage = JSON.parse((await groups.getField(gid, 'diagnosis')) ?? '{}') as SlackMessage;
        const id = { key: postKey(gid), step: 'reply' };
        const reply = await state.once(
          postKey(gid),
          'reply',
          async () => {
            const res = await callSlack(metrics, 'chat.postMessage', () =>
              slack.chat.postMessage({ channel, thread_ts: ts, ...diagnosisMessage, metadata: postMetadata(id), unfurl_links: false, unfurl_media: false }),
            );
            if (!res.ts) throw new Error('chat.postMessage returned no ts');
            return res.ts;
          },
          postFinder(slack, logger, { channel, threadTs: ts }, id),
        );
        if (group.meta.answerId) await answers.update(group.meta.answerId, { replyTs: reply.ts });
        // The diagnosis is this interval's thread reply.
        await groups.claimReply(gid, deps.replyEveryMs);
      }

      // The fix plans, bound to the reply that shows their buttons; kept until bound, so a refresh retried
      // after a failed bind binds them still.
      const plans = await groups.getField(gid, 'plans');
      const replyTs = (await state.get(postKey(gid))).reply;
      if (plans && replyTs) {
        const ids = JSON.parse(plans) as string[];
        if (deps.fixes && ids.length > 0) await deps.fixes.bind(ids, channel, replyTs);
        await groups.clearField(gid, 'plans');
      }

      if (!mute) {
        // A listing whose post may have been made (a timeout, a crash) is found or posted again as it was,
        // under its own step: the pipelines counted since wait for the next listing.
        const unfinished = await groups.getField(gid, 'listing');
        const pending = unfinished ? undefined : await groups.pending(gid);
        if (unfinished || pending!.length > 0) {
          const claim = unfinished ? ({ ok: true } as const) : await groups.claimReply(gid, deps.replyEveryMs);
          if (claim.ok) {
            const listing = unfinished ? (JSON.parse(unfinished) as Listing) : { step: `list-${randomBytes(6).toString('hex')}` as const, pipelines: pending! };
            if (!unfinished) await groups.setFields(gid, { listing: JSON.stringify(listing) });
            const ts = parentTs;
            const id = { key: postKey(gid), step: listing.step };
            await state.once(
              postKey(gid),
              listing.step,
              async () => {
                const res = await callSlack(metrics, 'chat.postMessage', () =>
                  slack.chat.postMessage({ channel, thread_ts: ts, ...renderPipelinesReply(listing.pipelines), metadata: postMetadata(id), unfurl_links: false, unfurl_media: false }),
                );
                return res.ts ?? 'posted';
              },
              postFinder(slack, logger, { channel, threadTs: ts }, id),
            );
            await groups.markListed(gid, listing.pipelines);
            await groups.clearField(gid, 'listing');
          } else await scheduleRefresh(gid, Date.now() + claim.waitMs);
        }
      }
      // Failures counted while we posted are shown by the next interval's refresh.
      const after = await groups.state(gid);
      if (after && counterLine(after) !== counterLine(group)) await scheduleRefresh(gid, Date.now());
      return { outcome: 'refreshed' as const, group: gid };
    });
  }

  return async function processAlertJob(job: Job<AlertJobData | RefreshJobData, AlertJobResult>): Promise<AlertJobResult> {
    if (job.name === REFRESH_JOB) {
      const parsed = refreshJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError('invalid refresh job');
      return refresh(parsed.data.group);
    }
    const parsed = alertJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid alert job: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const result = await processAlert(job, parsed.data);
    // A finished alert job is kept a day for its id (a redelivery is a no-op), not for its log: drop the log,
    // which may be megabytes, so Redis holds ids and pipeline facts only.
    if (parsed.data.log) await job.updateData({ ...parsed.data, log: '' });
    metrics.alerts.inc({ outcome: result.outcome });
    logger.info({ jobId: job.id, outcome: result.outcome, group: result.group, source: parsed.data.source }, 'alert processed');
    return result;
  };
}

export interface StartAlertWorkerOptions extends AlertWorkerDeps {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  lockMs?: number;
}

export function startAlertWorker(options: StartAlertWorkerOptions): Worker<AlertJobData | RefreshJobData, AlertJobResult> {
  const worker = new Worker<AlertJobData | RefreshJobData, AlertJobResult>(ALERT_QUEUE, createAlertProcessor(options), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    ...(options.lockMs ? { lockDuration: options.lockMs, stalledInterval: options.lockMs } : {}),
  });
  worker.on('error', (error) => options.logger.error({ err: error }, 'alert worker error'));
  return worker;
}
