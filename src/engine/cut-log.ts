// A log over a size limit is cut where the failure is, never at its head: the lines the diagnosis reads
// (every line a catalog rule matches, and each line that first gave context: the push, a fact, a host, a
// provider signal), the lines around them, and the tail. Each run of lines left out becomes one marker line
// saying how much was cut. The diagnosis scanner itself says which lines it read, so what is kept is what
// the diagnosis of the whole log used. Pure.
import type { Rule } from './catalog.js';
import { newScanner } from './diagnose.js';
import { redact } from './redact.js';

/** The last lines are always wanted: a push error is printed last, and they are the answer when nothing matched. */
const TAIL_LINES = 15;
/** Evidence a rule keeps: its first lines and its last one (as the scanner does). */
const EVIDENCE_PER_RULE = 3;
/** A message wrapped over lines is read joined with up to this many lines before it (and one after). */
const WRAP_BEFORE = 4;
/** Lines around each match a person needs to read it (what ran before, what followed). */
const WINDOW = 3;
/** A kept line is kept in its first this many characters (the scanner reads no more of a line). */
const MAX_KEPT_LINE = 2_000;

/** The line that stands for a run of lines left out. */
export function cutMarker(lines: number, bytes: number): string {
  return `[… ${lines} ${lines === 1 ? 'line' : 'lines'} / ${Math.max(1, Math.ceil(bytes / 1024))} KB cut …]`;
}

/**
 * A log as it may be stored, posted or sent: its secrets redacted, then cut to `maxChars`. Redacted first,
 * so a cut never leaves a piece of a secret the redactor would no longer recognise.
 */
export function redactAndCut(log: string, maxChars: number): string {
  return cutLog(redact(log), maxChars);
}

/** `log` in at most `maxChars` characters: unchanged when it fits. */
export function cutLog(log: string, maxChars: number): string {
  if (log.length <= maxChars) return log;
  const starts = lineStarts(log);
  const lineCount = starts.length;
  const used = usedLines(log);
  const selection = new Selection(log, starts, maxChars);

  const evidence = [...used.byRule.entries()].sort(([a], [b]) => b.confidence - a.confidence).flatMap(([, lines]) => lines);
  // In order of need; each list is taken while it fits, and the next fills what room is left.
  const wanted: Iterable<number>[] = [
    countdown(lineCount, TAIL_LINES),
    evidence,
    used.context,
    around(evidence, WRAP_BEFORE, 1),
    fromLast(used.hits),
    around(fromLast(used.hits), WINDOW, WINDOW),
    countdown(lineCount),
  ];
  for (const lines of wanted) {
    for (const line of lines) selection.add(line);
  }
  const cut = selection.render();
  // Only a budget too small for even one line and a marker ends here: the end of the log, as it is.
  return cut.length <= maxChars && selection.size > 0 ? cut : log.slice(log.length - maxChars);
}

/** n, n − 1, … down to 1 (or `count` of them), lazily. */
function* countdown(n: number, count = n): Generator<number> {
  for (let i = n; i > Math.max(0, n - count); i -= 1) yield i;
}

function* fromLast(lines: readonly number[]): Generator<number> {
  for (let i = lines.length - 1; i >= 0; i -= 1) yield lines[i]!;
}

/** For each line, the `before` lines above it and the `after` lines below it, lazily. */
function* around(lines: Iterable<number>, before: number, after: number): Generator<number> {
  for (const line of lines) {
    for (let i = 1; i <= Math.max(before, after); i += 1) {
      if (i <= before) yield line - i;
      if (i <= after) yield line + i;
    }
  }
}

interface UsedLines {
  /** Per rule, the lines its evidence comes from. */
  byRule: Map<Rule, number[]>;
  /** Every line a rule matched, in log order. */
  hits: number[];
  /** Lines that gave context, in log order. */
  context: number[];
}

function usedLines(log: string): UsedLines {
  const byRule = new Map<Rule, { first: number[]; last?: number }>();
  const hits: number[] = [];
  const context: number[] = [];
  const scanner = newScanner((line, rule) => {
    if (!rule) {
      context.push(line);
      return;
    }
    if (hits[hits.length - 1] !== line) hits.push(line);
    const seen = byRule.get(rule) ?? { first: [] };
    byRule.set(rule, seen);
    if (seen.first.length < EVIDENCE_PER_RULE) {
      if (!seen.first.includes(line)) seen.first.push(line);
    } else seen.last = line;
  });
  scanner.push(log);
  scanner.finish();
  const evidence = new Map<Rule, number[]>();
  for (const [rule, seen] of byRule) evidence.set(rule, seen.last !== undefined ? [...seen.first, seen.last] : seen.first);
  return { byRule: evidence, hits, context };
}

/** Where each line begins (line n is index n − 1); a final newline ends the last line, it does not start one. */
function lineStarts(log: string): number[] {
  const starts = [0];
  for (let at = log.indexOf('\n'); at !== -1 && at + 1 < log.length; at = log.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

/** The kept lines and what rendering them costs, markers included, kept within the budget as lines are added. */
class Selection {
  private readonly kept: Uint8Array;
  private readonly markerChars: number;
  private cost: number;
  size = 0;

  constructor(
    private readonly log: string,
    private readonly starts: readonly number[],
    private readonly maxChars: number,
  ) {
    this.kept = new Uint8Array(starts.length + 2); // 1-based, with a sentinel on each side
    // A marker's cost at its longest: every line and byte of the log cut, and its newline.
    this.markerChars = cutMarker(starts.length, Buffer.byteLength(log)).length + 1;
    this.cost = this.markerChars; // nothing kept: one marker for the whole log
  }

  /** Keep line `n` if it exists and the budget allows. */
  add(n: number): void {
    if (n < 1 || n > this.starts.length || this.kept[n]) return;
    const before = n > 1 && !this.kept[n - 1];
    const after = n < this.starts.length && !this.kept[n + 1];
    // Keeping a line splits the run it was in (a marker more), ends a run of one (a marker less), or shortens one.
    const markers = before && after ? 1 : !before && !after ? -1 : 0;
    const added = this.lineText(n).length + 1 + markers * this.markerChars;
    if (this.cost + added > this.maxChars) return;
    this.kept[n] = 1;
    this.cost += added;
    this.size += 1;
  }

  render(): string {
    const out: string[] = [];
    let cutFrom = 0;
    for (let n = 1; n <= this.starts.length; n += 1) {
      if (!this.kept[n]) {
        if (cutFrom === 0) cutFrom = n;
        continue;
      }
      if (cutFrom !== 0) out.push(this.marker(cutFrom, n - 1));
      cutFrom = 0;
      out.push(this.lineText(n));
    }
    if (cutFrom !== 0) out.push(this.marker(cutFrom, this.starts.length));
    return out.join('\n') + (this.log.endsWith('\n') ? '\n' : '');
  }

  private marker(from: number, to: number): string {
    const start = this.starts[from - 1]!;
    const end = to < this.starts.length ? this.starts[to]! : this.log.length;
    return cutMarker(to - from + 1, Buffer.byteLength(this.log.slice(start, end)));
  }

  private lineText(n: number): string {
    const start = this.starts[n - 1]!;
    const next = n < this.starts.length ? this.starts[n]! - 1 : this.log.endsWith('\n') ? this.log.length - 1 : this.log.length;
    return this.log.slice(start, Math.min(next, start + MAX_KEPT_LINE));
  }
}
