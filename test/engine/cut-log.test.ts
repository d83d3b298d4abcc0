// A log over the job limit is cut where the failure is: the diagnosis of the cut log is the diagnosis of the
// whole log, for every labelled log of the fixtures, whether its failure is at the end of a long build or
// spread over the middle and the end. Keeping the head (as the job limit once did), or only the tail, fails
// the same check.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cutLog } from '../../src/engine/cut-log.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { MAX_JOB_LOG_CHARS } from '../../src/queue/jobs.js';

interface LabelledLog {
  id: string;
  log: string;
  image?: string;
}

const fixtures: LabelledLog[] = ['cases', 'public', 'wild'].flatMap((name) =>
  readFileSync(new URL(`../fixtures/logs/${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LabelledLog),
);

/** A build's ordinary output, none of it about a registry: what pads a real log before its push fails. */
function buildOutput(lines: number, seed: number): string {
  const shapes = [
    (i: number) => `#${8 + (i % 5)} ${(i / 7).toFixed(3)} go: downloading github.com/acme/lib${i % 97} v1.${i % 13}.${i % 7}`,
    (i: number) => `Step ${1 + (i % 14)}/14 : RUN make -j4 target-${i}`,
    (i: number) => ` ---> Running in ${(0x3f2a1b4c5d6e + i * 7919).toString(16)}`,
    (i: number) => `  CC      src/module_${i % 311}.o`,
    (i: number) => `added ${100 + (i % 900)} packages, and audited ${200 + (i % 800)} packages in ${1 + (i % 40)}s`,
    (i: number) => `test case ${i}: ok (${(i % 1000) / 100} ms)`,
  ];
  return Array.from({ length: lines }, (_, i) => shapes[(i + seed) % shapes.length]!(i + seed)).join('\n');
}

/** What a reader of the answer sees: the registry, the facts, and each cause with its wording and evidence. */
function seen(diagnosis: Diagnosis) {
  return {
    provider: diagnosis.provider,
    image: diagnosis.image?.reference,
    facts: diagnosis.facts,
    findings: diagnosis.findings.map((f) => ({ category: f.category, title: f.title, confidence: f.confidence, rules: f.rules, evidence: f.evidence.map((e) => e.text) })),
    excerpt: diagnosis.input.logExcerpt,
  };
}

const padding = buildOutput(900, 0); // about 40 KB: well over the job limit
const layouts = {
  /** A long build, then the push and its error: the end of the log. */
  'error at the end': (log: string) => `${padding}\n${log}\n`,
  /** Half the failure's lines in the middle of the build, half at its end. */
  'errors in the middle and at the end': (log: string) => {
    const lines = log.split('\n');
    const half = Math.ceil(lines.length / 2);
    return `${padding}\n${lines.slice(0, half).join('\n')}\n${buildOutput(700, 3)}\n${lines.slice(half).join('\n')}`;
  },
};

type Cutter = (log: string, maxChars: number) => string;

/** The fixtures whose diagnosis changes when the padded log is cut by `cut`. */
function changedBy(cut: Cutter, layout: (log: string) => string): string[] {
  return fixtures
    .filter(({ log, image }) => {
      const whole = layout(log);
      const request = image ? { image } : {};
      const kept = cut(whole, MAX_JOB_LOG_CHARS);
      expect(kept.length).toBeLessThanOrEqual(MAX_JOB_LOG_CHARS);
      return JSON.stringify(seen(diagnose({ log: kept, ...request }))) !== JSON.stringify(seen(diagnose({ log: whole, ...request })));
    })
    .map(({ id }) => id);
}

const headKept: Cutter = (log, maxChars) => log.slice(0, maxChars);
const tailKept: Cutter = (log, maxChars) => log.slice(log.length - maxChars);

describe('cutLog', () => {
  it('the padding is a build that says nothing about a registry', () => {
    expect(diagnose({ log: padding }).findings).toEqual([]);
    expect(padding.length).toBeGreaterThan(2 * MAX_JOB_LOG_CHARS);
  });

  for (const [name, layout] of Object.entries(layouts)) {
    it(`${name}: the cut log is diagnosed as the whole log, for every fixture`, () => {
      expect(changedBy(cutLog, layout)).toEqual([]);
    });
  }

  it('keeping the head instead fails the same check (the push error is cut off)', () => {
    expect(changedBy(headKept, layouts['error at the end']).length).toBeGreaterThan(fixtures.length / 2);
  });

  it('keeping only the tail fails it when errors are also in the middle', () => {
    expect(changedBy(tailKept, layouts['errors in the middle and at the end']).length).toBeGreaterThan(fixtures.length / 4);
  });

  it('leaves a log within the limit alone', () => {
    expect(cutLog('short', 100)).toBe('short');
  });

  it('says what it left out, in one line per cut, and keeps the tail', () => {
    const log = `${padding}\ndenied: requested access to the resource is denied\n${buildOutput(400, 1)}\nthe last line\n`;
    const cut = cutLog(log, 10_000);
    expect(cut.length).toBeLessThanOrEqual(10_000);
    expect(cut).toContain('denied: requested access to the resource is denied');
    expect(cut.endsWith('the last line\n')).toBe(true);
    const markers = cut.split('\n').filter((line) => /^\[… \d+ lines? \/ \d+ KB cut …\]$/.test(line));
    expect(markers.length).toBeGreaterThanOrEqual(2); // before the error, and between it and the tail
    const cutLines = markers.reduce((sum, marker) => sum + Number(/(\d+) line/.exec(marker)![1]), 0);
    expect(cutLines + cut.split('\n').length - markers.length).toBe(log.split('\n').length);
  });

  it('with nothing that fits, keeps the end of the log', () => {
    const log = `${'x'.repeat(5_000)}\n${'y'.repeat(5_000)}`;
    expect(cutLog(log, 100)).toBe('y'.repeat(100));
  });
});
