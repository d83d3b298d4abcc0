// Idempotent posting: what a job has already posted to Slack, keyed by job id, in Redis.
// A retried job, a job picked up again after a worker crash, or a second worker never posts a step twice.
import type { RedisConnection } from '../ops/redis.js';
import type { RecentDiagnosis } from '../render/slack/messages.js';

/**
 * `delivered`: the answer sent to the person another way (DM, response_url) when the channel could not take it.
 * `documents`: long documents shared as files after the reply. `list-…`: an alert thread's "new pipelines"
 * reply, one step per listing.
 */
export type PostStep = 'parent' | 'reply' | 'failure' | 'delivered' | 'documents' | `list-${string}`;

const OWN_CLAIM_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

export class PostInProgressError extends Error {
  override name = 'PostInProgressError';
}

export interface PostStateOptions {
  /** Key prefix (the queue prefix): every key starts with it, so a `{hash-tag}` prefix keeps them in one slot. */
  prefix: string;
  /** How long a job's record is kept (days). */
  ttlSeconds?: number;
  /** How long a claim to post a step outlives its holder (renewed while the holder posts): the worker lock time. */
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
    this.claimMs = options.claimMs ?? 30_000;
    // Long enough for a dead holder's claim to lapse, and for a live one's Slack call with its retries.
    this.waitMs = options.waitMs ?? this.claimMs + 60_000;
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
   * Claimed with SET NX, renewed while the post runs and lapsing `claimMs` after its holder dies (the worker's
   * lock time, so a job picked up after a crash finds the claim gone, not held for longer than its lock).
   * A post that began and never recorded its ts (a timeout after Slack took it, a crash, a lost lock) leaves a
   * pending mark; whoever posts next calls `find` first and reuses the message it finds instead of posting again.
   */
  async once(
    jobId: string,
    step: PostStep,
    post: () => Promise<string>,
    find?: (sinceMs: number) => Promise<string | undefined>,
  ): Promise<{ ts: string; posted: boolean }> {
    const key = this.key(jobId);
    const existing = await this.redis.hget(key, step);
    if (existing) return { ts: existing, posted: false };
    const claim = this.claimKey(jobId, step);
    const token = `${process.pid}:${Date.now()}:${Math.random()}`;
    const deadline = Date.now() + this.waitMs;
    while ((await this.redis.set(claim, token, 'PX', this.claimMs, 'NX')) !== 'OK') {
      // Another worker is posting this step: wait for its ts, or for its claim to lapse (it died).
      if (Date.now() > deadline) throw new PostInProgressError(`another worker is posting the ${step} of job ${jobId}`);
      await new Promise((r) => setTimeout(r, 100));
      const ts = await this.redis.hget(key, step);
      if (ts) return { ts, posted: false };
    }
    const renew = setInterval(() => {
      void this.redis.eval(OWN_CLAIM_RENEW, 1, claim, token, this.claimMs).catch(() => {});
    }, Math.max(50, Math.floor(this.claimMs / 3)));
    try {
      const [done, pending] = await this.redis.hmget(key, step, `${step}:pending`);
      if (done) return { ts: done, posted: false };
      if (pending && find) {
        const found = await find(Number(pending));
        if (found) {
          await this.record(key, step, found);
          return { ts: found, posted: false };
        }
      }
      await this.redis.multi().hset(key, `${step}:pending`, String(Date.now())).expire(key, this.ttlSeconds).exec();
      const ts = await post();
      await this.record(key, step, ts);
      return { ts, posted: true };
    } finally {
      clearInterval(renew);
      // Release only our own claim.
      await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, claim, token);
    }
  }

  private async record(key: string, step: PostStep, ts: string): Promise<void> {
    await this.redis.multi().hset(key, step, ts).hdel(key, `${step}:pending`).expire(key, this.ttlSeconds).exec();
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
