// What the buttons under a diagnosis act on, kept in Redis under an opaque id: where the answer was posted,
// the redacted log and excerpt, who marked it resolved, and the "wrong cause" answers that become labelled
// cases (`registry-doctor feedback export`). Nothing here is unredacted: the worker stores only what it posts.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CATEGORIES, PROVIDERS } from '../engine/vocabulary.js';
import type { RedisConnection } from '../ops/redis.js';

export const answerRecordSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  /** Where the answer lives: a channel, or the asker's DM when private. */
  channel: z.string(),
  /** Who asked (empty for a CI alert: nobody did). */
  user: z.string(),
  private: z.boolean(),
  parentTs: z.string().optional(),
  replyTs: z.string().optional(),
  /** The redacted log as the job held it (bounded), for re-runs and feedback. */
  log: z.string(),
  image: z.string().optional(),
  registry: z.string().optional(),
  provider: z.enum(PROVIDERS),
  /** Categories found, most likely first (empty: nothing recognised). */
  categories: z.array(z.enum(CATEGORIES)),
  /** The answer sentence as posted (mrkdwn). */
  answer: z.string(),
  /** The redacted excerpt the diagnosis read (for "Show full evidence"). */
  excerpt: z.string(),
  createdAt: z.number(),
  resolved: z.object({ by: z.string(), at: z.number() }).optional(),
  /** The CI alert this diagnosis belongs to: Resolved resolves the alert, Re-run reads its latest failure. */
  alert: z.object({ group: z.string().regex(/^[a-z0-9]+$/), fingerprint: z.string() }).optional(),
});
export type AnswerRecord = z.infer<typeof answerRecordSchema>;

/** One "wrong cause" answer: a labelled case in the shape `eval` reads, plus who said so and about what. */
export const feedbackSchema = z.object({
  id: z.string(),
  provider: z.enum(PROVIDERS),
  category: z.enum(CATEGORIES),
  decidable: z.boolean(),
  log: z.string(),
  image: z.string().nullish(),
  predicted: z.enum([...CATEGORIES, 'none']),
  by: z.string(),
  at: z.number(),
});
export type Feedback = z.infer<typeof feedbackSchema>;

export interface AnswerStoreOptions {
  prefix: string;
  /** How long buttons keep working (default 30 days); older ones are answered as expired. */
  ttlSeconds?: number;
  /** Feedback answers kept (newest). */
  feedbackLimit?: number;
}

export class AnswerStore {
  private readonly ttlSeconds: number;
  private readonly feedbackLimit: number;

  constructor(
    private readonly redis: RedisConnection,
    private readonly options: AnswerStoreOptions,
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600;
    this.feedbackLimit = options.feedbackLimit ?? 10_000;
  }

  private key(id: string): string {
    return `${this.options.prefix}:answer:${id}`;
  }

  feedbackKey(): string {
    return `${this.options.prefix}:feedback`;
  }

  /**
   * The record id of a job: made once (SET NX), so a retried job's buttons keep one id. `fresh`: made by this
   * call, so no record can exist under it yet. One round trip.
   */
  async idFor(jobId: string): Promise<{ id: string; fresh: boolean }> {
    const key = `${this.options.prefix}:answer-of:${jobId}`;
    const fresh = randomBytes(12).toString('base64url');
    const replies = await this.redis.multi().set(key, fresh, 'EX', this.ttlSeconds, 'NX').get(key).exec();
    const [set, get] = replies ?? [];
    if (set?.[0] || get?.[0]) throw set?.[0] ?? get?.[0];
    const id = typeof get?.[1] === 'string' ? get[1] : fresh;
    return { id, fresh: set?.[1] === 'OK' && id === fresh };
  }

  async put(record: AnswerRecord): Promise<void> {
    await this.redis.set(this.key(record.id), JSON.stringify(answerRecordSchema.parse(record)), 'EX', this.ttlSeconds);
  }

  /** Store a record unless one with its id exists (a retried job must not erase what was posted since). */
  async create(record: AnswerRecord): Promise<void> {
    await this.redis.set(this.key(record.id), JSON.stringify(answerRecordSchema.parse(record)), 'EX', this.ttlSeconds, 'NX');
  }

  async get(id: string): Promise<AnswerRecord | undefined> {
    const raw = await this.redis.get(this.key(id));
    if (!raw) return undefined;
    try {
      const parsed = answerRecordSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Merge fields into a record (read-modify-write; the fields merged are each written by one place). */
  async update(id: string, patch: Partial<AnswerRecord>): Promise<AnswerRecord | undefined> {
    const record = await this.get(id);
    if (!record) return undefined;
    const next = { ...record, ...patch };
    await this.put(next);
    return next;
  }

  /** Mark resolved once: the first person and time are kept; returns the record as it stands. */
  async resolve(id: string, by: string, at: number): Promise<{ record: AnswerRecord; first: boolean } | undefined> {
    const claimed = await this.redis.set(`${this.key(id)}:resolved`, by, 'EX', this.ttlSeconds, 'NX');
    const record = await this.get(id);
    if (!record) return undefined;
    if (claimed !== 'OK') return { record, first: false };
    return { record: (await this.update(id, { resolved: { by, at } })) ?? record, first: true };
  }

  async addFeedback(feedback: Feedback): Promise<void> {
    const key = this.feedbackKey();
    await this.redis.multi().lpush(key, JSON.stringify(feedbackSchema.parse(feedback))).ltrim(key, 0, this.feedbackLimit - 1).exec();
  }

  /** Every stored feedback answer, oldest first; malformed rows are counted, not fatal. */
  async feedback(): Promise<{ rows: Feedback[]; skipped: number }> {
    const raws = await this.redis.lrange(this.feedbackKey(), 0, -1);
    const rows: Feedback[] = [];
    let skipped = 0;
    for (const raw of raws.reverse()) {
      try {
        rows.push(feedbackSchema.parse(JSON.parse(raw)));
      } catch {
        skipped += 1;
      }
    }
    return { rows, skipped };
  }
}
