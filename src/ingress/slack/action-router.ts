// One listener for every button and menu of ours (`action_id` = `rd.<kind>`): it acks at once, reads what
// every handler needs from the payload, and hands the click to the handler registered for its kind. New
// kinds (fixes, mutes) plug in by adding handlers; an unknown kind is answered, not ignored.
import type { App, BlockAction } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { Logger } from '../../ops/logger.js';
import type { Metrics } from '../../ops/metrics.js';
import { ACTION_ID, actionKind } from '../../render/slack/actions.js';
import { callSlack, classifySlackError, type WebClient } from '../../slack/web-client.js';
import { requestKey } from './request-guard.js';

export interface ActionContext {
  kind: string;
  /** The button's value or the picked option's value: an opaque id, never trusted as more. */
  value: string | undefined;
  user: string;
  channel: string | undefined;
  /** The message the element sits on, and the bot that posted it (undefined: a person did). */
  messageTs: string | undefined;
  /** The thread the message sits in (its own ts when it starts one). */
  threadTs: string | undefined;
  /** The message's blocks as the click carried them (fix outcomes replace the buttons in them). */
  messageBlocks: Record<string, unknown>[] | undefined;
  messageBotId: string | undefined;
  /** This app's bot id (from auth.test, as Bolt resolved it). */
  botId: string | undefined;
  client: WebClient;
  metrics: Metrics;
  log: Logger;
  /** The click's identity: a replayed or retried delivery of it has the same key (enqueue dedups by it). */
  requestKey: string;
  /** Answer only the person who clicked. */
  ephemeral: (message: string | { text: string; blocks: KnownBlock[] }) => Promise<void>;
}

export type ActionHandler = (ctx: ActionContext) => Promise<void>;

/** The click came from a message this app's bot posted (not blocks a person copied into a message of theirs). */
export function fromThisBot(ctx: Pick<ActionContext, 'messageBotId' | 'botId'>): boolean {
  return ctx.messageBotId !== undefined && ctx.messageBotId === ctx.botId;
}

export interface ActionRouterDeps {
  handlers: Record<string, ActionHandler>;
  logger: Logger;
  metrics: Metrics;
}

export function registerActionRouter(app: App, deps: ActionRouterDeps): void {
  const { handlers, logger, metrics } = deps;
  app.action<BlockAction>(ACTION_ID, async ({ ack, body, action, client, context }) => {
    await ack();
    const kind = actionKind(action.action_id) ?? '';
    const value = action.type === 'button' ? action.value : action.type === 'static_select' ? action.selected_option?.value : undefined;
    const channel = body.channel?.id ?? body.container?.channel_id;
    const messageTs = body.message?.ts ?? body.container?.message_ts;
    const thread = body.message?.thread_ts;
    const log = logger.child({ action: kind, user: body.user.id, channel });
    const ephemeral: ActionContext['ephemeral'] = async (message) => {
      const payload = typeof message === 'string' ? { text: message } : message;
      if (!channel) return;
      await callSlack(metrics, 'chat.postEphemeral', () =>
        client.chat.postEphemeral({ channel, user: body.user.id, ...(thread ? { thread_ts: thread } : {}), ...payload }),
      ).catch((error: unknown) => log.warn({ err: error, code: classifySlackError(error).code }, 'could not answer the click'));
    };
    metrics.commands.inc({ subcommand: `action_${kind}` });
    const handler = handlers[kind];
    if (!handler) {
      await ephemeral(':grey_question: That button does nothing yet.');
      return;
    }
    try {
      await handler({
        kind,
        value,
        user: body.user.id,
        channel,
        messageTs,
        threadTs: thread ?? messageTs,
        messageBlocks: Array.isArray(body.message?.blocks) ? (body.message.blocks as Record<string, unknown>[]) : undefined,
        messageBotId: body.message?.bot_id as string | undefined,
        botId: context.botId,
        requestKey: typeof context.requestKey === 'string' ? context.requestKey : requestKey(JSON.stringify(body)),
        client: client as WebClient,
        metrics,
        log,
        ephemeral,
      });
    } catch (error) {
      log.error({ err: error }, 'button handler failed');
      await ephemeral(':warning: Something went wrong handling that click. Try again in a minute.');
    }
  });
}
