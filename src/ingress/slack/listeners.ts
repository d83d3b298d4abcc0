// Slack listeners: validate, redact, enqueue, ack. No diagnosis here; the worker does it.
import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { redactAndCut } from '../../engine/cut-log.js';
import { redact } from '../../engine/redact.js';
import type { Logger } from '../../ops/logger.js';
import type { Metrics } from '../../ops/metrics.js';
import { EnqueueError } from '../../queue/inbox.js';
import { MAX_JOB_LOG_CHARS, type DiagnoseJobData } from '../../queue/jobs.js';
import type { AnswerStore } from '../../slack/answer-store.js';
import { postToResponseUrl } from '../../slack/response-url.js';
import { truncate } from '../../render/slack/mrkdwn.js';
import {
  ANY_REGISTRY,
  MODAL_BLOCKS,
  MODAL_CALLBACK_ID,
  buildDiagnoseModal,
  renderAck,
  renderCheckUsage,
  renderHelp,
  renderStatus,
  renderUsage,
  type RegistrySummary,
} from '../../render/slack/messages.js';
import { renderAudit, type AuditLine } from '../../render/slack/fix-messages.js';
import { callSlack, classifySlackError } from '../../slack/web-client.js';
import { registerActionRouter } from './action-router.js';
import { answerActionHandlers } from './answer-actions.js';
import { fixActionHandler, type FixActionDeps } from './fix-actions.js';
import type { AlertControls } from '../../alerts/alert-controls.js';
import { alertActionHandlers, runMuteCommand } from './alert-listeners.js';
import { parseCommand, readFormImage, subcommandLabel, unescapeSlackText } from './parse-command.js';
import { requestKey } from './request-guard.js';

export interface ListenerDeps {
  /**
   * Store a validated, redacted job request durably; resolves with its job id (fails fast when Redis is down).
   * The same `requestKey` (a replayed or retried request) gives the first job's id and stores nothing more.
   */
  enqueue: (data: DiagnoseJobData, requestKey: string) => Promise<string>;
  /** Ask a worker to publish a person's App Home (fails fast when Redis is down). */
  requestHome: (user: string) => Promise<unknown>;
  answers: AnswerStore;
  registries: readonly RegistrySummary[];
  logger: Logger;
  metrics: Metrics;
  /** Fix buttons (`rd.fix.<n>`): handled when given. */
  fixes?: FixActionDeps;
  /** `/registry audit [n]`: the fix audit, for the people allowed to fix. */
  audit?: {
    mayRead(user: string): Promise<boolean>;
    last(count: number): Promise<AuditLine[]>;
  };
  /** Mute and unmute CI alerts (buttons and `/registry mute|unmute`). */
  alerts?: AlertControls;
}

const CHANNEL_ID = /^[CGDZ][A-Z0-9]+$/;
const USER_ID = /^[UW][A-Z0-9]+$/;

const modalMetadataSchema = z.object({
  channel: z.string().regex(CHANNEL_ID),
  responseUrl: z.url().optional(),
  command: z.string().max(40).default('/registry'),
  private: z.boolean().optional(),
});

const UNAVAILABLE =
  ":warning: I couldn't queue the diagnosis: the queue is unavailable right now, so nothing was stored. Please try again in a minute.";
// Redis took the request but did not answer in time (a stall): it may well be stored, and a retry would duplicate it.
const SLOW =
  ":hourglass: The queue is slow to answer right now. Your request was sent and will most likely be diagnosed here once it catches up; there is no need to send it again.";
const FAILED = ":warning: Something went wrong handling that request, and nothing was queued. Please try again; if it keeps failing, tell whoever runs registry-doctor.";

const enqueueFailure = (error: unknown): string => (error instanceof EnqueueError && error.stored === 'unknown' ? SLOW : UNAVAILABLE);

/** The request's identity for replay checks (HTTP: its raw body, set by the receiver; Socket Mode: the payload). */
function keyOf(context: Record<string, unknown>, body: unknown): string {
  return typeof context.requestKey === 'string' ? context.requestKey : requestKey(JSON.stringify(body));
}

/**
 * Run a listener so that nothing it throws escapes: the failure is logged and, when Slack has not been
 * answered yet, answered with `fallback` (a request never goes unanswered or stops the process).
 */
function guarded<A extends { ack: (response?: never) => Promise<void> }>(
  logger: Logger,
  what: string,
  fallback: Parameters<A['ack']>[0],
  listener: (args: A) => Promise<void>,
): (args: A) => Promise<void> {
  return async (args) => {
    let acked = false;
    const ack = (async (response?: never) => {
      acked = true;
      await args.ack(response);
    }) as A['ack'];
    try {
      await listener({ ...args, ack });
    } catch (error) {
      logger.error({ err: error, listener: what }, 'a Slack listener failed');
      if (!acked) await args.ack(fallback as never).catch(() => {});
    }
  };
}

