// The CLI's edges: the streams it is given, its errors, reading a log without holding it in memory.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';

export const PROGRAM = 'registry-doctor';

/** Everything a command touches, injected so tests can drive it in-process. */
export interface CliIO {
  /** Arguments after the program name. */
  argv: string[];
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env?: Record<string, string | undefined>;
}

export const EXIT = {
  /** A registry failure was diagnosed; a report was printed; a batch was all well-formed. */
  ok: 0,
  internal: 1,
  /** Usage error, unreadable input, malformed batch or evaluation input. */
  usage: 2,
  /** The log shows no registry failure (also: empty or binary input). */
  notFound: 3,
  /** check: a push would fail now; the cause is printed. */
  pushBlocked: 4,
  /** check: the probes could not tell (registry unreachable from here, no credentials, timeouts). */
  pushUnknown: 5,
} as const;

/** An error the user can fix: printed as one line, then exit with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT.usage,
    /** Name of the subcommand whose `--help` to suggest (usage errors only). */
    readonly helpFor?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, command?: string): CliError {
  return new CliError(message, EXIT.usage, command ?? '');
}

/** A writable that never throws: a closed pipe (`| head`) marks it broken and later writes are dropped. */
export class Sink {
  broken = false;

  constructor(private readonly stream: Writable) {
    stream.on('error', () => {
      this.broken = true;
    });
  }

  async write(text: string): Promise<void> {
    if (this.broken || text.length === 0) return;
    let ok: boolean;
    try {
      ok = this.stream.write(text);
    } catch {
      this.broken = true;
      return;
    }
    if (ok) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('error', done);
      this.stream.once('close', done);
    });
  }
}

function describeFsError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `cannot read '${path}': no such file`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read '${path}': permission denied`;
    case 'EISDIR':
      return `cannot read '${path}': is a directory`;
    default:
      return `cannot read '${path}': ${(error as Error | undefined)?.message ?? String(error)}`;
  }
}

/** Open a file (or `-` for stdin) as a stream of bytes; file errors become one-line CliErrors. */
export async function openInput(path: string, io: CliIO): Promise<AsyncIterable<Buffer>> {
  if (path === '-') return io.stdin as AsyncIterable<Buffer>;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (error) {
    throw new CliError(describeFsError(path, error), EXIT.usage);
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return (async function* () {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (error) {
      throw new CliError(describeFsError(path, error), EXIT.usage);
    } finally {
      stream.destroy();
    }
  })();
}

/** Bytes looked at to tell a text log from binary data (as git and grep do). */
const SNIFF_BYTES = 8192;

export type LogSniff =
  | { kind: 'empty' }
  | { kind: 'binary' }
  | { kind: 'text'; encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; chunks: AsyncIterable<string> };

/**
 * True when `head` looks like binary data: mostly control bytes, or NUL bytes in what is not valid UTF-8.
 * A stray NUL in an otherwise valid text log (a tool's output, a truncated write) does not make it binary.
 */
export function looksBinary(head: Uint8Array): boolean {
  let control = 0;
  let nul = false;
  for (const byte of head) {
    if (byte === 0) nul = true;
    // Control bytes other than TAB, LF, VT, FF, CR, BS and ESC (ANSI colours are common in CI logs).
    if (byte < 0x20 && byte !== 9 && byte !== 10 && byte !== 11 && byte !== 12 && byte !== 13 && byte !== 8 && byte !== 27) {
      control += 1;
    }
  }
  if (head.length > 0 && control / head.length > 0.1) return true;
  return nul && !isUtf8(head);
}

/** Valid UTF-8 (a multi-byte character cut at the end of `head` is allowed). */
function isUtf8(head: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * UTF-16 without a byte-order mark (Windows tools and PowerShell redirections write it): mostly-ASCII text has a
 * zero in every other byte — the odd ones for little-endian, the even ones for big-endian.
 */
export function sniffUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(head.length / 2);
  if (pairs < 4) return undefined;
  let zeroOdd = 0;
  let zeroEven = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) zeroEven += 1;
    if (head[i + 1] === 0) zeroOdd += 1;
  }
  if (zeroOdd / pairs > 0.6 && zeroEven / pairs < 0.05) return 'utf-16le';
  if (zeroEven / pairs > 0.6 && zeroOdd / pairs < 0.05) return 'utf-16be';
  return undefined;
}

/**
 * Look at the start of a byte stream and, if it is text, return it as decoded text chunks. UTF-8 is
 * decoded with replacement characters for invalid bytes (never an error); UTF-16 is read with or without its
 * byte-order mark (PowerShell writes such logs). Nothing beyond one chunk is held in memory.
 */
export async function sniffLog(source: AsyncIterable<Buffer | Uint8Array | string>): Promise<LogSniff> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : Buffer.from(next.value);
    head.push(chunk);
    headBytes += chunk.length;
  }
  if (headBytes === 0) return { kind: 'empty' };
  const first = Buffer.concat(head);

  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' = 'utf-8';
  if (first[0] === 0xff && first[1] === 0xfe) encoding = 'utf-16le';
  else if (first[0] === 0xfe && first[1] === 0xff) encoding = 'utf-16be';
  else encoding = sniffUtf16(first.subarray(0, SNIFF_BYTES)) ?? 'utf-8';
  if (encoding === 'utf-8' && looksBinary(first.subarray(0, SNIFF_BYTES))) {
    if (!done) await iterator.return?.();
    return { kind: 'binary' };
  }

  async function* decode(): AsyncGenerator<string> {
    const decoder = new TextDecoder(encoding, { fatal: false });
    let finished = done;
    try {
      const text = decoder.decode(first, { stream: true });
      if (text) yield text;
      while (!finished) {
        const next = await iterator.next();
        if (next.done) {
          finished = true;
          break;
        }
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
        const decoded = decoder.decode(chunk, { stream: true });
        if (decoded) yield decoded;
      }
      const rest = decoder.decode();
      if (rest) yield rest;
    } finally {
      // Abandoned early (the consumer stopped): release the file.
      if (!finished) await iterator.return?.();
    }
  }
  return { kind: 'text', encoding, chunks: decode() };
}
