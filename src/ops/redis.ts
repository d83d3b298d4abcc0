// One way to open a Redis connection, to a single server or to a Redis Cluster: the rest of the code takes a
// `RedisConnection` and never knows which.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config/redis-target.js';

export type RedisConnection = Redis | Cluster;

/** Options for each connection; on a cluster they apply to every node's connection. */
export type ConnectionOptions = Pick<
  RedisOptions,
  'connectionName' | 'enableOfflineQueue' | 'maxRetriesPerRequest' | 'enableAutoPipelining' | 'commandTimeout' | 'lazyConnect'
>;

export function connectRedis(target: RedisTarget, options: ConnectionOptions): RedisConnection {
  if (target.kind === 'single') return new Redis(target.url, options);
  const { enableOfflineQueue, enableAutoPipelining, lazyConnect, ...nodeOptions } = options;
  return new Cluster(target.nodes, {
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    redisOptions: {
      ...nodeOptions,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
  });
}
