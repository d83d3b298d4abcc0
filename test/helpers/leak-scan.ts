// Where a leaked secret could hide, read out as plain strings for the leak check: every string inside a value
// (JSON inside strings included, HTML entities undone), and every value kept in Redis under a prefix.
import { Redis } from 'ioredis';
import { REDIS_URL } from '../fakes/redis.js';

/** Every string inside a value (parsed JSON included), HTML entities undone, so an escaped leak is still seen. */
export function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    const t = value.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        strings(JSON.parse(t), out);
      } catch {
        // not JSON
      }
    }
  } else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/** Every key under `prefix` and every value it holds, whatever its type. */
export async function redisValues(prefix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') out.push((await redis.get(key)) ?? '');
        else if (type === 'hash') out.push(...Object.entries(await redis.hgetall(key)).flat());
        else if (type === 'list') out.push(...(await redis.lrange(key, 0, -1)));
        else if (type === 'set') out.push(...(await redis.smembers(key)));
        else if (type === 'zset') out.push(...(await redis.zrange(key, '0', '-1')));
        else if (type === 'stream') for (const [, fields] of await redis.xrange(key, '-', '+')) out.push(...fields);
        out.push(key);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out;
}
