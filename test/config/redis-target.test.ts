import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/env.js';
import { clusterSafePrefix, parseRedisTarget } from '../../src/config/redis-target.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };

describe('Redis target', () => {
  it('one URL is one server', () => {
    expect(parseRedisTarget('redis://10.0.0.5:6380')).toEqual({ kind: 'single', url: 'redis://10.0.0.5:6380' });
  });

  it('a list of nodes in REDIS_URL or REDIS_CLUSTER_NODES is a cluster, credentials and TLS from the first URL', () => {
    expect(parseRedisTarget('rediss://bot:p%40ss@a:7000, rediss://b:7001,c')).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }, { host: 'c', port: 6379 }],
      username: 'bot',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisTarget('redis://ignored:6379', '127.0.0.1:7000')).toEqual({ kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }], tls: false });
  });

  it.each([
    ['not a url', /REDIS_URL: "not a url" is not a Redis URL/],
    ['http://redis:6379', /REDIS_URL: "http:" is not redis: or rediss:/],
    [' , ', /REDIS_URL is empty/],
  ])('refuses %j with a message naming the variable', (value, message) => {
    expect(() => loadSettings({ ...base, REDIS_URL: value }, [])).toThrow(SettingsError);
    expect(() => loadSettings({ ...base, REDIS_URL: value }, [])).toThrow(message);
  });

  it('on a cluster the key prefix carries a hash tag, added when the configured one has none', () => {
    const cluster = parseRedisTarget('a:1,b:2');
    expect(clusterSafePrefix('registry-doctor', cluster)).toBe('{registry-doctor}');
    expect(clusterSafePrefix('{rd}:prod', cluster)).toBe('{rd}:prod');
    expect(clusterSafePrefix('registry-doctor', parseRedisTarget('redis://a:1'))).toBe('registry-doctor');
    expect(loadSettings({ ...base, REDIS_CLUSTER_NODES: 'a:1,b:2' }, []).queuePrefix).toBe('{registry-doctor}');
  });
});
