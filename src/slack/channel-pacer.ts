// Per-channel pacing shared by every process through Redis: Slack accepts about one message per second per
// channel, so each post reserves the channel's next free slot (atomically, on Redis' clock) and waits for it.
// A 429's Retry-After pushes the channel's next slot back for everyone.
import type { RedisConnection } from '../ops/redis.js';

// Reserve max(now, next) and move next one interval on; returns how long the caller waits (ms).
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], slot + interval, 'PX', slot + interval - now + 60000)
return slot - now`;

// Nothing may be sent before now + ARGV[1] ms.
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > nxt then redis.call('SET', KEYS[1], until_, 'PX', tonumber(ARGV[1]) + 60000) end
return 0`;

export interface ChannelPacerOptions {
  prefix: string;
  /** Minimum spacing of posts in one channel. */
  intervalMs: number;
}

export class ChannelPacer {
  constructor(
    private readonly redis: RedisConnection,
    private readonly options: ChannelPacerOptions,
  ) {}

  private key(channel: string): string {
    return `${this.options.prefix}:slack-pace:${channel}`;
  }

  /** Wait for this channel's next slot. */
  async take(channel: string): Promise<void> {
    const wait = Number(await this.redis.eval(RESERVE, 1, this.key(channel), this.options.intervalMs));
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** Slack said Retry-After: nobody posts in this channel before it has passed. */
  async hold(channel: string, ms: number): Promise<void> {
    await this.redis.eval(HOLD, 1, this.key(channel), Math.ceil(ms));
  }
}
