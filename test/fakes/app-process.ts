// Start registry-doctor as `npm start` does: `node dist/main.js [--role …]`, built from this tree's src.
// Each test file builds its own copy under node_modules/.cache (so parallel files never race on dist/).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

let built: string | undefined;

/** `tsc -p tsconfig.build.json` into a private out dir; returns the path of main.js. */
export function buildApp(): string {
  if (built) return built;
  const cache = join(ROOT, 'node_modules/.cache/registry-doctor-e2e');
  pruneBuilds(cache);
  const outDir = join(cache, `${process.pid}-${randomBytes(3).toString('hex')}`);
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    // Type errors elsewhere in the tree still emit JavaScript; only a missing entry is fatal.
    if (!existsSync(join(outDir, 'main.js'))) throw error;
  }
  built = join(outDir, 'main.js');
  return built;
}

/** Remove the builds of test processes that are gone (vitest may end its workers without an exit event). */
function pruneBuilds(cache: string): void {
  if (!existsSync(cache)) return;
  for (const dir of readdirSync(cache)) {
    const pid = Number(dir.split('-')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch (error) {
      alive = (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) rmSync(join(cache, dir), { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
    srv.on('error', reject);
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export interface AppProcess {
  proc: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-0000-fake';

export interface StartOptions {
  env: Record<string, string>;
  args?: string[];
  /** Wait for /healthz (default true). */
  waitHealthy?: boolean;
  port?: number;
}

export async function startApp(options: StartOptions): Promise<AppProcess> {
  const main = buildApp();
  const port = options.port ?? (await freePort());
  const proc = spawn(process.execPath, [main, ...(options.args ?? [])], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      PORT: String(port),
      LOG_LEVEL: 'info',
      REGISTRY_DOCTOR_CONFIG: join(ROOT, 'test/config/fixtures/no-registries.yml'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopProcess(proc);
  if (options.waitHealthy !== false) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`app exited with ${proc.exitCode}:\n${out}`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`app did not become healthy:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { proc, port, url, output: () => out, stop };
}
