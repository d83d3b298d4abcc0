// What the benchmarks share: a numeric `--name value` flag, a Node process started with its output kept (the
// tail, for error messages), and a wait until that process answers HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from '../test/fakes/app-process.js';

export const numberArg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

export interface BenchProcess {
  proc: ChildProcess;
  out: () => string;
}

/** `node …cmd` in the project folder with only PATH and `env`; stdout and stderr drained, the tail kept. */
export function startNode(cmd: string[], env: Record<string, string>): BenchProcess {
  const proc = spawn(process.execPath, cmd, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  return { proc, out: () => out };
}

/** Resolves once a POST to `url` gets any HTTP answer; throws with the process's output if it exits or 30 s pass. */
export async function waitListening(url: string, { proc, out }: BenchProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`process exited:\n${out()}`);
    if (await fetch(url, { method: 'POST', body: '' }).then(() => true, () => false)) return;
    if (Date.now() > deadline) throw new Error(`not up:\n${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
