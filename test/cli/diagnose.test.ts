// The CLI spawned as a user runs it: exit codes, output formats, and every kind of bad input.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { example, ROOT, spawnCli } from './helpers.js';

const execFileAsync = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'registry-doctor-cli-'));
const ECR_LOG = readFileSync(example('ecr-push-denied.log'), 'utf8');
const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at |Error:|node:internal/);

describe.concurrent('diagnose: exit codes and formats', () => {
  it('exits 0 with a text report when a registry failure is diagnosed', async () => {
    const r = await spawnCli(['diagnose', '--log', example('ecr-push-denied.log')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✖ permission_denied/);
    expect(r.stdout).toContain('ecr:InitiateLayerUpload');
    expect(r.stdout).not.toContain('\x1b'); // NO_COLOR and not a TTY
    expect(r.stderr).toBe('');
  });

  it('exits 3 when the log shows no registry failure', async () => {
    const r = await spawnCli(['diagnose', '--log', example('no-registry-failure.log')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('No registry failure found in this log');
    expect(r.stdout).toMatch(/read 12 lines/);
  });

  it('--format json prints the Diagnosis shape', async () => {
    const r = await spawnCli(['diagnose', '--log', example('ecr-push-denied.log'), '--format', 'json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as Diagnosis;
    expect(Object.keys(d)).toEqual(expect.arrayContaining(['input', 'provider', 'facts', 'findings', 'probes']));
    expect(Object.keys(d.input)).toEqual(expect.arrayContaining(['logExcerpt', 'logLines', 'logBytes']));
    expect(d.provider).toBe('ecr');
    expect(d.findings.length).toBeGreaterThan(0);
    expect(Object.keys(d.findings[0]!)).toEqual([
      'category', 'title', 'explanation', 'severity', 'confidence', 'evidence', 'remediation', 'docs', 'fixes', 'rules',
    ]);
  });

  it('reads stdin with --log - and when no --log is given and stdin is a pipe', async () => {
    const dash = await spawnCli(['diagnose', '--log', '-', '--format', 'json'], { input: ECR_LOG });
    const piped = await spawnCli(['diagnose', '-f', 'json'], { input: ECR_LOG });
    expect(dash.code).toBe(0);
    expect(piped.code).toBe(0);
    expect(JSON.parse(dash.stdout)).toEqual(JSON.parse(piped.stdout));
  });

  it('takes --image', async () => {
    const ok = await spawnCli(['diagnose', '--log', example('ecr-push-denied.log'), '--image', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.2', '-f', 'json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as Diagnosis).image?.repository).toBe('payments-api');
  });

  it('takes --image as pasted from CI: masked parts stay unknown', async () => {
    const masked = await spawnCli(['diagnose', '--log', example('ecr-push-denied.log'), '--image', '***.dkr.ecr.us-east-1.amazonaws.com/payments-api:1.4.2', '-f', 'json']);
    expect(masked.code).toBe(0);
    const maskedDiagnosis = JSON.parse(masked.stdout) as Diagnosis;
    expect(maskedDiagnosis.provider).toBe('ecr');
    expect(maskedDiagnosis.image).toMatchObject({ provider: 'ecr', region: 'us-east-1', repository: 'payments-api' });
    expect(maskedDiagnosis.image?.account).toBeUndefined();
  });

  it('an --image Docker would refuse is a finding, never an exit 2; an empty one is a usage error', async () => {
    const bad = await spawnCli(['diagnose', '--log', '-', '--image', 'ghcr.io/acme/app:-abc123', '-f', 'json'], { input: 'ERROR: invalid tag "ghcr.io/acme/app:-abc123": invalid reference format\n' });
    expect(bad.code).toBe(0);
    expect(bad.stderr).toBe('');
    const badDiagnosis = JSON.parse(bad.stdout) as Diagnosis;
    expect(badDiagnosis.provider).toBe('ghcr');
    expect(badDiagnosis.findings[0]).toMatchObject({ category: 'other', title: expect.stringMatching(/invalid reference format/) });
    expect(badDiagnosis.findings[0]?.explanation).toMatch(/tag template/);

    const empty = await spawnCli(['diagnose', '--log', example('ecr-push-denied.log'), '--image', ' ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--image' needs a value/);
  });

  it('--config: a registries[] entry on a custom domain makes the provider acr, with the entry\u2019s registry name in the first command', async () => {
    const config = join(tmp, 'contoso.yml');
    writeFileSync(config, 'registries:\n  - name: contoso-acr\n    provider: acr\n    host: registry.contoso.example\n    account: contosoreg\n');
    const log = "The push refers to repository [registry.contoso.example/shop/api]\n5f70bf18a086: Preparing\ndenied: client with IP '203.0.113.7' is not allowed access.\n";
    const [text, json, alone, aloneText] = await Promise.all([
      spawnCli(['diagnose', '--config', config], { input: log }),
      spawnCli(['diagnose', '--config', config, '-f', 'json'], { input: log }),
      spawnCli(['diagnose', '-f', 'json'], { input: log }),
      spawnCli(['diagnose'], { input: log }),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^✖ firewall_denied/);
    expect(text.stdout).toContain(' · Azure Container Registry · image registry.contoso.example/shop/api');
    expect(text.stdout).toMatch(/^ +az acr network-rule list --name contosoreg$/m);
    const probed = JSON.parse(json.stdout) as Diagnosis;
    expect(probed.provider).toBe('acr');
    expect(probed.image).toMatchObject({ registry: 'contoso-acr', account: 'contosoreg' });
    expect(probed.findings[0]?.remediation[0]?.command).toBe('az acr network-rule list --name contosoreg');
    // Without the entry the same log is any registry's: the configuration is what named it.
    expect((JSON.parse(alone.stdout) as Diagnosis).provider).toBe('other');
    // …and the text names it by its host.
    expect(aloneText.stdout).toContain(' · registry.contoso.example · image registry.contoso.example/shop/api');
  });

  it('--config that cannot be read: exit 2, one line, also without --probe', async () => {
    const missing = await spawnCli(['diagnose', '--config', join(tmp, 'nope.yml')], { input: ECR_LOG });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read --config '");
    noStackTrace(missing.stderr);
  });

  it('handles invalid UTF-8 (decoded with replacement, still diagnosed) and CRLF', async () => {
    const bytes = Buffer.concat([Buffer.from('bad bytes \xff\xfe\xc3 here\r\n', 'latin1'), Buffer.from(ECR_LOG.replace(/\n/g, '\r\n'))]);
    const r = await spawnCli(['diagnose', '-f', 'json'], { input: bytes });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Diagnosis).findings[0]?.category).toBe('permission_denied');
  });

  it('survives a closed stdout pipe (| head) without a stack trace', async () => {
    // Far more output than a pipe buffer holds, so the CLI really writes into a closed pipe.
    const file = join(tmp, 'many.jsonl');
    writeFileSync(file, Array.from({ length: 400 }, (_, i) => JSON.stringify({ id: `n${i}`, log: ECR_LOG })).join('\n'));
    const script = `node --import tsx src/cli/main.ts diagnose --jsonl ${file} | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
    const sh = await execFileAsync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(sh.stdout).toMatch(/status=0/);
    noStackTrace(sh.stderr);
  });
});

describe.concurrent('diagnose: bad input never gives a stack trace', () => {
  it('empty input: exit 3 with a message', async () => {
    const file = join(tmp, 'empty.log');
    writeFileSync(file, '');
    for (const r of [await spawnCli(['diagnose', '--log', file]), await spawnCli(['diagnose'], { input: '' })]) {
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^registry-doctor: .*is empty: nothing to diagnose\n$/);
      expect(r.stdout).toBe('');
    }
  });

  it('binary garbage: exit 3, "input looks binary, not a text log"', async () => {
    const file = join(tmp, 'garbage.bin');
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, ...Array.from({ length: 4000 }, (_, i) => (i * 37) % 256)]));
    const r = await spawnCli(['diagnose', '--log', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^registry-doctor: input looks binary, not a text log/);
    expect(r.stdout).toBe('');
  });

  it('missing file: exit 2, one line', async () => {
    const r = await spawnCli(['diagnose', '--log', join(tmp, 'nope.log')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^registry-doctor: cannot read '.*nope\.log': no such file\n$/);
  });

  it('a directory given as the file: exit 2', async () => {
    const r = await spawnCli(['diagnose', '--log', tmp]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^registry-doctor: cannot read '.*': is a directory\n$/);
  });

  it('an unreadable file: exit 2', async () => {
    const file = join(tmp, 'secret.log');
    writeFileSync(file, 'x');
    chmodSync(file, 0o000);
    const r = await spawnCli(['diagnose', '--log', file], { asUnprivilegedUser: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/permission denied/);
  });

  it.each([
    [['diagnose', '--bogus'], "unknown option '--bogus'"],
    [['diagnose', '--log'], "option '--log' needs a value"],
    [['diagnose', '--format', 'xml', '--log', 'x'], "invalid format 'xml'"],
    [['diagnose', 'stray.log'], "unexpected argument 'stray.log'"],
    [['diagnose', '--jsonl', '-', '--log', 'x'], '--jsonl and --log cannot be used together'],
  ])('usage error %j: exit 2 and a hint', async (args, message) => {
    const r = await spawnCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`registry-doctor: ${message}${message.startsWith('invalid format') ? " (expected 'text' or 'json')" : ''}\nTry 'registry-doctor diagnose --help'.\n`);
    expect(r.stdout).toBe('');
  });

  it('unknown subcommand and no subcommand: exit 2', async () => {
    const r = await spawnCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("registry-doctor: unknown command 'frobnicate'\nTry 'registry-doctor --help'.\n");
    const none = await spawnCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: registry-doctor <command>/);
  });
});

describe.concurrent('diagnose --jsonl (batch)', () => {
  it('one output line per input line, in order; a line it cannot read gets an error line and the batch goes on (exit 0)', async () => {
    const input = [
      JSON.stringify({ id: 'a', log: ECR_LOG }),
      '{"id": "b", "log": ',
      JSON.stringify({ id: 'c', log: 'all good\n' }),
      JSON.stringify({ id: 'd' }),
      '',
      JSON.stringify({ id: 7, log: ECR_LOG, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.2', extra: true }),
      JSON.stringify({ id: 'masked', log: ECR_LOG, image: '$AWS_ACCOUNT_ID.dkr.ecr.$REGION.amazonaws.com/payments-api:1' }),
      JSON.stringify({ id: 'upper', log: 'pushing', image: 'Acme/App:1' }),
      'not json at all',
    ].join('\n');
    const r = await spawnCli(['diagnose', '--jsonl', '-'], { input });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'c', 'd', '7', 'masked', 'upper', undefined]);
    expect(lines[5]).toMatchObject({ provider: 'ecr', category: 'permission_denied' });
    expect(lines[6]).toMatchObject({ provider: 'dockerhub', category: 'other' });
    expect(lines[7]).toEqual({ error: expect.stringMatching(/not JSON/) });
    expect(Object.keys(lines[0]!)).toEqual(['id', 'provider', 'category', 'findings']);
    expect(lines[0]).toMatchObject({ provider: 'ecr', category: 'permission_denied' });
    expect(lines[1]!.error).toMatch(/not JSON/);
    expect(lines[2]).toMatchObject({ id: 'c', category: 'other', findings: [] });
    expect(lines[3]!.error).toMatch(/log/);
    expect(lines[4]).toMatchObject({ provider: 'ecr', category: 'permission_denied' });
    expect(r.stderr).toMatch(/^registry-doctor: line 2: not JSON.*\nregistry-doctor: line 4: log: .*\nregistry-doctor: line 9: not JSON.*\n$/);
  });

  it('exit 0 when every line is well-formed (file input)', async () => {
    const file = join(tmp, 'batch.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'x', log: ECR_LOG })}\r\n${JSON.stringify({ id: 'y', log: 'nothing' })}\r\n`);
    const r = await spawnCli(['diagnose', '--jsonl', file]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(r.stderr).toBe('');
  });
});
