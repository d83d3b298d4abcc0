// Drive the CLI as a user does (a child process) or in-process through runCli with fake streams.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/run.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
export const CORPUS = fileURLToPath(new URL('../fixtures/corpus/dev.jsonl', import.meta.url));

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx src/cli/main.ts …args`, with `input` on stdin (stdin closed when none). */
export function spawnCli(
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string>; asUnprivilegedUser?: boolean } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Root reads any file; to see a permission error the CLI must run as someone else (nobody).
      ...(options.asUnprivilegedUser && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {}); // the CLI may exit before reading everything
    child.stdin.end(options.input ?? '');
  });
}

/** runCli in-process with fake streams. */
export async function runInProcess(
  argv: string[],
  options: { input?: string | Buffer; stdinIsTTY?: boolean; stdoutIsTTY?: boolean; env?: Record<string, string> } = {},
): Promise<Result> {
  const stdin = Object.assign(Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]), {
    isTTY: options.stdinIsTTY ?? false,
  });
  const stdout = Object.assign(new PassThrough(), { isTTY: options.stdoutIsTTY ?? false });
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli({ argv, stdin, stdout, stderr, env: options.env ?? {} });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
