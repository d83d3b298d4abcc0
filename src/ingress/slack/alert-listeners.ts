// The alert's mute buttons (kinds `mute` and `unmute` of the action router) and `/registry mute|unmute`:
// store the mute, let the worker re-render the threads; who muted is shown on the parent.
import { FINGERPRINT_ID, type AlertControls } from '../../alerts/alert-controls.js';
import { MUTE_DURATIONS, renderMuteAck, type MuteDuration } from '../../alerts/render-alert.js';
import type { Logger } from '../../ops/logger.js';
import type { SlackText } from '../../render/slack/messages.js';
import { fromThisBot, type ActionContext, type ActionHandler } from './action-router.js';

const USER_ID = /^[UW][A-Z0-9]+$/;
const UNAVAILABLE = ":warning: I couldn't change the mute: Redis is unavailable right now. Please try again in a minute.";

/** `mute <fingerprint> …` or `unmute <fingerprint>`; answers with what to say (ephemeral). */
export async function runMuteCommand(
  controls: AlertControls | undefined,
  command: { kind: 'mute'; fingerprint: string; duration: MuteDuration } | { kind: 'unmute'; fingerprint: string },
  user: string,
  logger: Logger,
): Promise<string | SlackText> {
  if (!controls) return 'CI alerts are not set up on this bot.';
  try {
    if (command.kind === 'mute') {
      const { threads } = await controls.mute(command.fingerprint, command.duration, user);
      logger.info({ fingerprint: command.fingerprint, duration: command.duration, user }, 'alert muted');
      return renderMuteAck(command.fingerprint, command.duration, threads);
    }
    const { wasMuted, threads } = await controls.unmute(command.fingerprint);
    logger.info({ fingerprint: command.fingerprint, user, wasMuted }, 'alert unmuted');
    return wasMuted ? renderMuteAck(command.fingerprint, undefined, threads) : `\`${command.fingerprint}\` was not muted.`;
  } catch (error) {
    logger.error({ err: error }, 'mute failed');
    return UNAVAILABLE;
  }
}

/** A mute button is one on an alert this bot posted; a copy of its blocks in someone's message is not. */
async function refusedAsNotOurs(ctx: ActionContext): Promise<boolean> {
  if (fromThisBot(ctx)) return false;
  ctx.log.warn({ messageTs: ctx.messageTs, messageBot: ctx.messageBotId ?? null }, 'refused a mute click from a message the bot did not post');
  await ctx.ephemeral(':no_entry: That button is not on an alert I posted, so I did nothing.');
  return true;
}

export function alertActionHandlers(controls: AlertControls): Record<string, ActionHandler> {
  return {
    async mute(ctx) {
      if (await refusedAsNotOurs(ctx)) return;
      const [fingerprint = '', duration = ''] = (ctx.value ?? '').split('_');
      if (!FINGERPRINT_ID.test(fingerprint) || !(MUTE_DURATIONS as readonly string[]).includes(duration) || !USER_ID.test(ctx.user)) return;
      await ctx.ephemeral(await runMuteCommand(controls, { kind: 'mute', fingerprint, duration: duration as MuteDuration }, ctx.user, ctx.log));
    },
    async unmute(ctx) {
      if (await refusedAsNotOurs(ctx)) return;
      const fingerprint = ctx.value ?? '';
      if (!FINGERPRINT_ID.test(fingerprint) || !USER_ID.test(ctx.user)) return;
      await ctx.ephemeral(await runMuteCommand(controls, { kind: 'unmute', fingerprint }, ctx.user, ctx.log));
    },
  };
}
