// Start registry-doctor as `npm start` does: `node dist/main.js [--role …]`, built from this tree's src.
// Builds are kept under node_modules/.cache, one per content of src/ and the compiler settings: test files
// (and benchmarks) of the same tree share one build instead of compiling the project each (the compile is
// most of an e2e file's start on a busy machine), and an edit to src/ makes a new build.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

const CACHE = join(ROOT, 'node_modules/.cache/registry-doctor-e2e');
/** Builds of other contents are removed once this old (a test run of an older tree may still be using one). */
const KEEP_OTHER_BUILDS_MS = 60 * 60_000;

let built: string | undefined;

/** What the build depends on: every file under src/, the compiler settings and the compiler's version. */
function buildKey(): string {
  const hash = createHash('sha256');
  const add = (file: string) => hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else add(path);
    }
  };
  walk(join(ROOT, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'node_modules/typescript/package.json']) add(join(ROOT, file));
  return hash.digest('hex').slice(0, 16);
}

/** `tsc -p tsconfig.build.json` into the cache (once per content of src/); returns the path of main.js. */
export function buildApp(): string {
  if (built) return built;
  const key = buildKey();
  const outDir = join(CACHE, key);
  pruneBuilds(key);
  if (!existsSync(join(outDir, 'main.js'))) {
    // Built aside and renamed into place: a test file that starts meanwhile never sees half a build. Two
    // files building the same content at once both finish; the second rename fails and its copy is dropped.
    const staging = join(CACHE, `staging-${process.pid}-${randomBytes(3).toString('hex')}`);
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', staging], { cwd: ROOT, stdio: 'pipe' });
    } catch (error) {
      // Type errors elsewhere in the tree still emit JavaScript; only a missing entry is fatal.
      if (!existsSync(join(staging, 'main.js'))) {
        rmSync(staging, { recursive: true, force: true });
        throw error;
      }
    }
    try {
      renameSync(staging, outDir);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  built = join(outDir, 'main.js');
  return built;
}

/** Remove builds of other contents left long enough, and staging directories of processes that are gone. */
function pruneBuilds(current: string): void {
  if (!existsSync(CACHE)) return;
  for (const dir of readdirSync(CACHE)) {
    const path = join(CACHE, dir);
    if (dir.startsWith('staging-')) {
      const pid = Number(dir.split('-')[1]);
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (error) {
        alive = (error as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (!alive) rmSync(path, { recursive: true, force: true });
    } else if (dir !== current) {
      try {
        if (Date.now() - statSync(path).mtimeMs > KEEP_OTHER_BUILDS_MS) rmSync(path, { recursive: true, force: true });
      } catch {
        // removed meanwhile by another test file
      }
    }
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
  /**
   * Then wait for /readyz too (default true): requests go to the app once it says it can take them, as a load
   * balancer sends them. False for an app started with its Redis away.
   */
  waitReady?: boolean;
  port?: number;
}

/** The app could not have its port: taken between picking it and the app binding it. */
class PortTakenError extends Error {}

export async function startApp(options: StartOptions): Promise<AppProcess> {
  // A free port is picked here and bound by the app later: another test's server may take it in between (test
  // files run side by side), and then the app is started again on another port.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startAppOn(options.port ?? (await freePort()), options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || options.port !== undefined || attempt === 3) throw error;
    }
  }
}

async function startAppOn(port: number, options: StartOptions): Promise<AppProcess> {
  const main = buildApp();
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
  const closed = new Promise((r) => proc.once('close', r));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopProcess(proc);
  if (options.waitHealthy !== false) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) {
        await closed; // all it wrote
        throw new (/EADDRINUSE/.test(out) ? PortTakenError : Error)(`app exited with ${proc.exitCode}:\n${out}`);
      }
      const status = await fetch(`${url}/healthz`).then(
        async (res) => (await res.arrayBuffer(), res.status),
        () => undefined, // not up yet
      );
      if (status === 200) break;
      if (status !== undefined) {
        // Another server answers there (the app listens on every address; one on 127.0.0.1 alone wins).
        await stop();
        throw new PortTakenError(`another server answers on :${port} (HTTP ${status})`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`app did not become healthy:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    while (options.waitReady !== false && (await fetch(`${url}/readyz`).then(async (res) => (await res.arrayBuffer(), res.status), () => undefined)) !== 200) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`app did not become ready:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { proc, port, url, output: () => out, stop };
}
