// Every message the bot posts carries Slack message metadata naming the job and the step, so a post whose
// outcome is unknown (a timeout after Slack accepted it, a crash, a lost lock) is found instead of repeated.
import type { Logger } from '../ops/logger.js';
import { classifySlackError, type WebClient } from './web-client.js';

export const POST_EVENT_TYPE = 'registry_doctor_post';

export interface PostIdentity {
  /** The job (or alert group) the post belongs to. */
  key: string;
  step: string;
}

/** The `metadata` argument of chat.postMessage for a post. */
export function postMetadata(id: PostIdentity): { event_type: string; event_payload: { job_id: string; step: string } } {
  return { event_type: POST_EVENT_TYPE, event_payload: { job_id: id.key, step: id.step } };
}

export interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  /** Files shared with the message (a file share made by files.completeUploadExternal). */
  files?: Array<{ id?: string }>;
}

/** Pages read at most when looking for a post (100 messages each): a busy channel's last few minutes. */
const MAX_PAGES = 5;

/**
 * Look for a message the bot may already have made, among the channel's messages since `sinceMs` (or the
 * thread's replies when `threadTs` is given); resolves with its ts, or undefined when it is not there.
 * Needs the history scopes (channels:history, groups:history, im:history); without them Slack answers missing_scope.
 */
export async function findMessage(slack: WebClient, where: { channel: string; threadTs?: string; sinceMs: number }, matches: (message: HistoryMessage) => boolean): Promise<string | undefined> {
  // A minute of slack on the clock: our clock and Slack's differ, and the first attempt began before the marker.
  const oldest = String(Math.max(0, Math.floor(where.sinceMs / 1000) - 60));
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const args = { channel: where.channel, oldest, limit: 100, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
    const res = where.threadTs ? await slack.conversations.replies({ ...args, ts: where.threadTs }) : await slack.conversations.history(args);
    for (const message of (res.messages ?? []) as HistoryMessage[]) if (message.ts && matches(message)) return message.ts;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) return undefined;
  }
  return undefined;
}

/** The message a post made: found by its metadata (the job and the step). */
export function findPostedMessage(slack: WebClient, where: { channel: string; threadTs?: string; sinceMs: number }, id: PostIdentity): Promise<string | undefined> {
  return findMessage(slack, where, (message) => {
    const payload = message.metadata?.event_payload;
    return message.metadata?.event_type === POST_EVENT_TYPE && payload?.job_id === id.key && payload?.step === id.step;
  });
}

/**
 * A look-up as PostState.once's `find`. An install from before the history scopes answers missing_scope:
 * posting again (a possible duplicate) beats no answer, and the log says what to add.
 */
export function orPostAgain(logger: Logger, step: string, lookUp: Promise<string | undefined>): Promise<string | undefined> {
  return lookUp.catch((error: unknown) => {
    if (classifySlackError(error).code !== 'missing_scope') throw error;
    logger.warn({ step }, 'cannot look for an earlier post (add the history scopes from manifest.yml); posting again');
    return undefined;
  });
}

/** `findPostedMessage` as PostState.once's `find`. */
export function postFinder(slack: WebClient, logger: Logger, where: { channel: string; threadTs?: string }, id: PostIdentity): (sinceMs: number) => Promise<string | undefined> {
  return (sinceMs) => orPostAgain(logger, id.step, findPostedMessage(slack, { ...where, sinceMs }, id));
}
