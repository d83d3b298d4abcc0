// Fix plans kept server-side: a button carries only a plan's random id, so nothing a click sends can name a
// registry, a target or a change. A plan lives for its TTL; the first click claims it (SET NX), once.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { JsonValue } from '../engine/diagnosis.js';
import { CATEGORIES, PROVIDERS } from '../engine/vocabulary.js';
import type { RedisConnection } from '../ops/redis.js';

/** 144 random bits, base64url: 24 characters, unguessable. */
export const PLAN_ID = /^[A-Za-z0-9_-]{24}$/;

const jsonObject = z.record(z.string(), z.json()) as unknown as z.ZodType<{ readonly [key: string]: JsonValue }>;

export const fixPlanSchema = z.object({
  id: z.string().regex(PLAN_ID),
  /** The fix definition (`acr.unlock`) and the live module that holds it (`acr`). */
  kind: z.string(),
  module: z.enum(['ecr', 'gar', 'acr', 'oci']),
  /** The configured registry's name: credentials and fixers are looked up by it at apply time. */
  registry: z.string(),
  provider: z.enum(PROVIDERS),
  /** The image and what the log said, to probe again after the fix. */
  image: z.string(),
  facts: jsonObject,
  /** The finding category it fixes (the re-check after the fix looks at it). */
  category: z.enum(CATEGORIES),
  title: z.string(),
  target: z.string(),
  change: z.string(),
  done: z.string(),
  command: z.string(),
  expected: jsonObject,
  params: jsonObject,
  dryRun: z.boolean(),
  createdAt: z.number(),
  /** The message the plan's button was posted on; a click from anywhere else is refused. */
  channel: z.string().optional(),
  messageTs: z.string().optional(),
});

export type FixPlan = z.infer<typeof fixPlanSchema>;

/** Who claimed a plan and, once the worker is done, how it ended. */
export interface FixClaim {
  user: string;
  at: number;
  /** Set when the fix finished: "unlocked shopreg/shop/api", "failed: …". */
  outcome?: string;
}

export class PlanStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private planKey(id: string): string {
    return `${this.prefix}:fix:plan:${id}`;
  }

  private claimKey(id: string): string {
    return `${this.prefix}:fix:claim:${id}`;
  }

  static newId(): string {
    return randomBytes(18).toString('base64url');
  }

  async save(plan: FixPlan): Promise<void> {
    await this.redis.set(this.planKey(plan.id), JSON.stringify(fixPlanSchema.parse(plan)), 'EX', this.ttlSeconds);
  }

  /** The plan, or undefined when the id is malformed, unknown or expired (or the stored record is damaged). */
  async get(id: string): Promise<FixPlan | undefined> {
    if (!PLAN_ID.test(id)) return undefined;
    const raw = await this.redis.get(this.planKey(id));
    if (!raw) return undefined;
    const parsed = fixPlanSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  /** Record the message the plans' buttons sit on (kept for the rest of each plan's TTL). */
  async bind(ids: readonly string[], channel: string, messageTs: string): Promise<void> {
    for (const id of ids) {
      const plan = await this.get(id);
      if (plan) await this.redis.set(this.planKey(id), JSON.stringify({ ...plan, channel, messageTs }), 'KEEPTTL');
    }
  }

  /** Atomically take the plan for `user`: true for the one caller that got it, false for every other. */
  async claim(id: string, user: string): Promise<boolean> {
    const claim: FixClaim = { user, at: Date.now() };
    // Kept past the plan's TTL, so a late click still learns who used it.
    return (await this.redis.set(this.claimKey(id), JSON.stringify(claim), 'EX', this.ttlSeconds * 2, 'NX')) === 'OK';
  }

  async claimOf(id: string): Promise<FixClaim | undefined> {
    if (!PLAN_ID.test(id)) return undefined;
    const raw = await this.redis.get(this.claimKey(id));
    return raw ? (JSON.parse(raw) as FixClaim) : undefined;
  }

  /** Undo a claim whose job could not be queued (nothing was applied). */
  async release(id: string): Promise<void> {
    await this.redis.del(this.claimKey(id));
  }

  async finish(id: string, outcome: string): Promise<void> {
    const claim = await this.claimOf(id);
    if (claim) await this.redis.set(this.claimKey(id), JSON.stringify({ ...claim, outcome }), 'KEEPTTL');
  }
}
