// eval on the real labelled corpus (structure only: the classifier's accuracy is not asserted), help and
// version texts, and the in-process entry point.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, LabelledCase, namesRegistry, renderEvalText, type EvalReport } from '../../src/cli/eval.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { CORPUS, example, runInProcess, spawnCli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'registry-doctor-eval-'));

describe.concurrent('eval', () => {
  it('prints the three accuracy lines, a confusion table and the misclassified ids for the corpus', async () => {
    const r = await spawnCli(['eval', CORPUS]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Evaluation of .*dev\.jsonl: 38 cases, \d+ decidable\n/);
    expect(r.stdout).toMatch(/^provider accuracy: +\d+\/38 +\d+\.\d%  \(all cases\)$/m);
    expect(r.stdout).toMatch(/^provider accuracy \(named\): +\d+\/\d+ +\d+\.\d%  \(cases whose log or image names the registry\)$/m);
    expect(r.stdout).toMatch(/^category accuracy \(top 1\): +\d+\/\d+ +\d+\.\d%  \(decidable cases\)$/m);
    expect(r.stdout).toMatch(/^category accuracy \(top 2\): +\d+\/38 +\d+\.\d%  \(all cases\)$/m);
    expect(r.stdout).toMatch(/^Confusion \(rows: expected, columns: predicted top category; none = no finding\)$/m);
    expect(r.stdout).toMatch(/^ {2}expected \\ predicted/m);
    expect(r.stdout).toMatch(/^Misclassified category \(\d+\)$/m);
    expect(r.stdout).toMatch(/^Misclassified provider \(\d+\)$/m);
  });

  it('--format json has the same figures', async () => {
    const r = await spawnCli(['eval', '--format', 'json', CORPUS]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EvalReport & { file: string };
    expect(report.cases).toBe(38);
    expect(report.provider.total).toBe(38);
    expect(report.categoryTop2.total).toBe(38);
    expect(report.categoryTop1.total).toBe(report.decidable);
    const cells = Object.values(report.confusion.matrix).flatMap((row) => Object.values(row));
    expect(cells.reduce((a, b) => a + b, 0)).toBe(38);
    for (const miss of report.misses.category) expect(miss).toEqual(expect.objectContaining({ id: expect.any(String), expected: expect.any(String), got: expect.any(String) }));
  });

  it('exits 2 on a malformed line (naming it) and on a missing file', async () => {
    const file = join(tmp, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'a', provider: 'ecr', category: 'network', decidable: true, log: 'x' })}\n{oops\n${JSON.stringify({ id: 'b', provider: 'nope', category: 'network', decidable: true, log: 'x' })}\n`);
    const r = await spawnCli(['eval', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^registry-doctor: .*bad\.jsonl: line 2: not JSON.*\nregistry-doctor: .*bad\.jsonl: line 3: provider: .*\n$/);
    const missing = await spawnCli(['eval', join(tmp, 'missing.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
    const none = await spawnCli(['eval']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Try 'registry-doctor eval --help'.");
  });
});

describe('evaluate (pure)', () => {
  type Category = Diagnosis['findings'][number]['category'];
  const finding = (category: Category) =>
    ({ category, title: '', explanation: '', severity: 'error', confidence: 0.5, evidence: [], remediation: [], docs: [], fixes: [], rules: [] }) as const;
  const fake = (provider: Diagnosis['provider'], ...categories: Category[]): Diagnosis => ({
    input: { logExcerpt: '', logLines: 0, logBytes: 0 },
    provider,
    facts: {},
    findings: categories.map((c) => ({ ...finding(c), evidence: [], remediation: [], docs: [], fixes: [], rules: [] })),
    probes: [],
  });
  const cases: LabelledCase[] = [
    { id: 'one', provider: 'ecr', category: 'permission_denied', decidable: true, log: 'one' },
    { id: 'two', provider: 'acr', category: 'repo_locked', decidable: false, log: 'two' },
    { id: 'three', provider: 'gar', category: 'auth_missing', decidable: true, log: 'three' },
    { id: 'four', provider: 'other', category: 'network', decidable: false, log: 'four' },
  ];
  const answers: Record<string, Diagnosis> = {
    one: fake('ecr', 'permission_denied'),
    two: fake('acr', 'quota_exceeded', 'repo_locked'),
    three: fake('gcr', 'repo_not_found', 'auth_missing'),
    four: fake('other'),
  };
  const report = evaluate(cases, ({ log }) => answers[log]!);

  it('computes the three accuracies on the right populations', () => {
    expect(report.provider).toEqual({ correct: 3, total: 4, accuracy: 0.75 });
    expect(report.categoryTop1).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
    expect(report.categoryTop2).toEqual({ correct: 3, total: 4, accuracy: 0.75 });
  });

  it('lists misses with expected and got, for categories and providers', () => {
    expect(report.misses.category).toEqual([
      { id: 'three', decidable: true, expected: 'auth_missing', got: 'repo_not_found', top2: ['repo_not_found', 'auth_missing'] },
      { id: 'four', decidable: false, expected: 'network', got: 'none', top2: [] },
    ]);
    expect(report.misses.provider).toEqual([{ id: 'three', expected: 'gar', got: 'gcr' }]);
  });

  it("scores a 'none' label (not a registry failure) as right only when there is no finding", () => {
    const notRegistry: LabelledCase[] = [
      { id: 'quiet', provider: 'other', category: 'none', decidable: true, log: 'quiet' },
      { id: 'noisy', provider: 'other', category: 'none', decidable: true, log: 'noisy' },
    ];
    const verdicts: Record<string, Diagnosis> = { quiet: fake('other'), noisy: fake('other', 'permission_denied') };
    const scored = evaluate(notRegistry.map((c) => LabelledCase.parse(c)), ({ log }) => verdicts[log]!);
    expect(scored.categoryTop1).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
    expect(scored.categoryTop2).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
    expect(scored.misses.category).toEqual([{ id: 'noisy', decidable: true, expected: 'none', got: 'permission_denied', top2: ['permission_denied'] }]);
  });

  it('builds a confusion table over the labels that occur only', () => {
    expect(report.confusion.labels).toEqual(['auth_missing', 'permission_denied', 'repo_not_found', 'repo_locked', 'quota_exceeded', 'network', 'none']);
    expect(report.confusion.matrix.repo_locked).toEqual({ quota_exceeded: 1 });
    const text = renderEvalText(report, 'cases.jsonl');
    expect(text).toContain('category accuracy (top 1):      1/2   50.0%  (decidable cases)');
    expect(text).toMatch(/three +expected auth_missing, got repo_not_found/);
    expect(text).toMatch(/three +expected gar, got gcr/);
  });
});

describe.concurrent('help and version', () => {
  it.each([
    [['--help']],
    [['-h']],
    [['help']],
  ])('%j prints the tool help', async (args) => {
    const r = await spawnCli(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: registry-doctor <command> \[options\]\n/);
    for (const part of ['Commands:', 'diagnose', 'eval', 'Options:', '--version', 'Exit status:', 'Examples:']) expect(r.stdout).toContain(part);
  });

  it.each([
    [['diagnose', '--help'], 'Usage: registry-doctor diagnose [--log FILE|-] [--image REF] [--format text|json]'],
    [['diagnose', '-h'], 'Usage: registry-doctor diagnose'],
    [['help', 'diagnose'], 'Usage: registry-doctor diagnose'],
    [['eval', '--help'], 'Usage: registry-doctor eval [--format text|json] FILE|-'],
  ])('%j prints the subcommand help', async (args, usage) => {
    const r = await spawnCli(args);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(usage)).toBe(true);
    for (const part of ['Options:', '--format', 'Exit status:', 'Examples:']) expect(r.stdout).toContain(part);
  });

  it('--version prints the package version', async () => {
    const r = await spawnCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^registry-doctor \d+\.\d+\.\d+\n$/);
  });
});

describe('in-process (runCli with injected streams)', () => {
  it('no --log and stdin a TTY is a usage error', async () => {
    const r = await runInProcess(['diagnose'], { stdinIsTTY: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("registry-doctor: no log given: use --log FILE, or pipe a log on stdin\nTry 'registry-doctor diagnose --help'.\n");
  });

  it('colours only for a TTY without NO_COLOR', async () => {
    const log = example('ecr-push-denied.log');
    expect((await runInProcess(['diagnose', '--log', log], { stdoutIsTTY: true })).stdout).toContain('\x1b[');
    expect((await runInProcess(['diagnose', '--log', log], { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\x1b[');
    expect((await runInProcess(['diagnose', '--log', log])).stdout).not.toContain('\x1b[');
  });

  it('reads a UTF-16 log (PowerShell) rather than calling it binary', async () => {
    const text = 'denied: requested access to the resource is denied\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const r = await runInProcess(['diagnose', '--format', 'json'], { input: utf16 });
    expect(r.stderr).not.toContain('binary');
    expect((JSON.parse(r.stdout) as Diagnosis).input.logExcerpt).toContain('denied');
  });

  it('reads a UTF-16 log without its byte-order mark, and a text log with a stray NUL, as text', async () => {
    const text = 'Pushing app\ndenied: requested access to the resource is denied\n';
    for (const input of [Buffer.from(text, 'utf16le'), Buffer.from(text, 'utf16le').swap16(), Buffer.from(`step 1\u0000 done\n${text}`, 'utf8')]) {
      const r = await runInProcess(['diagnose', '--format', 'json'], { input });
      expect(r.stderr).not.toContain('binary');
      expect((JSON.parse(r.stdout) as Diagnosis).findings[0]?.category).toBe('permission_denied');
    }
  });

  it('keeps terminal escapes from the log out of the report', async () => {
    const r = await runInProcess(['diagnose'], { input: 'denied: requested access to the resource is denied \x1b]0;owned\x07\x1b[2J\n' });
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });
});

describe('which cases name their registry (the provider figure that can be asked of the log)', () => {
  it.each([
    ['an image with a host', 'denied: denied', 'ghcr.io/acme/app:1', true],
    ['a Distribution API URL', 'Get "https://registry.internal:5000/v2/": EOF', undefined, true],
    ['a push line with a host', 'The push refers to repository [quay.io/acme/app]', undefined, true],
    ["a provider's own wording", 'An error occurred (ExpiredTokenException) when calling the GetAuthorizationToken operation', undefined, true],
    ['an image without a host and a bare error', 'unauthorized: authentication required', 'acme/app:1', false],
    ['a masked registry variable', 'denied: denied', '$REGISTRY/app:1', false],
    ['an ECR host with its account and region masked', 'failed to push ***.dkr.ecr.***.amazonaws.com/app:1: unexpected status: 403 Forbidden', undefined, true],
  ])('%s: %s', (_name, log, image, expected) => {
    expect(namesRegistry(log, image)).toBe(expected);
  });
});
