// The diagnose worker: the engine first (pure: whatever Slack does next, the answer exists), then the parent
// message, the thread reply with its buttons, and the parent turned into the answer. Each Slack post is made
// at most once per job id (PostState). Slack refusing the blocks falls back at once to plain text; a channel
// the bot cannot post in, or retries that are spent, still get the answer to the person who asked: by a
// direct message or through response_url — never only an error code.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Diagnosis } from '../engine/diagnosis.js';
import { diagnose } from '../engine/diagnose.js';
import type { KnownRegistry } from '../engine/known-registry.js';
import { redact } from '../engine/redact.js';
import { pushVerdict } from '../probes/probe-diagnosis.js';
import { finishedSummary, progressSummary, type WorkerProbes } from '../probes/worker-probes.js';
import { attachedDocuments, renderDiagnosisBlocks, renderPlainAnswer, type SlackMessage } from '../render/slack/blocks.js';
import { answerFor, NO_FINDING_SENTENCE } from '../render/slack/answer.js';
import { renderPreflightBlocks } from '../render/slack/preflight.js';
import {
  renderFailureNote,
  renderParentMessage,
  renderPrivateNote,
  renderStatus,
  type ParentMessageInput,
  type ParentStatus,
} from '../render/slack/messages.js';
import type { AnswerRecord, AnswerStore } from '../slack/answer-store.js';
import type { DeliveryHealth } from '../slack/delivery-health.js';
import { BLOCKS_REFUSED, callSlack, classifySlackError, type WebClient } from '../slack/web-client.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { DIAGNOSE_QUEUE, diagnoseJobSchema, homeJobSchema, PUBLISH_HOME_JOB, type DiagnoseJobData, type DiagnoseJobResult, type HomeJobData } from './jobs.js';
import type { PostState, PostStep } from '../slack/post-state.js';
import { postFinder, postMetadata } from '../slack/posted-message.js';
import { postToResponseUrl } from '../slack/response-url.js';
import { sharedFilesFinder, shareDocuments, type SharedDocument } from '../slack/share-documents.js';

export interface DiagnoseWorkerDeps {
  slack: WebClient;
  state: PostState;
  answers: AnswerStore;
  logger: Logger;
  metrics: Metrics;
  /** The slash command's name, for the invite hint. */
  command?: string;
  /** Probes after classification, preflight checks and `/registry status` (absent: the log alone). */
  probes?: WorkerProbes;
  /** The configured registries[]: a host's entry names its provider and identifiers (absent: hosts speak for themselves). */
  registries?: readonly KnownRegistry[];
  /** Recent Slack delivery problems, for `/registry status`. */
  deliveryHealth?: DeliveryHealth;
  /** Fix plans for findings a probe confirmed, and binding them to the reply they are posted on. */
  fixes?: {
    plan(diagnosis: Diagnosis): Promise<Diagnosis>;
    bind(planIds: readonly string[], channel: string, messageTs: string): Promise<void>;
  };
}

const errorText = (error: unknown): string => {
  const info = classifySlackError(error);
  const message = error instanceof Error ? error.message : String(error);
  return redact(info.code !== 'unknown' ? `Slack API error ${info.code}` : message).slice(0, 300);
};

const UNFURL = { unfurl_links: false, unfurl_media: false } as const;

