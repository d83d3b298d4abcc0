// Alert aggregation in Redis. Failures with one fingerprint within the window form a group: one Slack thread
// with an exact counter. Counting is one Lua script (atomic across workers; a retried job is counted once);
// posting state lives beside it. Every key starts with the queue prefix, so a `{hash-tag}` prefix keeps a
// group's keys in one Redis Cluster slot.
import type { RedisConnection } from '../ops/redis.js';
import type { Fingerprint } from './fingerprint.js';

// KEYS[1] fingerprint+channel → current group, KEYS[2] the channels a fingerprint alerts in, KEYS[3] the group this
// job was counted in; ARGV: prefix, window ms, new group id, job id, pipeline name, meta JSON, ttl s, the diagnosis
// message (JSON, kept for the thread), the pipeline run's link (JSON), channel, this failure's redacted log (the
// latest is what Re-run diagnoses again).
// Returns {group id, 1 when this job opened the group, Redis time ms}.
const RECORD = `
local prefix, window, newGid, jobId, pipeline = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local ttl = tonumber(ARGV[7])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- A job counted before (a retry, a redelivery) is answered with its group, even one resolved or closed since.
local counted = redis.call('GET', KEYS[3])
if counted then
  return {counted, redis.call('HGET', prefix .. ':alerts:group:' .. counted, 'opener') == jobId and 1 or 0, now}
end
local gid = redis.call('GET', KEYS[1])
local g
if gid then
  g = prefix .. ':alerts:group:' .. gid
  local last = tonumber(redis.call('HGET', g, 'last') or '0')
  if now - last > window then gid = false end
end
if not gid then
  gid = newGid
  g = prefix .. ':alerts:group:' .. gid
  redis.call('HSET', g, 'meta', ARGV[6], 'diagnosis', ARGV[8], 'first', now, 'count', 0, 'opener', jobId)
  redis.call('SET', KEYS[1], gid, 'EX', ttl)
  redis.call('SADD', KEYS[2], ARGV[10])
end
redis.call('SET', KEYS[3], gid, 'EX', ttl)
redis.call('HINCRBY', g, 'count', 1)
redis.call('HSET', g, 'last', now, 'log', ARGV[11])
local opener = redis.call('HGET', g, 'opener') == jobId
if pipeline ~= '' then
  -- A pipeline counts once however many of its runs fail; the thread links its latest failed run.
  redis.call('HSET', g .. ':runs', pipeline, ARGV[9])
  if redis.call('SADD', g .. ':pipelines', pipeline) == 1 and not opener then redis.call('SADD', g .. ':pending', pipeline) end
end
for _, k in ipairs({g, g .. ':pipelines', g .. ':pending', g .. ':runs'}) do redis.call('EXPIRE', k, ttl) end
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return {gid, opener and 1 or 0, now}`;

/** What the group's parent message shows, besides the counters. */
export interface GroupMeta {
  fingerprint: Fingerprint;
  channel: string;
  provider: string;
  title: string;
  image?: string;
  /** The answer record behind the diagnosis reply's buttons (Re-run, Resolved, Wrong cause?, evidence). */
  answerId?: string;
}

/** Who marked an alert resolved, and when (epoch ms). */
export interface Resolution {
  by: string;
  at: number;
}

/** A pipeline (counted by name) and its latest failed run, as listed in the thread. */
export interface PipelineRef {
  name: string;
  runId?: string;
  url?: string;
}

export interface GroupState {
  id: string;
  meta: GroupMeta;
  count: number;
  pipelines: number;
  first: number;
  last: number;
  parentTs?: string;
  /** The counter last shown on the parent. */
  shown?: string;
  /** Set once: a resolved group is closed (the next failure of its fingerprint opens a new one). */
  resolved?: Resolution;
}

export interface Mute {
  by: string;
  /** Epoch ms; absent: until resolved (or unmuted). */
  until?: number;
  at: number;
}

