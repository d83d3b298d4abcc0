// Idempotent posting: what a job has already posted to Slack, keyed by job id, in Redis.
// A retried job, a job picked up again after a worker crash, or a second worker never posts a step twice.
import type { RedisConnection } from '../ops/redis.js';
import type { RecentDiagnosis } from '../render/slack/messages.js';

/** `delivered`: the answer sent to the person another way (DM, response_url) when the channel could not take it. */
export type PostStep = 'parent' | 'reply' | 'failure' | 'delivered';

export class PostInProgressError extends Error {
  override name = 'PostInProgressError';
}

export interface PostStateOptions {
  /** Key prefix (the queue prefix): every key starts with it, so a `{hash-tag}` prefix keeps them in one slot. */
  prefix: string;
  /** How long a job's record is kept (days). */
  ttlSeconds?: number;
  /** How long one worker holds the right to post a step; longer than a Slack call with its retries. */
  claimMs?: number;
  /** How long to wait for another worker's post to finish before giving up (the job is retried). */
  waitMs?: number;
  recentLimit?: number;
}

export class PostState {
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly claimMs: number;
  private readonly waitMs: number;
  private readonly recentLimit: number;

  constructor(
    private readonly redis: RedisConnection,
    options: PostStateOptions,
  ) {
    this.prefix = options.prefix;
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
    this.claimMs = options.claimMs ?? 90_000;
    this.waitMs = options.waitMs ?? 5_000;
    this.recentLimit = options.recentLimit ?? 20;
  }

  key(jobId: string): string {
    return `${this.prefix}:slack-post:${jobId}`;
  }

  private claimKey(jobId: string, step: PostStep): string {
    return `${this.key(jobId)}:claim:${step}`;
  }

  /** All diagnoses (operators), or one user's (App Home shows people only their own: channels may be private). */
  recentKey(user?: string): string {
    return user ? `${this.prefix}:recent:user:${user}` : `${this.prefix}:recent`;
  }

  async get(jobId: string): Promise<Partial<Record<PostStep, string>>> {
    return (await this.redis.hgetall(this.key(jobId))) as Partial<Record<PostStep, string>>;
  }

  /**
   * Run `post` at most once for (job, step) and return its `ts`; later calls return the stored `ts`.
   * Claimed with SET NX (expiring), so two workers cannot both post; the stored `ts` survives retries.
   */
  async once(jobId: string, step: PostStep, post: () => Promise<string>): Promise<{ ts: string; posted: boolean }> {
    const key = this.key(jobId);
    const existing = await this.redis.hget(key, step);
    if (existing) return { ts: existing, posted: false };
    const claim = this.claimKey(jobId, step);
    const token = `${process.pid}:${Date.now()}:${Math.random()}`;
    const got = await this.redis.set(claim, token, 'PX', this.claimMs, 'NX');
    if (got !== 'OK') {
      const deadline = Date.now() + this.waitMs;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        const ts = await this.redis.hget(key, step);
        if (ts) return { ts, posted: false };
      }
      throw new PostInProgressError(`another worker is posting the ${step} of job ${jobId}`);
    }
    try {
      const ts = await post();
      await this.redis.multi().hset(key, step, ts).expire(key, this.ttlSeconds).exec();
      return { ts, posted: true };
    } finally {
      // Release only our own claim.
      await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, claim, token);
    }
  }

  /** Add a finished diagnosis to the capped App Home list, once per job. */
  async addRecent(summary: RecentDiagnosis): Promise<void> {
    const first = await this.redis.hsetnx(this.key(summary.jobId), 'recent', '1');
    if (first !== 1) return;
    const row = JSON.stringify(summary);
    const all = this.recentKey();
    const mine = this.recentKey(summary.user);
    await this.redis
      .multi()
      .lpush(all, row)
      .ltrim(all, 0, this.recentLimit - 1)
      .lpush(mine, row)
      .ltrim(mine, 0, this.recentLimit - 1)
      .expire(mine, 90 * 24 * 3600)
      .exec();
  }

  async recent(user?: string, limit = this.recentLimit): Promise<RecentDiagnosis[]> {
    const rows = await this.redis.lrange(this.recentKey(user), 0, limit - 1);
    const out: RecentDiagnosis[] = [];
    for (const row of rows) {
      try {
        out.push(JSON.parse(row) as RecentDiagnosis);
      } catch {
        // A bad row is skipped, not fatal for App Home.
      }
    }
    return out;
  }
}
