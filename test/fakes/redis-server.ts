// A Redis of a test's own (the shared one on 6379 must never be stopped): started on a free loopback port with
// append-only persistence in a temporary folder, so a test can stop it, start it again with the same data,
// or pause it (SIGSTOP) to simulate a stall.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './app-process.js';

const run = promisify(execFile);

export interface OwnRedis {
  url: string;
  port: number;
  /** Stop the server (its data stays on disk for the next start). */
  stop(): Promise<void>;
  /** Start it again on the same port with the same data; resolves when it answers PING. */
  start(): Promise<void>;
  /** Freeze the server (SIGSTOP): connections stay open and nothing answers — a stall, not an outage. */
  pause(): void;
  /** Let a paused server go on (SIGCONT). */
  resume(): void;
  /** Stop it and remove its data for good. */
  destroy(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-redis-'));
  let port = 0;
  let server: ChildProcess | undefined;
  /** Resolves when this server (by its pid: another Redis may hold the port) answers; false if the port was taken. */
  const startOn = async (): Promise<boolean> => {
    const current = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
    server = current;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const pid = await run('redis-cli', ['-p', String(port), 'info', 'server']).then((r) => /^process_id:(\d+)/m.exec(r.stdout)?.[1], () => undefined);
      if (pid === String(current.pid)) return true;
      if (current.exitCode !== null || pid !== undefined) {
        current.kill('SIGKILL');
        return false;
      }
      if (Date.now() > deadline) throw new Error(`redis-server on :${port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const start = async () => {
    if (!(await startOn())) throw new Error(`redis-server could not have :${port} again`);
  };
  const stop = async () => {
    const current = server;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill('SIGTERM');
    });
  };
  // A free port is picked here and bound by redis-server later: another test's server may take it in between.
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    if (await startOn()) break;
    if (attempt === 3) throw new Error(`redis-server could not have a free port (last :${port})`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pause: () => void server?.kill('SIGSTOP'),
    resume: () => void server?.kill('SIGCONT'),
    async destroy() {
      server?.kill('SIGCONT');
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