/** The job processor, separate from the Worker so tests can drive it directly. */
export function createDiagnoseProcessor(deps: DiagnoseWorkerDeps) {
  const { slack, state, answers, logger, metrics } = deps;
  const command = deps.command ?? '/registry';

  /** Post a message with blocks; when Slack refuses the blocks themselves, the same answer as plain text, at once. */
  async function postAnswer(channel: string, threadTs: string | undefined, message: SlackMessage, plain: string, metadata?: ReturnType<typeof postMetadata>): Promise<{ ts: string; channel: string }> {
    const thread = threadTs ? { thread_ts: threadTs } : {};
    try {
      const res = await callSlack(metrics, 'chat.postMessage', () => slack.chat.postMessage({ channel, ...thread, ...message, ...(metadata ? { metadata } : {}), ...UNFURL }));
      if (!res.ts) throw new Error('chat.postMessage returned no ts');
      return { ts: res.ts, channel: res.channel ?? channel };
    } catch (error) {
      const info = classifySlackError(error);
      if (!BLOCKS_REFUSED.has(info.code)) throw error;
      logger.warn({ code: info.code, blocks: message.blocks.length, bytes: JSON.stringify(message.blocks).length }, 'Slack refused the blocks; posting plain text');
      const res = await callSlack(metrics, 'chat.postMessage', () => slack.chat.postMessage({ channel, ...thread, text: plain, ...(metadata ? { metadata } : {}), ...UNFURL }));
      if (!res.ts) throw new Error('chat.postMessage returned no ts');
      return { ts: res.ts, channel: res.channel ?? channel };
    }
  }

  /**
   * Long documents go as files after the reply whose command uses them; when Slack will not take the files,
   * the reply is edited to quote them inline instead (`inline`): the document is never lost.
   */
  async function shareOrQuote(jobId: string, where: { channel: string; threadTs: string; replyTs: string }, documents: readonly SharedDocument[], inline: SlackMessage, log: Logger): Promise<void> {
    try {
      await state.once(jobId, 'documents', (mark) => shareDocuments(slack, metrics, where, documents, mark), sharedFilesFinder(slack, log, where));
    } catch (error) {
      log.warn({ err: error, code: classifySlackError(error).code }, 'could not share the documents as files; quoting them in the reply');
      await callSlack(metrics, 'chat.update', () => slack.chat.update({ channel: where.channel, ts: where.replyTs, ...inline })).catch((failed: unknown) =>
        log.error({ err: failed, code: classifySlackError(failed).code }, 'could not quote the documents in the reply either'),
      );
    }
  }

  /** The asker's direct-message channel with the app. */
  async function openDm(user: string): Promise<string> {
    const res = await callSlack(metrics, 'conversations.open', () => slack.conversations.open({ users: user }));
    const id = res.channel?.id;
    if (!id) throw new Error('conversations.open returned no channel');
    return id;
  }

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

    // Classified before anything is posted: whatever Slack does next, there is an answer to give.
    const started = performance.now();
    let diagnosis = diagnose({ log: data.log, ...(data.image ? { image: data.image } : {}), ...(deps.registries ? { registries: deps.registries } : {}) });
    metrics.engineSeconds.observe((performance.now() - started) / 1000);
    const purpose = data.purpose === 'preflight' ? 'preflight' : 'diagnose';
    let sentence = answerFor(diagnosis)?.sentence ?? NO_FINDING_SENTENCE;
    const { id: answerId, fresh } = await answers.idFor(jobId);
    const rerunOf = data.rerun ? await answers.get(data.rerun.of) : undefined;
    const base: Omit<ParentMessageInput, 'status'> = {
      user: data.user,
      jobId,
      image: data.image,
      registry: data.registry,
      source: data.source,
      attempt,
      attempts,
      ...(purpose === 'preflight' ? { purpose: 'preflight' as const } : {}),
    };

    // The record exists before any button that points at it.
    const previous = fresh ? undefined : await answers.get(answerId);
    const record: AnswerRecord = {
      id: answerId,
      jobId,
      channel: previous?.channel ?? rerunOf?.channel ?? data.channel,
      user: data.user,
      private: data.private ?? rerunOf?.private ?? false,
      ...(previous?.parentTs ? { parentTs: previous.parentTs } : data.rerun ? { parentTs: data.rerun.parentTs } : {}),
      ...(previous?.replyTs ? { replyTs: previous.replyTs } : {}),
      log: data.log,
      ...(data.image ? { image: data.image } : {}),
      ...(data.registry ? { registry: data.registry } : {}),
      provider: diagnosis.provider,
      categories: diagnosis.findings.map((f) => f.category),
      answer: sentence,
      excerpt: diagnosis.input.logExcerpt,
      createdAt: previous?.createdAt ?? Date.now(),
      ...(previous?.resolved ? { resolved: previous.resolved } : {}),
      ...(rerunOf?.alert ? { alert: rerunOf.alert } : {}),
    };
    await answers.put(record);

    let channel = record.channel;
    let parentTs = record.parentTs;
    const updateParent = async (status: ParentStatus, extra: Partial<ParentMessageInput> = {}) => {
      // A re-run in an alert's thread answers there; the alert's parent (counter, mutes) is the alert worker's.
      if (!parentTs || record.alert) return;
      const ts = parentTs;
      // A status edit is a courtesy: one that fails (a 500, msg_too_long…) is logged and never holds up the answer.
      await callSlack(metrics, 'chat.update', () => slack.chat.update({ channel, ts, ...renderParentMessage({ ...base, ...extra, status }) })).catch((error: unknown) =>
        log.warn({ err: error, code: classifySlackError(error).code, status }, 'could not update the status message'),
      );
    };
    /** Look for a post whose outcome is unknown, by its metadata, before it is made again. */
    const lookFor = (step: PostStep, threadTs: string | undefined) => postFinder(slack, log, { channel, ...(threadTs ? { threadTs } : {}) }, { key: jobId, step });

    try {
      if (record.private && !record.parentTs) channel = await openDm(data.user);
      let parentPostedNow = false;
      if (!parentTs) {
        const parent = await state.once(
          jobId,
          'parent',
          async () => {
            const res = await callSlack(metrics, 'chat.postMessage', () =>
              slack.chat.postMessage({ channel, ...renderParentMessage({ ...base, status: 'diagnosing' }), metadata: postMetadata({ key: jobId, step: 'parent' }), ...UNFURL }),
            );
            if (!res.ts) throw new Error('chat.postMessage returned no ts');
            return res.ts;
          },
          lookFor('parent', undefined),
        );
        parentTs = parent.ts;
        parentPostedNow = parent.posted;
        await answers.update(answerId, { channel, parentTs });
      }

      // A parent posted just now has no reply yet: no need to ask (a worker racing on the job still posts once).
      const done = !parentPostedNow && (await state.get(jobId)).reply !== undefined;
      if (deps.probes && !done) {
        diagnosis = await deps.probes.step(diagnosis, { purpose, onProgress: (progress) => updateParent('probing', { probes: progressSummary(progress) }) });
        sentence = answerFor(diagnosis)?.sentence ?? NO_FINDING_SENTENCE;
        await answers.update(answerId, { answer: sentence, categories: diagnosis.findings.map((f) => f.category), excerpt: diagnosis.input.logExcerpt });
      }
      // Plans only where a probe confirmed a cause; a planning failure costs the buttons, never the answer.
      if (deps.fixes && !done && purpose === 'diagnose') {
        const probed = diagnosis;
        diagnosis = await deps.fixes.plan(probed).catch((error: unknown) => {
          log.warn({ err: error }, 'fix planning failed');
          return probed;
        });
      }
      const verdict = purpose === 'preflight' ? pushVerdict(diagnosis) : undefined;
      const top = diagnosis.findings[0];

      // The thread reply mentions the person: a new message that notifies (an edit of the parent does not).
      const documents = verdict ? [] : attachedDocuments(diagnosis);
      const message = verdict ? renderPreflightBlocks(diagnosis, verdict, { user: data.user }) : renderDiagnosisBlocks(diagnosis, { answerId, user: data.user, attachDocuments: documents.length > 0 });
      const plain = renderPlainAnswer(diagnosis, { user: data.user });
      const posted = await state.once(
        jobId,
        'reply',
        async () => (await postAnswer(channel, parentTs, message, plain, postMetadata({ key: jobId, step: 'reply' }))).ts,
        lookFor('reply', parentTs),
      );
      await answers.update(answerId, { replyTs: posted.ts });
      if (documents.length > 0 && parentTs) {
        await shareOrQuote(jobId, { channel, threadTs: parentTs, replyTs: posted.ts }, documents, renderDiagnosisBlocks(diagnosis, { answerId, user: data.user }), log);
      }
      const planIds = diagnosis.findings.flatMap((finding) => finding.fixes.map((fix) => fix.id));
      if (deps.fixes && planIds.length > 0) await deps.fixes.bind(planIds, channel, posted.ts);
      if (posted.posted) {
        metrics.diagnosisSeconds.observe({ source: data.source === 'rerun' ? 'command' : data.source }, (Date.now() - data.requestedAt) / 1000);
        if (top) metrics.findings.inc({ category: top.category, provider: diagnosis.provider });
      }
      const finished = { answer: sentence, probes: finishedSummary(diagnosis.probes), ...(verdict ? { verdict } : {}), ...(record.resolved ? { resolved: record.resolved } : {}) };
      await updateParent('done', finished);
      await state.addRecent({
        jobId,
        at: Date.now(),
        user: data.user,
        channel,
        parentTs,
        image: data.image,
        registry: data.registry,
        provider: diagnosis.provider,
        category: top?.category,
        title: top ? redact(top.title).slice(0, 200) : undefined,
        answerId,
        ...(record.private ? { private: true } : {}),
      });
      metrics.jobs.inc({ outcome: 'done' });
      log.info({ category: top?.category ?? null, replyPosted: posted.posted }, 'diagnosis posted');
      return { outcome: 'done', parentTs, replyTs: posted.ts, category: top?.category };
    } catch (error) {
      const info = classifySlackError(error);
      if (info.cannotPost && !record.private) {
        metrics.jobs.inc({ outcome: 'not_in_channel' });
        const how = await deliverToPerson(jobId, data, diagnosis, 'not_in_channel', info.code, answerId);
        log.warn({ code: info.code, deliveredBy: how }, 'bot cannot post in the channel; answered the person directly');
        return { outcome: 'not_in_channel' };
      }
      const reason = errorText(error);
      const final = attempt >= attempts || !info.retryable || error instanceof UnrecoverableError;
      if (!final) {
        metrics.jobs.inc({ outcome: 'retrying' });
        log.warn({ err: error, code: info.code }, 'diagnosis attempt failed; will retry');
        await updateParent('retrying', { error: reason });
        throw error;
      }
      log.error({ err: error, code: info.code }, `posting the diagnosis failed after ${attempt} attempts`);
      if (parentTs) {
        await updateParent('failed', { attempts: attempt, error: reason });
        await state
          .once(
            jobId,
            'failure',
            async () => (await slack.chat.postMessage({ channel, thread_ts: parentTs, ...renderFailureNote(attempt, reason), metadata: postMetadata({ key: jobId, step: 'failure' }) })).ts ?? 'posted',
            lookFor('failure', parentTs),
          )
          .catch(() => {});
      }
      const how = await deliverToPerson(jobId, data, diagnosis, 'failed', info.code, answerId);
      if (how !== 'nowhere') {
        metrics.jobs.inc({ outcome: 'delivered_elsewhere' });
        return { outcome: 'delivered_elsewhere' };
      }
      metrics.jobs.inc({ outcome: 'failed' });
      throw error instanceof UnrecoverableError ? error : new UnrecoverableError(`diagnosis failed after ${attempt} attempts: ${reason}`);
    }
  };

  /** `/registry status`: check each registry's credentials and answer the asker through response_url. */
  async function answerStatus(data: DiagnoseJobData): Promise<DiagnoseJobResult> {
    const health = deps.probes ? await deps.probes.status() : [];
    const slackProblems = (await deps.deliveryHealth?.recent().catch(() => undefined)) ?? [];
    if (data.responseUrl) await postToResponseUrl(data.responseUrl, renderStatus(health.map((h) => h.registry), health, slackProblems));
    metrics.jobs.inc({ outcome: 'done' });
    return { outcome: 'done' };
  }

  /**
   * The answer to the person who asked when the channel cannot take it: a direct message with the whole
   * diagnosis (and its buttons), else the plain answer through response_url. Once per job.
   */
  async function deliverToPerson(
    jobId: string,
    data: DiagnoseJobData,
    diagnosis: Diagnosis,
    why: 'not_in_channel' | 'failed',
    code: string,
    answerId: string,
  ): Promise<'dm' | 'response_url' | 'nowhere'> {
    const note = renderPrivateNote(why, code, command);
    const plain = `${note}\n${renderPlainAnswer(diagnosis, { user: data.user })}`;
    const id = { key: jobId, step: 'delivered' };
    /** The direct message an earlier attempt may have made (Slack took it, the answer never came): found by its metadata. */
    const findDm = async (sinceMs: number): Promise<'dm' | undefined> => {
      const dm = await openDm(data.user);
      const ts = await postFinder(slack, logger, { channel: dm }, id)(sinceMs);
      if (!ts) return undefined;
      await answers.update(answerId, { channel: dm, parentTs: ts, replyTs: ts, private: true });
      return 'dm';
    };
    try {
      const done = await state.once(
        jobId,
        'delivered',
        async () => {
          const startedAt = Date.now();
          try {
            const dm = await openDm(data.user);
            const message = renderDiagnosisBlocks(diagnosis, { answerId, user: data.user });
            const posted = await postAnswer(dm, undefined, { text: `${note} ${message.text}`, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: note } }, ...message.blocks].slice(0, 50) }, plain, postMetadata(id));
            await answers.update(answerId, { channel: posted.channel, parentTs: posted.ts, replyTs: posted.ts, private: true });
            return 'dm';
          } catch (error) {
            logger.warn({ err: error, code: classifySlackError(error).code }, 'direct message failed; trying response_url');
            // A timeout or a lost connection may come after Slack took the message: look before answering again.
            if (classifySlackError(error).code === 'request_error' && (await findDm(startedAt).catch(() => undefined))) return 'dm';
          }
          if (data.responseUrl) {
            const sent = await postToResponseUrl(data.responseUrl, { text: plain, blocks: [] });
            if (sent.ok) return 'response_url';
            logger.warn({ reason: sent.reason }, 'response_url failed');
          }
          throw new Error('no way to reach the person');
        },
        findDm,
      );
      return done.ts as 'dm' | 'response_url';
    } catch {
      return 'nowhere';
    }
  }
}

