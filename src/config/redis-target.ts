// Where Redis is: one server (`REDIS_URL`), or a Redis Cluster (a comma-separated list of node URLs in
// `REDIS_URL`, or `REDIS_CLUSTER_NODES=host:port,host:port`). Pure: parsing only, no connection.

export interface RedisNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean };

export class RedisTargetError extends Error {
  override name = 'RedisTargetError';
}

const SCHEMES = new Set(['redis:', 'rediss:']);

function parseNodeUrl(text: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `redis://${text}`);
  } catch {
    throw new RedisTargetError(`${variable}: "${text}" is not a Redis URL (expected redis://host:port or rediss://user:password@host:port)`);
  }
  if (!SCHEMES.has(url.protocol)) throw new RedisTargetError(`${variable}: "${url.protocol}" is not redis: or rediss:`);
  if (!url.hostname) throw new RedisTargetError(`${variable}: "${text}" names no host`);
  return url;
}

/** The Redis the bot connects to; throws a RedisTargetError that names the variable and what is wrong. */
export function parseRedisTarget(redisUrl: string, clusterNodes?: string): RedisTarget {
  const list = clusterNodes?.trim() ? clusterNodes : redisUrl;
  const variable = clusterNodes?.trim() ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
  const parts = list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new RedisTargetError(`${variable} is empty`);
  const urls = parts.map((part) => parseNodeUrl(part, variable));
  if (parts.length === 1 && variable === 'REDIS_URL') return { kind: 'single', url: parts[0]! };
  const first = urls[0]!;
  return {
    kind: 'cluster',
    nodes: urls.map((url) => ({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) })),
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    tls: first.protocol === 'rediss:',
  };
}

/**
 * Redis Cluster runs a multi-key command only when its keys share a hash slot; BullMQ's scripts and the
 * inbox's BLMOVE touch several keys, so on a cluster the key prefix must carry a `{hash tag}`.
 */
export function clusterSafePrefix(prefix: string, target: RedisTarget): string {
  if (target.kind === 'single' || /\{[^}]+\}/.test(prefix)) return prefix;
  return `{${prefix}}`;
}
