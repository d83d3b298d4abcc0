// `registry-doctor eval`: accuracy of the classifier on a labelled JSON Lines file.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Diagnosis } from '../engine/diagnosis.js';
import { diagnose, type DiagnoseRequest } from '../engine/diagnose.js';
import { CATEGORIES, PROVIDERS } from '../engine/vocabulary.js';
import { providerLogSignals } from '../providers/index.js';
import { oneLine } from '../render/sanitize.js';
import { parseFormat, parseOrThrow } from './args.js';
import { describeIssues } from './diagnose.js';
import { EVAL_HELP } from './help.js';
import { CliError, EXIT, openInput, PROGRAM, Sink, usageError, type CliIO } from './io.js';

const COMMAND = 'eval';

export const LabelledCase = z.object({
  id: z.string().min(1),
  provider: z.enum(PROVIDERS),
  /** `none`: a failure that is not about a registry, where the right answer is no finding. */
  category: z.enum([...CATEGORIES, 'none']),
  decidable: z.boolean(),
  log: z.string(),
  image: z.string().nullish(),
});
export type LabelledCase = z.infer<typeof LabelledCase>;

/** The top category predicted; `none` when the diagnosis has no finding. */
export type Predicted = (typeof CATEGORIES)[number] | 'none';

export interface Ratio {
  correct: number;
  total: number;
  /** correct / total, 0 when total is 0. */
  accuracy: number;
}

export interface CategoryMiss {
  id: string;
  decidable: boolean;
  expected: string;
  got: Predicted;
  /** The first two categories predicted. */
  top2: Predicted[];
}

export interface ProviderMiss {
  id: string;
  expected: string;
  got: string;
}

export interface EvalReport {
  cases: number;
  decidable: number;
  provider: Ratio;
  /** Provider, on the cases whose log or image names the registry (see `namesRegistry`). */
  providerNamed: Ratio;
  /** Top finding's category, decidable cases only. */
  categoryTop1: Ratio;
  /** Label within the first two findings, all cases. */
  categoryTop2: Ratio;
  /** Expected × predicted top category, counts; only labels that occur. */
  confusion: { labels: string[]; matrix: Record<string, Record<string, number>> };
  misses: {
    /** Decidable cases whose top category is wrong, undecidable ones whose label is not in the top two. */
    category: CategoryMiss[];
    provider: ProviderMiss[];
  };
}

/**
 * A registry endpoint or host in a log: a Distribution API URL, a `push refers to` host, a known registry's host
 * (an ECR host whose region CI masked, `dkr.ecr.***.amazonaws.com`, still names ECR).
 */