// KEYS[1] the group, KEYS[2] fingerprint+channel → current group, KEYS[3] the fingerprint's mute; ARGV: group id,
// the resolution (JSON). Marks the group resolved once, closes it (when it is still the current one) and ends a
// mute "until resolved". Returns {0} when the group is gone, {2, first resolution} when it was resolved before,
// {1, 1 when a mute ended}.
const RESOLVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local prior = redis.call('HGET', KEYS[1], 'resolved')
if prior then return {2, prior} end
redis.call('HSET', KEYS[1], 'resolved', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
local mute = redis.call('GET', KEYS[3])
if mute and cjson.decode(mute)['until'] == nil then
  redis.call('DEL', KEYS[3])
  return {1, 1}
end
return {1, 0}`;

export type ResolveOutcome = { outcome: 'gone' } | { outcome: 'already'; resolved: Resolution } | { outcome: 'resolved'; resolved: Resolution; muteEnded: boolean };

/** A mute "until resolved" ends when an alert of its fingerprint is resolved; one nobody resolves, after 30 days. */
export const MUTE_UNTIL_RESOLVED_MAX_MS = 30 * 24 * 3_600_000;

export class AlertGroups {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  private fpKey(fp: string): string {
    return `${this.prefix}:alerts:fp:${fp}`;
  }
  groupKey(gid: string): string {
    return `${this.prefix}:alerts:group:${gid}`;
  }
  private channelsKey(fp: string): string {
    return `${this.prefix}:alerts:fp-channels:${fp}`;
  }
  /** The group a job was counted in: kept as long as a group, so a retry or redelivery of it counts nothing. */
  private countedKey(jobId: string): string {
    return `${this.prefix}:alerts:job:${jobId}`;
  }
  private muteKey(fp: string): string {
    return `${this.prefix}:alerts:mute:${fp}`;
  }
  /** Kept a day past the window, so a late refresh or button still finds its group. */
  private get ttlSeconds(): number {
    return Math.ceil(this.windowMs / 1000) + 24 * 3600;
  }

  /** Count one failed job; idempotent per job id, also after its group was resolved or closed. */
  async record(
    jobId: string,
    meta: GroupMeta,
    pipeline: PipelineRef | undefined,
    diagnosisMessage: string,
    newGroupId: string,
    log: string,
  ): Promise<{ group: string; opened: boolean; at: number }> {
    // One thread per fingerprint and channel: routes may send one failure's pipelines to different channels.
    const [group, opened, at] = (await this.redis.eval(
      RECORD,
      3,
      this.fpKey(`${meta.fingerprint.id}:${meta.channel}`),
      this.channelsKey(meta.fingerprint.id),
      this.countedKey(jobId),
      this.prefix,
      this.windowMs,
      newGroupId,
      jobId,
      pipeline?.name ?? '',
      JSON.stringify(meta),
      this.ttlSeconds,
      diagnosisMessage,
      JSON.stringify(pipeline ?? {}),
      meta.channel,
      log,
    )) as [string, number, number];
    return { group, opened: opened === 1, at };
  }

  /** The open groups of a fingerprint, one per channel it alerts in (a mute re-renders each parent). */
  async currentGroups(fp: string): Promise<string[]> {
    const channels = await this.redis.smembers(this.channelsKey(fp));
    if (channels.length === 0) return [];
    const groups = await Promise.all(channels.map((channel) => this.redis.get(this.fpKey(`${fp}:${channel}`))));
    return groups.filter((g): g is string => typeof g === 'string');
  }

  async state(gid: string): Promise<GroupState | undefined> {
    const key = this.groupKey(gid);
    const [hash, pipelines] = await Promise.all([this.redis.hgetall(key), this.redis.scard(`${key}:pipelines`)]);
    if (!hash.meta) return undefined;
    return {
      id: gid,
      meta: JSON.parse(hash.meta) as GroupMeta,
      count: Number(hash.count ?? 0),
      pipelines,
      first: Number(hash.first ?? 0),
      last: Number(hash.last ?? 0),
      ...(hash.parentTs ? { parentTs: hash.parentTs } : {}),
      ...(hash.shown ? { shown: hash.shown } : {}),
      ...(hash.resolved ? { resolved: JSON.parse(hash.resolved) as Resolution } : {}),
    };
  }

  /** Mark a group resolved (once), close it and end its fingerprint's mute "until resolved". */
  async resolve(gid: string, meta: Pick<GroupMeta, 'fingerprint' | 'channel'>, resolution: Resolution): Promise<ResolveOutcome> {
    const fp = meta.fingerprint.id;
    const [code, detail] = (await this.redis.eval(RESOLVE, 3, this.groupKey(gid), this.fpKey(`${fp}:${meta.channel}`), this.muteKey(fp), gid, JSON.stringify(resolution))) as [number, string | number | undefined];
    if (code === 0) return { outcome: 'gone' };
    if (code === 2) return { outcome: 'already', resolved: JSON.parse(String(detail)) as Resolution };
    return { outcome: 'resolved', resolved: resolution, muteEnded: detail === 1 };
  }

  async setFields(gid: string, fields: Record<string, string>): Promise<void> {
    await this.redis.hset(this.groupKey(gid), fields);
  }

  async clearField(gid: string, field: string): Promise<void> {
    await this.redis.hdel(this.groupKey(gid), field);
  }

  async getField(gid: string, field: string): Promise<string | undefined> {
    return (await this.redis.hget(this.groupKey(gid), field)) ?? undefined;
  }

  /** Pipelines not yet listed in the thread. */
  async pending(gid: string): Promise<PipelineRef[]> {
    const key = this.groupKey(gid);
    const names = await this.redis.smembers(`${key}:pending`);
    if (names.length === 0) return [];
    const runs = await this.redis.hmget(`${key}:runs`, ...names);
    return names.map((name, i) => ({ ...(JSON.parse(runs[i] ?? '{}') as Partial<PipelineRef>), name }));
  }

  async markListed(gid: string, pipelines: readonly PipelineRef[]): Promise<void> {
    if (pipelines.length) await this.redis.srem(`${this.groupKey(gid)}:pending`, ...pipelines.map((p) => p.name));
  }

  /** Claim the right to post a thread reply now; false while a reply was posted less than `ms` ago. Returns the wait left. */
  async claimReply(gid: string, ms: number): Promise<{ ok: true } | { ok: false; waitMs: number }> {
    const gate = `${this.groupKey(gid)}:reply-gate`;
    if ((await this.redis.set(gate, '1', 'PX', ms, 'NX')) === 'OK') return { ok: true };
    return { ok: false, waitMs: Math.max(0, await this.redis.pttl(gate)) };
  }

  /** Serialise a group's refreshes, so an older counter never overwrites a newer one. */
  async withLock<T>(gid: string, fn: () => Promise<T>, waitMs = 20_000): Promise<T> {
    const lock = `${this.groupKey(gid)}:lock`;
    const token = `${process.pid}:${Math.random()}`;
    const deadline = Date.now() + waitMs;
    while ((await this.redis.set(lock, token, 'PX', 60_000, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error(`alert group ${gid} is locked by another refresh`);
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, lock, token);
    }
  }

  async mute(fp: string, mute: Mute): Promise<void> {
    const ttlMs = mute.until !== undefined ? Math.max(1, mute.until - Date.now()) : MUTE_UNTIL_RESOLVED_MAX_MS;
    await this.redis.set(this.muteKey(fp), JSON.stringify(mute), 'PX', ttlMs);
  }

  async unmute(fp: string): Promise<boolean> {
    return (await this.redis.del(this.muteKey(fp))) > 0;
  }

  async muted(fp: string): Promise<Mute | undefined> {
    const raw = await this.redis.get(this.muteKey(fp));
    return raw ? (JSON.parse(raw) as Mute) : undefined;
  }
}
