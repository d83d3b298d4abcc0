// Slack's rate limits, shared by every process through Redis (each reservation atomic, on Redis' clock):
// - posts: about one message a second per channel, so each post reserves the channel's next free slot;
// - chat.update: Tier 3, about 50 a minute per workspace (per method, whatever the channel), so every update
//   reserves a slot of one workspace-wide schedule that lets a short burst through and then spaces calls so
//   that no minute holds more than the limit.
// A 429's Retry-After pushes the channel's (or the method's) next slot back for everyone.
import type { RedisConnection } from '../ops/redis.js';

// Generic cell rate algorithm: KEYS[1] holds the theoretical arrival time (tat). A call may go `ARGV[2]` ms
// (the burst tolerance) ahead of it; each call moves it one interval (`ARGV[1]`) on. Returns the wait (ms).
// With no tolerance this is a plain "next free slot" per key.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
redis.call('SET', KEYS[1], tat + interval, 'PX', tat + interval - now + 60000)
return math.max(0, tat - now - tolerance)`;

// Nothing may be sent before now + ARGV[1] ms (the tolerance ARGV[2] added, so that no burst slips in early).
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[1]) + tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > tat then redis.call('SET', KEYS[1], until_, 'PX', until_ - now + 60000) end
return 0`;

/** A per-workspace limit: at most `perWindow` calls in any `windowMs` (Slack's tiers are per minute). */
export interface MethodLimit {
  perWindow: number;
  windowMs: number;
}

interface Schedule {
  intervalMs: number;
  toleranceMs: number;
}

/**
 * The schedule that keeps a method under its limit: a burst of a fifth of the limit at once, then calls spaced
 * so that burst + spaced calls stay at least one call under the limit in any window (arrival jitter).
 */
export function scheduleFor(limit: MethodLimit): Schedule {
  const burst = Math.max(1, Math.floor(limit.perWindow / 5));
  const spaced = Math.max(1, limit.perWindow - burst - 1);
  const intervalMs = Math.ceil(limit.windowMs / spaced);
  return { intervalMs, toleranceMs: (burst - 1) * intervalMs };
}

export interface SlackPacerOptions {
  prefix: string;
  /** Minimum spacing of posts in one channel. */
  channelIntervalMs: number;
  /** Workspace-wide limits by Web API method (chat.update); a method not named here is not paced this way. */
  methods: Readonly<Record<string, MethodLimit>>;
}

export class SlackPacer {
  private readonly schedules: Map<string, Schedule>;

  constructor(
    private readonly redis: RedisConnection,
    private readonly options: SlackPacerOptions,
  ) {
    this.schedules = new Map(Object.entries(options.methods).map(([method, limit]) => [method, scheduleFor(limit)]));
  }

  private channelKey(channel: string): string {
    return `${this.options.prefix}:slack-pace:${channel}`;
  }

  private methodKey(method: string): string {
    return `${this.options.prefix}:slack-pace:method:${method}`;
  }

  /** Wait for this channel's next slot. */
  async take(channel: string): Promise<void> {
    await this.wait(RESERVE, this.channelKey(channel), this.options.channelIntervalMs, 0);
  }

  /** Slack said Retry-After: nobody posts in this channel before it has passed. */
  async hold(channel: string, ms: number): Promise<void> {
    await this.redis.eval(HOLD, 1, this.channelKey(channel), Math.ceil(ms), 0);
  }

  /** True when `method` has a workspace-wide limit here. */
  pacesMethod(method: string): boolean {
    return this.schedules.has(method);
  }

  /** Wait for the method's next workspace-wide slot. */
  async takeMethod(method: string): Promise<void> {
    const schedule = this.schedules.get(method);
    if (schedule) await this.wait(RESERVE, this.methodKey(method), schedule.intervalMs, schedule.toleranceMs);
  }

  /** Slack said Retry-After on a workspace-limited method: nobody calls it before it has passed. */
  async holdMethod(method: string, ms: number): Promise<void> {
    const schedule = this.schedules.get(method);
    if (schedule) await this.redis.eval(HOLD, 1, this.methodKey(method), Math.ceil(ms), schedule.toleranceMs);
  }

  private async wait(script: string, key: string, intervalMs: number, toleranceMs: number): Promise<void> {
    const wait = Number(await this.redis.eval(script, 1, key, intervalMs, toleranceMs));
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