export function registerListeners(app: App, deps: ListenerDeps): void {
  const { enqueue, answers, registries, logger, metrics } = deps;
  const registryNames = new Set(registries.map((r) => r.name));

  app.command(/^\/[\w-]+$/, guarded<SlackCommandMiddlewareArgs & AllMiddlewareArgs>(logger, 'command', { response_type: 'ephemeral', text: FAILED }, async ({ command, ack, client, context, body }) => {
    const started = performance.now();
    const parsed = parseCommand(unescapeSlackText(typeof command.text === 'string' ? command.text : ''));
    const label = subcommandLabel(parsed);
    metrics.commands.inc({ subcommand: label });
    const done = () => metrics.ackSeconds.observe({ subcommand: label }, (performance.now() - started) / 1000);

    switch (parsed.kind) {
      case 'diagnose': {
        if (!CHANNEL_ID.test(command.channel_id) || !USER_ID.test(command.user_id)) {
          await ack({ response_type: 'ephemeral', text: 'This command must be run in a channel.' });
          return;
        }
        let jobId: string;
        try {
          jobId = await enqueue({
            source: 'command',
            log: parsed.log,
            ...(parsed.image ? { image: parsed.image } : {}),
            channel: command.channel_id,
            user: command.user_id,
            team: command.team_id,
            responseUrl: command.response_url,
            requestedAt: Date.now(),
            ...(parsed.private ? { private: true } : {}),
          }, keyOf(context, body));
        } catch (error) {
          logger.error({ err: error }, 'enqueue failed');
          await ack({ response_type: 'ephemeral', text: enqueueFailure(error) });
          done();
          return;
        }
        await ack({ response_type: 'ephemeral', ...renderAck(jobId, parsed.private) });
        done();
        logger.info({ jobId, channel: command.channel_id, user: command.user_id, chars: parsed.log.length }, 'diagnosis queued');
        return;
      }
      case 'diagnose-modal': {
        await ack();
        done();
        const view = buildDiagnoseModal(registries, {
          channel: command.channel_id,
          responseUrl: command.response_url,
          command: command.command,
          ...(parsed.private ? { private: true } : {}),
        });
        await callSlack(metrics, 'views.open', () => client.views.open({ trigger_id: command.trigger_id, view })).catch(async (error: unknown) => {
          const code = classifySlackError(error).code;
          logger.error({ err: error, code }, 'views.open failed');
          // Say so rather than leave the user waiting for a form (a trigger lasts 3 s: expired_trigger_id).
          if (command.response_url) {
            const note = `I couldn't open the form (Slack answered \`${code}\`). Try \`${command.command} diagnose\` again, or paste the error after it.`;
            await postToResponseUrl(command.response_url, renderUsage(command.command, undefined, note));
          }
        });
        return;
      }
      case 'help':
        await ack({ response_type: 'ephemeral', ...renderHelp(command.command, registries) });
        break;
      case 'status':
      case 'check': {
        // The checks call the clouds and read the bot's Slack delivery record: the worker runs them (the web
        // role never loads a cloud SDK).
        if (!CHANNEL_ID.test(command.channel_id) || !USER_ID.test(command.user_id)) {
          await ack({ response_type: 'ephemeral', text: 'This command must be run in a channel.' });
          return;
        }
        let jobId: string;
        try {
          jobId = await enqueue({
            source: 'command',
            log: '',
            ...(parsed.kind === 'check' ? { image: parsed.image, purpose: 'preflight' as const } : { purpose: 'status' as const }),
            channel: command.channel_id,
            user: command.user_id,
            team: command.team_id,
            responseUrl: command.response_url,
            requestedAt: Date.now(),
          }, keyOf(context, body));
        } catch (error) {
          logger.error({ err: error }, 'enqueue failed');
          await ack({ response_type: 'ephemeral', text: enqueueFailure(error) });
          break;
        }
        await ack({ response_type: 'ephemeral', ...(parsed.kind === 'check' ? renderAck(jobId) : renderStatus(registries)) });
        logger.info({ jobId, channel: command.channel_id, user: command.user_id, kind: parsed.kind }, `${parsed.kind} queued`);
        break;
      }
      case 'check-usage':
        await ack({ response_type: 'ephemeral', ...renderCheckUsage(command.command, parsed.given) });
        break;
      case 'audit': {
        // Who may read it can take a Slack call (user groups): ack first, answer through response_url.
        await ack();
        done();
        const audit = deps.audit;
        const text = !audit
          ? 'Fixes are not set up here, so there is no audit to show.'
          : (await audit.mayRead(command.user_id).catch(() => false))
            ? renderAudit(await audit.last(parsed.count))
            : ':no_entry: Only the people allowed to fix a registry (its `fixers`) may read the fix audit.';
        if (command.response_url) await postToResponseUrl(command.response_url, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
        return;
      }
      case 'mute':
      case 'unmute': {
        const answer = await runMuteCommand(deps.alerts, parsed, command.user_id, logger);
        await ack({ response_type: 'ephemeral', ...(typeof answer === 'string' ? { text: answer } : answer) });
        break;
      }
      case 'mute-usage':
        await ack({
          response_type: 'ephemeral',
          text: parsed.unmute
            ? `Usage: \`${command.command} unmute FINGERPRINT\` (the fingerprint is shown under each alert).`
            : `Usage: \`${command.command} mute FINGERPRINT [1h|24h|resolved]\` (the fingerprint is shown under each alert; 1h when not given).`,
        });
        break;
      case 'usage':
        await ack({ response_type: 'ephemeral', ...renderUsage(command.command, parsed.unknown) });
        break;
    }
    done();
  }));

  const formFailed = { response_action: 'errors' as const, errors: { [MODAL_BLOCKS.log.block]: FAILED.replace(':warning: ', '') } };
  app.view(MODAL_CALLBACK_ID, guarded<SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs>(logger, 'form', formFailed, async ({ ack, view, body, context }) => {
    const started = performance.now();
    metrics.commands.inc({ subcommand: 'diagnose_modal_submit' });
    const values = view.state.values;
    const rawLog = values[MODAL_BLOCKS.log.block]?.[MODAL_BLOCKS.log.action]?.value ?? '';
    // Redacted before parsing: a parse error quotes its input back to the user.
    const rawImage = redact(values[MODAL_BLOCKS.image.block]?.[MODAL_BLOCKS.image.action]?.value ?? '').trim();
    const picked = values[MODAL_BLOCKS.registry.block]?.[MODAL_BLOCKS.registry.action]?.selected_option?.value ?? ANY_REGISTRY;
    const onlyMe = (values[MODAL_BLOCKS.private.block]?.[MODAL_BLOCKS.private.action]?.selected_options ?? []).some((o) => o.value === 'private');
    const errors: Record<string, string> = {};

    if (rawLog.trim() === '' && rawImage === '') errors[MODAL_BLOCKS.log.block] = 'Paste a log or an error message, or give an image reference below.';
    // Read leniently, as the CLI does: a masked or malformed reference never blocks the diagnosis.
    const { image, error: imageError } = readFormImage(rawImage);
    if (imageError) errors[MODAL_BLOCKS.image.block] = truncate(imageError, 150);
    if (picked !== ANY_REGISTRY && !registryNames.has(picked)) errors[MODAL_BLOCKS.registry.block] = 'That registry is no longer configured; pick another.';
    const meta = (() => {
      try {
        return modalMetadataSchema.safeParse(JSON.parse(view.private_metadata || '{}'));
      } catch {
        return modalMetadataSchema.safeParse({});
      }
    })();
    if (!meta.success) errors[MODAL_BLOCKS.log.block] = 'Open this form with /registry diagnose in a channel, so I know where to post.';
    const user = body.user.id;
    if (Object.keys(errors).length > 0 || !meta.success || !USER_ID.test(user)) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    try {
      const jobId = await enqueue({
        source: 'modal',
        log: redactAndCut(rawLog.trim(), MAX_JOB_LOG_CHARS),
        ...(image ? { image } : {}),
        ...(picked !== ANY_REGISTRY ? { registry: picked } : {}),
        channel: meta.data.channel,
        user,
        team: body.team?.id,
        ...(meta.data.responseUrl ? { responseUrl: meta.data.responseUrl } : {}),
        requestedAt: Date.now(),
        ...(onlyMe ? { private: true } : {}),
      }, keyOf(context, body));
      await ack();
      logger.info({ jobId, channel: meta.data.channel, user }, 'diagnosis queued from the form');
    } catch (error) {
      logger.error({ err: error }, 'enqueue failed');
      await ack({ response_action: 'errors', errors: { [MODAL_BLOCKS.log.block]: enqueueFailure(error).replace(/^:\w+: /, '') } });
    }
    metrics.ackSeconds.observe({ subcommand: 'diagnose_modal_submit' }, (performance.now() - started) / 1000);
  }));

  // Bolt has acked the event already; the worker publishes the home (look-ups and Slack calls).
  app.event('app_home_opened', async ({ event }) => {
    if (event?.tab !== 'home' || typeof event.user !== 'string' || !USER_ID.test(event.user)) return;
    await deps.requestHome(event.user).catch((error: unknown) => logger.warn({ err: error, user: event.user }, 'could not queue the App Home publish'));
  });

  const handlers = {
    ...answerActionHandlers({ answers, enqueue, ...(deps.alerts ? { alerts: deps.alerts } : {}) }),
    ...(deps.fixes ? { fix: fixActionHandler(deps.fixes) } : {}),
    ...(deps.alerts ? alertActionHandlers(deps.alerts) : {}),
  };
  registerActionRouter(app, { handlers, logger, metrics });
}
