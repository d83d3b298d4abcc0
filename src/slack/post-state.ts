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

const OWN_CLAIM_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

// The start of a post, atomic (KEYS[1] the job's record, KEYS[2] the step's claim; ARGV step, token, claimMs,
// now, canFind, ttlSeconds): the recorded ts ('done'); or 'busy' when another holder has the claim; or the
// claim taken and either the pending mark an earlier post left ('pending', for `find` to look for its message)
// or a fresh pending mark set ('claimed'). A mark is the time the post began, then `|` and what to look for
// once the post has said it (`mark`).
const CLAIM = `
local done = redis.call('HGET', KEYS[1], ARGV[1])
if done then return {'done', done} end
if not redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'NX') then return {'busy'} end
local pending = redis.call('HGET', KEYS[1], ARGV[1] .. ':pending')
if pending and ARGV[5] == '1' then return {'pending', pending} end
redis.call('HSET', KEYS[1], ARGV[1] .. ':pending', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[6])
return {'claimed'}`;

// The post's ts recorded, its pending mark cleared and our own claim released, at once (ARGV step, ts, ttlSeconds, token).
const RECORD_AND_RELEASE = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[1], ARGV[1] .. ':pending')
redis.call('EXPIRE', KEYS[1], ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
return 1`;

// Once per job (the `recent` flag in its record): the row at the head of both capped lists (ARGV row, last index, the user list's ttl).
const ADD_RECENT = `
if redis.call('HSETNX', KEYS[1], 'recent', '1') == 0 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], 0, ARGV[2])
redis.call('LPUSH', KEYS[3], ARGV[1])
redis.call('LTRIM', KEYS[3], 0, ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1`;

type ClaimAnswer = ['done', string] | ['busy'] | ['pending', string] | ['claimed'];

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
   * A post whose identity Slack assigns on the way (a file's id) adds it to the mark with `mark` before the
   * call that makes it visible; `find` gets it back as `lookFor`.
   */
  async once(
    jobId: string,
    step: PostStep,
    post: (mark: (lookFor: string) => Promise<void>) => Promise<string>,
    find?: (sinceMs: number, lookFor: string | undefined) => Promise<string | undefined>,
  ): Promise<{ ts: string; posted: boolean }> {
    const key = this.key(jobId);
    const claim = this.claimKey(jobId, step);
    const token = `${process.pid}:${Date.now()}:${Math.random()}`;
    const deadline = Date.now() + this.waitMs;
    let claimed: ClaimAnswer;
    let markedAt = Date.now();
    while ((claimed = await this.claim(key, claim, step, token, markedAt, find !== undefined))[0] === 'busy') {
      // Another worker is posting this step: wait for its ts, or for its claim to lapse (it died).
      if (Date.now() > deadline) throw new PostInProgressError(`another worker is posting the ${step} of job ${jobId}`);
      await new Promise((r) => setTimeout(r, 100));
      markedAt = Date.now();
    }
    if (claimed[0] === 'done') return { ts: claimed[1], posted: false };
    const renew = setInterval(() => {
      void this.redis.eval(OWN_CLAIM_RENEW, 1, claim, token, this.claimMs).catch(() => {});
    }, Math.max(50, Math.floor(this.claimMs / 3)));
    let released = false;
    try {
      if (claimed[0] === 'pending' && find) {
        const [since = '0', ...lookFor] = claimed[1].split('|');
        const found = await find(Number(since), lookFor.length > 0 ? lookFor.join('|') : undefined);
        if (found) {
          await this.recordAndRelease(key, claim, step, found, token);
          released = true;
          return { ts: found, posted: false };
        }
        markedAt = Date.now();
        await this.setMark(key, step, String(markedAt));
      }
      const ts = await post((lookFor) => this.setMark(key, step, `${markedAt}|${lookFor}`));
      await this.recordAndRelease(key, claim, step, ts, token);
      released = true;
      return { ts, posted: true };
    } finally {
      clearInterval(renew);
      // Release only our own claim.
      if (!released) await this.redis.eval(OWN_CLAIM_RELEASE, 1, claim, token);
    }
  }

  /** One round trip: the step's ts if recorded, else the claim (busy when another holder has it) and the pending mark. */
  private async claim(key: string, claim: string, step: PostStep, token: string, now: number, canFind: boolean): Promise<ClaimAnswer> {
    const answer = (await this.redis.eval(CLAIM, 2, key, claim, step, token, this.claimMs, now, canFind ? '1' : '0', this.ttlSeconds)) as string[];
    return answer as ClaimAnswer;
  }

  private async setMark(key: string, step: PostStep, mark: string): Promise<void> {
    await this.redis.multi().hset(key, `${step}:pending`, mark).expire(key, this.ttlSeconds).exec();
  }

  private async recordAndRelease(key: string, claim: string, step: PostStep, ts: string, token: string): Promise<void> {
    await this.redis.eval(RECORD_AND_RELEASE, 2, key, claim, step, ts, this.ttlSeconds, token);
  }

  /** Add a finished diagnosis to the capped App Home list, once per job. */
  async addRecent(summary: RecentDiagnosis): Promise<void> {
    await this.redis.eval(ADD_RECENT, 3, this.key(summary.jobId), this.recentKey(), this.recentKey(summary.user), JSON.stringify(summary), this.recentLimit - 1, 90 * 24 * 3600);
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
