// `registry-doctor check IMAGE` and `diagnose --probe`, run as a CI job would, against a real registry.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../fakes/oci-registry.js';
import { spawnCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rd-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFor(host: string): string {
  const path = join(dir, `${host.replace(/\W/g, '-')}.yml`);
  writeFileSync(
    path,
    ['registries:', '  - name: lab', '    provider: other', `    host: ${host}`, '    credentials:', '      probe: { username: LAB_USER, password: LAB_PASSWORD }', ''].join('\n'),
  );
  return path;
}

describe('check IMAGE against docker-registry (htpasswd)', () => {
  let registry: RunningRegistry;
  let config: string;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { ci: { password: 'right-password' } } });
    config = configFor(registry.host);
  });
  afterAll(() => registry?.stop());

  it('exits 0 when a push would succeed', async () => {
    const result = await spawnCli(['check', `${registry.host}/team/app:1.0`, '--config', config], { env: { LAB_USER: 'ci', LAB_PASSWORD: 'right-password' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^✔ A push to ${registry.host}/team/app:1\\.0 would succeed`));
    expect(result.stdout).toMatch(/\n {2}ok {6}oci\.upload .* push allowed for the credentials of ci/);
  });

  it('exits 4 with the cause when the password is wrong', async () => {
    const result = await spawnCli(['check', `${registry.host}/team/app:1.0`, '--config', config], { env: { LAB_USER: 'ci', LAB_PASSWORD: 'wrong' } });
    expect(result.code).toBe(4);
    expect(result.stdout).toContain(`A push to ${registry.host}/team/app:1.0 would fail now.`);
    expect(result.stdout).toContain('✖ auth_missing  The push sent no valid registry credentials');
    expect(result.stdout).toContain('oci.upload: the registry did not accept the credentials of ci for a push to `team/app`');
  });

  it('says which variable is missing, as JSON, and exits 4 when the registry asks for credentials it did not get', async () => {
    const result = await spawnCli(['check', `${registry.host}/team/app:1.0`, '--config', config, '--format', 'json'], { env: { LAB_USER: 'ci' } });
    expect(result.code).toBe(4);
    const out = JSON.parse(result.stdout) as { verdict: string; diagnosis: { findings: { category: string; evidence: { text: string }[] }[]; probes: { name: string; status: string; detail: string }[] } };
    expect(out.verdict).toBe('push_blocked');
    expect(out.diagnosis.findings[0]!.category).toBe('auth_missing');
    expect(out.diagnosis.probes.find((p) => p.name === 'oci.upload')).toMatchObject({ status: 'failed' });
    expect(out.diagnosis.findings[0]!.evidence[0]!.text).toBe(
      'oci.upload: the registry wants credentials for a push to `team/app` and was sent no credentials (registry lab: environment variable LAB_PASSWORD (credentials.probe) is not set) (UNAUTHORIZED: authentication required)',
    );
  });

  it('usage errors exit 2 with one line', async () => {
    const none = await spawnCli(['check']);
    expect(none.code).toBe(2);
    expect(none.stderr.split('\n')[0]).toBe('registry-doctor: no image given: check IMAGE (e.g. ghcr.io/acme/app:1.0)');
    const missing = await spawnCli(['check', 'ghcr.io/acme/app:1', '--config', join(dir, 'nope.yml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read --config '");
    writeFileSync(join(dir, 'bad.yml'), 'registries:\n  - name: x\n    provider: nope\n    host: a.io\n');
    const bad = await spawnCli(['check', 'ghcr.io/acme/app:1', '--config', join(dir, 'bad.yml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('registries[0].provider: must be one of');
  });

  it('--help documents the exit statuses', async () => {
    const help = await spawnCli(['check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('  0  a push would succeed');
    expect(help.stdout).toContain('  4  a push would fail: the cause is printed');
    expect(help.stdout).toContain('  5  could not tell');
  });
});

describe('check IMAGE against docker-registry (token auth, pull-only user)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', users: { reader: { password: 'r', actions: ['pull'] } } });
  });
  afterAll(() => registry?.stop());

  it('exits 4: permission_denied, with what the token granted', async () => {
    const result = await spawnCli(['check', `${registry.host}/team/app:1.0`, '--config', configFor(registry.host)], { env: { LAB_USER: 'reader', LAB_PASSWORD: 'r' } });
    expect(result.code).toBe(4);
    expect(result.stdout).toContain('✖ permission_denied');
    expect(result.stdout).toContain('oci.push-scope: the registry grants reader only pull on `team/app` (push was asked)');
  });
});

describe('a stopped registry', () => {
  it('check exits 4 with network; diagnose --probe confirms the log’s network finding with probe evidence', async () => {
    const registry = await startRegistry({ auth: 'htpasswd', users: { ci: { password: 'p' } } });
    await registry.stop();
    const config = configFor(registry.host);
    const env = { LAB_USER: 'ci', LAB_PASSWORD: 'p' };
    const check = await spawnCli(['check', `${registry.host}/team/app:1.0`, '--config', config], { env });
    expect(check.code).toBe(4);
    expect(check.stdout).toContain('✖ network');

    const log = `The push refers to repository [${registry.host}/team/app]\nGet "http://${registry.host}/v2/": dial tcp ${registry.host}: connect: connection refused\n`;
    const plain = await spawnCli(['diagnose', '--format', 'json'], { input: log });
    const probed = await spawnCli(['diagnose', '--probe', '--config', config, '--format', 'json'], { input: log, env });
    expect(probed.code).toBe(0);
    const before = JSON.parse(plain.stdout) as { findings: { category: string; confidence: number }[]; probes: unknown[] };
    const after = JSON.parse(probed.stdout) as { findings: { category: string; confidence: number; evidence: { source: string; text: string }[] }[]; probes: { name: string; status: string }[] };
    expect(before.findings[0]!.category).toBe('network');
    expect(before.probes).toEqual([]);
    expect(after.findings[0]!.category).toBe('network');
    expect(after.findings[0]!.confidence).toBeGreaterThan(before.findings[0]!.confidence);
    expect(after.findings[0]!.evidence[0]).toMatchObject({ source: 'probe', text: expect.stringMatching(/^net\.connect: TCP connection to 127\.0\.0\.1:\d+ \(127\.0\.0\.1\) failed: ECONNREFUSED$/) });
    expect(after.probes.map((p) => [p.name, p.status])).toEqual([
      ['net.connect', 'failed'],
      ['oci.ping', 'error'],
      ['oci.login', 'error'],
      ['oci.push-scope', 'error'],
      ['oci.upload', 'error'],
    ]);
  });
});
