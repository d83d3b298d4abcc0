// The CLI as a function: arguments and streams in, exit code out. No process globals here.
import { runDiagnose } from './diagnose.js';
import { MAIN_HELP, version } from './help.js';
import { CliError, EXIT, PROGRAM, Sink, usageError, type CliIO } from './io.js';

// The other commands load only when they run, so `diagnose` on a log starts with nothing it does not use.
const COMMANDS: Record<string, (args: string[], io: CliIO) => Promise<number>> = {
  diagnose: runDiagnose,
  check: async (args, io) => (await import('./check.js')).runCheck(args, io),
  eval: async (args, io) => (await import('./eval.js')).runEval(args, io),
  report: async (args, io) => (await import('./report.js')).runReport(args, io),
  feedback: async (args, io) => (await import('./feedback.js')).runFeedback(args, io),
};

async function dispatch(io: CliIO): Promise<number> {
  const [first, ...rest] = io.argv;
  const out = new Sink(io.stdout);
  if (first === undefined) {
    await new Sink(io.stderr).write(MAIN_HELP);
    return EXIT.usage;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    // `help diagnose` is `diagnose --help`.
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && COMMANDS[topic]) return COMMANDS[topic]!(['--help'], io);
    if (topic !== undefined) throw usageError(`unknown command '${topic}'`);
    await out.write(MAIN_HELP);
    return EXIT.ok;
  }
  if (first === '-V' || first === '--version') {
    await out.write(`${PROGRAM} ${version()}\n`);
    return EXIT.ok;
  }
  if (first.startsWith('-')) throw usageError(`unknown option '${first}'`);
  const command = COMMANDS[first];
  if (!command) throw usageError(`unknown command '${first}'`);
  return command(rest, io);
}

/** Run the CLI. Never throws, never prints a stack trace (unless REGISTRY_DOCTOR_DEBUG is set). */
export async function runCli(io: CliIO): Promise<number> {
  const err = new Sink(io.stderr);
  try {
    return await dispatch(io);
  } catch (error) {
    if (error instanceof CliError) {
      await err.write(`${PROGRAM}: ${error.message}\n`);
      if (error.helpFor !== undefined) {
        const help = error.helpFor ? `${PROGRAM} ${error.helpFor} --help` : `${PROGRAM} --help`;
        await err.write(`Try '${help}'.\n`);
      }
      return error.code;
    }
    const message = error instanceof Error ? error.message : String(error);
    await err.write(`${PROGRAM}: internal error: ${message.split('\n')[0]}\n`);
    if (io.env?.REGISTRY_DOCTOR_DEBUG && error instanceof Error && error.stack) await err.write(`${error.stack}\n`);
    return EXIT.internal;
  }
}
