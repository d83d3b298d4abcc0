// `registry-doctor diagnose`: one log (file or stdin, streamed) or a JSON Lines batch.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { diagnose, diagnoseStream } from '../engine/diagnose.js';
import { renderJson, toBatchLine, toJsonLine } from '../render/json.js';
import { renderText } from '../render/text.js';
import { parseFormat, parseOrThrow } from './args.js';
import { DIAGNOSE_HELP } from './help.js';
import { CliError, EXIT, openInput, PROGRAM, Sink, sniffLog, usageError, type CliIO } from './io.js';

const COMMAND = 'diagnose';

export async function runDiagnose(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrThrow(
    () =>
      parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: {
          log: { type: 'string', short: 'l' },
          image: { type: 'string', short: 'i' },
          format: { type: 'string', short: 'f' },
          jsonl: { type: 'string' },
          probe: { type: 'boolean', short: 'p' },
          config: { type: 'string', short: 'c' },
          help: { type: 'boolean', short: 'h' },
        },
      }),
    COMMAND,
  );
  const out = new Sink(io.stdout);
  if (values.help) {
    await out.write(DIAGNOSE_HELP);
    return EXIT.ok;
  }

  if (values.jsonl !== undefined) {
    if (values.log !== undefined) throw usageError("--jsonl and --log cannot be used together", COMMAND);
    if (values.image !== undefined) throw usageError('--image applies to one log; in a batch give "image" on each line', COMMAND);
    if (values.format !== undefined) throw usageError('--format does not apply to --jsonl (the output is JSON Lines)', COMMAND);
    if (values.probe) throw usageError('--probe applies to one log, not to a --jsonl batch', COMMAND);
    return runBatch(values.jsonl, io, out);
  }

  const format = parseFormat(values.format, COMMAND);
  // Read (and validate) the configuration before the log, so a bad file fails fast. Its registries[] name the
  // provider of a host (a custom domain) with or without probes; the log-only path without --config reads none.
  const registries = values.probe || values.config !== undefined ? await (await import('./load-registries.js')).loadRegistries(values.config, io) : undefined;
  // Any reference is read as far as it goes (masked, templated, refused by Docker: that is a finding).
  const image = values.image?.trim();
  if (image === '') throw usageError("option '--image' needs a value", COMMAND);

  let path = values.log;
  if (path === undefined) {
    if (io.stdin.isTTY) throw usageError('no log given: use --log FILE, or pipe a log on stdin', COMMAND);
    path = '-';
  }
  if (path === '') throw usageError("option '--log' needs a value", COMMAND);

  const sniff = await sniffLog(await openInput(path, io));
  const name = path === '-' ? 'stdin' : `'${path}'`;
  if (sniff.kind === 'empty') {
    await new Sink(io.stderr).write(`${PROGRAM}: ${name} is empty: nothing to diagnose\n`);
    return EXIT.notFound;
  }
  if (sniff.kind === 'binary') {
    await new Sink(io.stderr).write(`${PROGRAM}: input looks binary, not a text log (${name})\n`);
    return EXIT.notFound;
  }

  const fromLog = await diagnoseStream(sniff.chunks, { ...(image !== undefined ? { image } : {}), ...(registries ? { registries } : {}) });
  // The probe code loads only when asked for: the log-only path starts as fast as before.
  const diagnosis = registries && values.probe
    ? await (await import('../probes/probe-diagnosis.js')).probeDiagnosis(fromLog, { registries, env: io.env ?? {} })
    : fromLog;
  const color = Boolean(io.stdout.isTTY) && !io.env?.NO_COLOR;
  await out.write(format === 'json' ? renderJson(diagnosis) : renderText(diagnosis, { color }));
  return diagnosis.findings.length > 0 ? EXIT.ok : EXIT.notFound;
}

/** One input line of a batch. Extra fields are ignored. */
export const BatchInputLine = z.object({
  id: z.union([z.string().min(1), z.number()]),
  log: z.string(),
  image: z.string().nullish(),
});

/** zod issues as one short line: `log: expected string`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** The line's id when it can be told: from the parsed object, or read from a line that is not JSON. */
function idOf(raw: unknown, line: string): { id?: string } {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const id = (raw as { id?: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return { id: String(id) };
    return {};
  }
  const written = /"id"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?))/.exec(line);
  const id = written?.[1] ?? written?.[2];
  return id !== undefined && id !== '' ? { id } : {};
}

async function runBatch(path: string, io: CliIO, out: Sink): Promise<number> {
  const input = await openInput(path, io);
  const err = new Sink(io.stderr);
  const lines = createInterface({ input: Readable.from(input), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (out.broken) break;
      if (line.trim() === '') continue;
      // A line that cannot be read gets an error line of its own; the batch goes on.
      let raw: unknown;
      let problem: string | undefined;
      try {
        raw = JSON.parse(line);
      } catch (error) {
        problem = `not JSON (${(error as Error).message})`;
      }
      const parsed = problem === undefined ? BatchInputLine.safeParse(raw) : undefined;
      if (parsed && !parsed.success) problem = describeIssues(parsed.error);
      if (!parsed?.success) {
        const message = problem ?? 'malformed line';
        await err.write(`${PROGRAM}: line ${lineNo}: ${message}\n`);
        await out.write(`${toJsonLine({ ...idOf(raw, line), error: message })}\n`);
        continue;
      }
      const { id, log, image } = parsed.data;
      // An image reference that cannot be parsed is read as far as it goes, and is a finding itself.
      const diagnosis = diagnose(image?.trim() ? { log, image } : { log });
      await out.write(`${toJsonLine(toBatchLine(String(id), diagnosis))}\n`);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read the batch at line ${lineNo + 1}: ${(error as Error).message}`, EXIT.usage);
  } finally {
    lines.close();
  }
  return EXIT.ok;
}
