// What went wrong talking to Slack lately, kept in Redis so that `/registry status` — answered by whichever
// worker takes the job — can say it in plain words. /metrics counts the same errors per process.
import type { RedisConnection } from '../ops/redis.js';

export interface DeliveryProblem {
  /** Slack's error code (`invalid_auth`, `channel_is_archived`), `http_<status>`, `request_error`, `ratelimited`. */
  code: string;
  /** The Web API method that last failed with it. */
  method: string;
  /** When it last happened (ms since the epoch). */
  at: number;
  /** How often, within the record's lifetime. */
  count: number;
}

/** A week: long enough to see a problem that came back, short enough to forget one that was fixed. */
const KEEP_SECONDS = 7 * 24 * 3600;

export class DeliveryHealth {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private key(): string {
    return `${this.prefix}:slack-health`;
  }

  async record(code: string, method: string, now = Date.now()): Promise<void> {
    await this.redis
      .multi()
      .hincrby(this.key(), `${code}|count`, 1)
      .hset(this.key(), `${code}|last`, JSON.stringify({ method, at: now }))
      .expire(this.key(), KEEP_SECONDS)
      .exec();
  }

  /** Problems seen within `windowMs`, the latest first. */
  async recent(now = Date.now(), windowMs = 24 * 3600_000): Promise<DeliveryProblem[]> {
    const fields = await this.redis.hgetall(this.key());
    const problems: DeliveryProblem[] = [];
    for (const [field, value] of Object.entries(fields)) {
      if (!field.endsWith('|last')) continue;
      const code = field.slice(0, -'|last'.length);
      try {
        const last = JSON.parse(value) as { method?: unknown; at?: unknown };
        if (typeof last.at !== 'number' || now - last.at > windowMs) continue;
        problems.push({ code, method: String(last.method ?? 'unknown'), at: last.at, count: Number(fields[`${code}|count`] ?? 1) });
      } catch {
        // A malformed record says nothing; skip it.
      }
    }
    return problems.sort((a, b) => b.at - a.at);
  }
}

const MEANING: Record<string, string> = {
  invalid_auth: 'the bot token is not valid: reinstall the app or update SLACK_BOT_TOKEN',
  not_authed: 'no bot token was sent: set SLACK_BOT_TOKEN',
  token_revoked: 'the bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN',
  account_inactive: 'the bot token belongs to a deleted user or a deactivated workspace: reinstall the app',
  missing_scope: 'the app lacks a scope it needs: reinstall it from manifest.yml',
  channel_is_archived: 'a channel the bot posts in is archived: unarchive it, or route its alerts elsewhere',
  is_archived: 'a channel the bot posts in is archived: unarchive it, or route its alerts elsewhere',
  not_in_channel: 'the bot is not a member of a channel it was asked to post in: /invite it there',
  channel_not_found: 'a channel the bot was asked to post in does not exist or is private to it',
  ratelimited: 'Slack rate-limited the bot; posts waited for Retry-After',
  request_error: 'Slack did not answer (network error or timeout); posts were retried',
  msg_blocks_too_long: 'a message was too long for Slack; it was sent again as plain text',
  invalid_blocks: 'Slack refused a message layout; it was sent again as plain text',
};

/** What the code means for the people using the bot, and what to do about it. */
export function deliveryMeaning(code: string): string {
  return MEANING[code] ?? (code.startsWith('http_') ? `Slack answered HTTP ${code.slice(5)}; posts were retried` : 'Slack refused a call');
}
