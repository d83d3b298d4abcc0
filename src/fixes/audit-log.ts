// Every fix attempt, allowed or refused, succeeded or failed, appended to a Redis stream (bounded), and
// optionally mirrored to an audit channel. An entry names who, what, when, the state before and after, and
// the result; it holds no secret (states are what the clouds answered about configuration).
import type { JsonValue } from '../engine/diagnosis.js';
import { redact } from '../engine/redact.js';
import type { RedisConnection } from '../ops/redis.js';

export type AuditResult =
  /** The change was written. */
  | 'applied'
  /** Already as the fix would leave it: nothing written. */
  | 'already'
  /** Dry run: what would have been written; nothing was. */
  | 'dry_run'
  /** Refused before any cloud call: not allowed, forged/expired/used plan, click from another message. */
  | 'refused'
  /** The target changed since the plan: nothing written. */
  | 'changed'
  /** The cloud refused or failed: nothing written (or, on a timeout, said so). */
  | 'failed';

export interface AuditEntry {
  at: number;
  /** Slack user id of whoever clicked. */
  user: string;
  result: AuditResult;
  /** Why, in a sentence (refusals, failures, changes). */
  reason?: string;
  planId?: string;
  kind?: string;
  registry?: string;
  target?: string;
  change?: string;
  before?: { readonly [key: string]: JsonValue };
  after?: { readonly [key: string]: JsonValue };
  durationMs?: number;
}

export const AUDIT_MAX_ENTRIES = 10_000;

export class AuditLog {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    /** Mirrors each entry to the audit channel, when one is configured; failures there are only logged. */
    private readonly mirror?: (entry: AuditEntry) => Promise<void>,
  ) {}

  get key(): string {
    return `${this.prefix}:fix:audit`;
  }

  async append(entry: AuditEntry): Promise<void> {
    const text = redact(JSON.stringify(entry));
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(AUDIT_MAX_ENTRIES), '*', 'entry', text);
    await this.mirror?.(entry);
  }

  /** The last `count` entries, newest first. */
  async last(count: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', count);
    return rows.flatMap(([, fields]) => {
      const at = fields.indexOf('entry');
      try {
        return at >= 0 ? [JSON.parse(fields[at + 1]!) as AuditEntry] : [];
      } catch {
        return [];
      }
    });
  }
}