const REGISTRY_IN_LOG =
  /https?:\/\/[^\s/"']+\/v[12]\/|push refers to (?:a )?repository \[[^\]/\s]*[.:][^\]/\s]*\/|(?:dkr\.ecr\.[a-z0-9*$<>{}_-]+\.amazonaws\.(?:com|eu)|public\.ecr\.aws|azurecr\.(?:io|cn)|-docker\.pkg\.dev|\bgcr\.io|\bghcr\.io|\bdocker\.io|\bquay\.io)\b/i;
/** An image reference whose first component is a registry host (`host.tld/…`, `host:5000/…`). */
const IMAGE_WITH_HOST = /^(?:[a-z]+:\/\/)?[^/\s]*[.:][^/\s]*\//i;

/**
 * Whether the case says which registry it is about: the image names a host, or the log shows a registry
 * host or endpoint, or a provider's own wording. Where it does not, the label comes from outside the log.
 */
export function namesRegistry(log: string, image?: string | null): boolean {
  if (image && IMAGE_WITH_HOST.test(image.trim())) return true;
  if (REGISTRY_IN_LOG.test(log)) return true;
  return log.split('\n').some((line) => providerLogSignals.some((signal) => signal.pattern.test(line)));
}

function ratio(correct: number, total: number): Ratio {
  return { correct, total, accuracy: total === 0 ? 0 : correct / total };
}

/** Score diagnoses against labels. Pure: the diagnose function is passed in. */
export function evaluate(cases: LabelledCase[], run: (request: DiagnoseRequest) => Diagnosis = diagnose): EvalReport {
  let providerOk = 0;
  let namedOk = 0;
  let named = 0;
  let top1Ok = 0;
  let decidable = 0;
  let top2Ok = 0;
  const pairs: Array<[string, string]> = [];
  const categoryMisses: CategoryMiss[] = [];
  const providerMisses: ProviderMiss[] = [];

  for (const c of cases) {
    const d = run(c.image ? { log: c.log, image: c.image } : { log: c.log });
    const top2: Predicted[] = d.findings.slice(0, 2).map((f) => f.category);
    const got: Predicted = top2[0] ?? 'none';
    pairs.push([c.category, got]);

    if (d.provider === c.provider) providerOk += 1;
    else providerMisses.push({ id: c.id, expected: c.provider, got: d.provider });
    if (namesRegistry(c.log, c.image)) {
      named += 1;
      if (d.provider === c.provider) namedOk += 1;
    }

    const inTop2 = c.category === 'none' ? got === 'none' : top2.includes(c.category);
    if (inTop2) top2Ok += 1;
    if (c.decidable) {
      decidable += 1;
      if (got === c.category) top1Ok += 1;
    }
    if (c.decidable ? got !== c.category : !inTop2) {
      categoryMisses.push({ id: c.id, decidable: c.decidable, expected: c.category, got, top2 });
    }
  }

  // Labels that occur, in vocabulary order, `none` last.
  const order = [...CATEGORIES, 'none'] as string[];
  const seen = new Set(pairs.flat());
  const labels = order.filter((l) => seen.has(l));
  const matrix: Record<string, Record<string, number>> = {};
  for (const [expected, got] of pairs) {
    const row = (matrix[expected] ??= {});
    row[got] = (row[got] ?? 0) + 1;
  }

  return {
    cases: cases.length,
    decidable,
    provider: ratio(providerOk, cases.length),
    providerNamed: ratio(namedOk, named),
    categoryTop1: ratio(top1Ok, decidable),
    categoryTop2: ratio(top2Ok, cases.length),
    confusion: { labels, matrix },
    misses: { category: categoryMisses, provider: providerMisses },
  };
}

function pct(r: Ratio): string {
  return `${(r.accuracy * 100).toFixed(1)}%`.padStart(6);
}

function fraction(r: Ratio): string {
  return `${r.correct}/${r.total}`.padStart(7);
}

/** The report as text: three accuracy lines, the confusion table, the misclassified ids. */
export function renderEvalText(report: EvalReport, source: string): string {
  const out: string[] = [];
  out.push(`Evaluation of ${oneLine(source)}: ${report.cases} cases, ${report.decidable} decidable`, '');
  out.push(`provider accuracy:          ${fraction(report.provider)}  ${pct(report.provider)}  (all cases)`);
  out.push(`provider accuracy (named):  ${fraction(report.providerNamed)}  ${pct(report.providerNamed)}  (cases whose log or image names the registry)`);
  out.push(`category accuracy (top 1):  ${fraction(report.categoryTop1)}  ${pct(report.categoryTop1)}  (decidable cases)`);
  out.push(`category accuracy (top 2):  ${fraction(report.categoryTop2)}  ${pct(report.categoryTop2)}  (all cases)`);

  const { labels, matrix } = report.confusion;
  const rows = labels.filter((l) => matrix[l]);
  const cols = labels.filter((l) => rows.some((r) => matrix[r]?.[l]));
  out.push('', 'Confusion (rows: expected, columns: predicted top category; none = no finding)');
  const rowWidth = Math.max('expected \\ predicted'.length, ...rows.map((r) => r.length));
  const colWidths = cols.map((c) => Math.max(c.length, 3));
  out.push(`  ${'expected \\ predicted'.padEnd(rowWidth)}  ${cols.map((c, i) => c.padStart(colWidths[i]!)).join('  ')}`);
  for (const r of rows) {
    const cells = cols.map((c, i) => {
      const n = matrix[r]?.[c] ?? 0;
      return (n === 0 ? '.' : String(n)).padStart(colWidths[i]!);
    });
    out.push(`  ${r.padEnd(rowWidth)}  ${cells.join('  ')}`);
  }

  out.push('', `Misclassified category (${report.misses.category.length})`);
  if (report.misses.category.length === 0) out.push('  none');
  const idWidth = Math.max(0, ...report.misses.category.map((m) => m.id.length), ...report.misses.provider.map((m) => m.id.length));
  for (const m of report.misses.category) {
    const note = m.decidable ? '' : `  (undecidable; top 2: ${m.top2.join(', ') || 'none'})`;
    out.push(`  ${oneLine(m.id).padEnd(idWidth)}  expected ${m.expected}, got ${m.got}${note}`);
  }
  out.push('', `Misclassified provider (${report.misses.provider.length})`);
  if (report.misses.provider.length === 0) out.push('  none');
  for (const m of report.misses.provider) {
    out.push(`  ${oneLine(m.id).padEnd(idWidth)}  expected ${m.expected}, got ${m.got}`);
  }
  return `${out.join('\n')}\n`;
}

/** Read and validate every line; all problems are reported (with line numbers) before giving up. */
async function readCases(path: string, io: CliIO): Promise<LabelledCase[]> {
  const input = await openInput(path, io);
  const lines = createInterface({ input: Readable.from(input), crlfDelay: Infinity });
  const cases: LabelledCase[] = [];
  const problems: string[] = [];
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (error) {
        problems.push(`line ${lineNo}: not JSON (${(error as Error).message})`);
        continue;
      }
      const parsed = LabelledCase.safeParse(raw);
      if (parsed.success) cases.push(parsed.data);
      else problems.push(`line ${lineNo}: ${describeIssues(parsed.error)}`);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read '${path}': ${(error as Error).message}`, EXIT.usage);
  } finally {
    lines.close();
  }
  const name = path === '-' ? 'stdin' : path;
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => `${PROGRAM}: ${name}: ${p}`);
    if (problems.length > 20) shown.push(`${PROGRAM}: ${name}: … and ${problems.length - 20} more malformed lines`);
    throw new CliError(shown.join('\n').slice(PROGRAM.length + 2), EXIT.usage);
  }
  if (cases.length === 0) throw new CliError(`${name}: no cases to evaluate`, EXIT.usage);
  return cases;
}

export async function runEval(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(
    () =>
      parseArgs({
        args,
        strict: true,
        allowPositionals: true,
        options: {
          format: { type: 'string', short: 'f' },
          help: { type: 'boolean', short: 'h' },
        },
      }),
    COMMAND,
  );
  const out = new Sink(io.stdout);
  if (values.help) {
    await out.write(EVAL_HELP);
    return EXIT.ok;
  }
  const format = parseFormat(values.format, COMMAND);
  if (positionals.length === 0) throw usageError('no file given: eval FILE (a labelled JSON Lines file)', COMMAND);
  if (positionals.length > 1) throw usageError(`unexpected argument '${positionals[1]}'`, COMMAND);
  const path = positionals[0]!;
  const cases = await readCases(path, io);
  const report = evaluate(cases);
  await out.write(
    format === 'json' ? `${JSON.stringify({ file: path, ...report }, null, 2)}\n` : renderEvalText(report, path === '-' ? 'stdin' : path),
  );
  return EXIT.ok;
}
