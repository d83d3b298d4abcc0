// A real 3-node Redis Cluster (Debian's redis-server with --cluster-enabled yes), started on free loopback
// ports in a temporary folder and joined with `redis-cli --cluster create`. Nothing is kept on disk after stop.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './app-process.js';

const run = promisify(execFile);

export interface RedisCluster {
  /** `127.0.0.1:port,…`, as REDIS_CLUSTER_NODES takes it. */
  nodes: string;
  ports: number[];
  stop(): Promise<void>;
}

export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  // Free ports are picked here and bound by redis-server later: another test's server may take one in between.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOn(await Promise.all(Array.from({ length: size }, () => freePort())));
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startOn(ports: number[]): Promise<RedisCluster> {
  if (new Set(ports).size < ports.length) throw new PortTakenError('the same free port twice');
  const dir = mkdtempSync(join(tmpdir(), 'rd-cluster-'));
  const servers: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    await Promise.all(
      servers.map((server) => (server.exitCode !== null ? undefined : new Promise<void>((resolve) => {
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }))),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, port] of ports.entries()) {
      // This node answers (by its pid: another Redis may hold the port), or it exited: its port was taken.
      await waitFor(async () => {
        const pid = await run('redis-cli', ['-p', String(port), 'info', 'server']).then((r) => /^process_id:(\d+)/m.exec(r.stdout)?.[1], () => undefined);
        if (servers[i]!.exitCode !== null || (pid !== undefined && pid !== String(servers[i]!.pid))) throw new PortTakenError(`:${port} was taken`);
        return pid !== undefined;
      });
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitFor(async () =>
      (await Promise.all(ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info'])))).every((r) => r.stdout.includes('cluster_state:ok')),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((p) => `127.0.0.1:${p}`).join(','), ports, stop };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await check().catch((error: unknown) => {
      if (error instanceof PortTakenError) throw error;
      return false;
    });
    if (done) return;
    if (Date.now() > deadline) throw new Error('the Redis Cluster did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
}