export interface StartWorkerOptions extends DiagnoseWorkerDeps {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** BullMQ lockDuration (and stalled-job check interval): a dead worker's job is picked up again after it. */
  lockMs?: number;
  /** Publish a person's App Home (`publish-home` jobs share the queue). */
  publishHome: (user: string) => Promise<void>;
}

export function startDiagnoseWorker(options: StartWorkerOptions): Worker<DiagnoseJobData | HomeJobData, DiagnoseJobResult> {
  const processDiagnoseJob = createDiagnoseProcessor(options);
  const processor = async (job: Job<DiagnoseJobData | HomeJobData, DiagnoseJobResult>): Promise<DiagnoseJobResult> => {
    if (job.name !== PUBLISH_HOME_JOB) return processDiagnoseJob(job as Job<DiagnoseJobData, DiagnoseJobResult>);
    const parsed = homeJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid App Home job');
    await options.publishHome(parsed.data.user);
    return { outcome: 'done' };
  };
  const worker = new Worker<DiagnoseJobData | HomeJobData, DiagnoseJobResult>(DIAGNOSE_QUEUE, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    ...(options.lockMs ? { lockDuration: options.lockMs, stalledInterval: options.lockMs } : {}),
  });
  worker.on('error', (error) => options.logger.error({ err: error }, 'worker error'));
  return worker;
}
