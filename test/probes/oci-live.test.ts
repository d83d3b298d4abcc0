// The OCI probes against a real registry (Debian's docker-registry on loopback), through the runner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { ProbeResult } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { runProbes, type RunProbesOptions } from '../../src/probes/run-probes.js';
import { startRegistry, type RunningRegistry } from '../fakes/oci-registry.js';

function imageOn(host: string, repository = 'team/app'): NonNullable<ReturnType<typeof parseImageRef> & { ok: true }>['ref'] {
  const parsed = parseImageRef(`${host}/${repository}:1.0`);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.ref;
}

async function probe(host: string, user: string | undefined, password: string, purpose: RunProbesOptions['purpose'] = 'preflight', networkOf?: RunProbesOptions['networkOf']): Promise<Record<string, ProbeResult>> {
  const registries = parseConfig({
    registries: [
      {
        name: 'lab',
        provider: 'other',
        host,
        ...(user ? { credentials: { probe: { username: 'LAB_USER', password: 'LAB_PASSWORD' } } } : {}),
      },
    ],
  }).registries;
  const results = await runProbes(
    { image: imageOn(host), provider: 'other', facts: {} },
    { registries, env: { LAB_USER: user, LAB_PASSWORD: password }, purpose, timeoutMs: 15_000, ...(networkOf ? { networkOf } : {}) },
  );
  return Object.fromEntries(results.map((result) => [result.name, result]));
}

const categories = (result: ProbeResult | undefined): string[] => (result?.observations ?? []).map((o) => `${o.kind}:${o.category}`);

describe('OCI probes on docker-registry with htpasswd', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { ci: { password: 'right-password' } } });
  });
  afterAll(() => registry?.stop());

  it('right credentials: the registry answers and a push would be allowed (upload started and cancelled)', async () => {
    const results = await probe(registry.host, 'ci', 'right-password');
    expect(Object.keys(results)).toEqual(['net.connect', 'oci.ping', 'oci.login', 'oci.push-scope', 'oci.upload']);
    expect(Object.values(results).map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(results['oci.login']!.detail).toBe(`${registry.host} accepts the credentials of ci`);
    expect(results['net.connect']!.detail).toMatch(/^DNS \d+ ms \(127\.0\.0\.1\), TCP \d+ ms; plain http \(loopback\)$/);
    expect(results['oci.ping']!.detail).toBe(`${registry.host} answers /v2/ and asks for Basic credentials`);
    expect(results['oci.upload']!.detail).toBe('push allowed for the credentials of ci: an upload to team/app was started (202) and cancelled (204); nothing was written');
    expect(categories(results['oci.upload'])).toEqual(['refute:permission_denied']);
  });

  it('wrong password: an auth finding, with the registry’s own words', async () => {
    const results = await probe(registry.host, 'ci', 'wrong-password');
    expect(results['oci.upload']).toMatchObject({ status: 'failed' });
    expect(results['oci.upload']!.detail).toBe('POST /v2/team/app/blobs/uploads/ was refused (HTTP 401, UNAUTHORIZED: authentication required)');
    expect(categories(results['oci.upload'])).toEqual(['confirm:auth_missing']);
    expect(results['oci.login']).toMatchObject({ status: 'failed', detail: `${registry.host} refused the credentials of ci (HTTP 401)` });
  });

  it('in a diagnosis the bot’s own credentials say nothing about the pusher, and no credentials means no upload try', async () => {
    const wrong = await probe(registry.host, 'ci', 'wrong-password', 'diagnose');
    expect(wrong['oci.upload']!.status).toBe('failed');
    expect(wrong['oci.upload']!.observations).toBeUndefined();
    const anonymous = await probe(registry.host, undefined, '', 'diagnose');
    expect(anonymous['oci.upload']).toMatchObject({ status: 'skipped', detail: `no registry credentials for ${registry.host}: the push right was not tried` });
  });
});

describe('OCI probes on docker-registry with token auth', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({
      auth: 'token',
      users: { reader: { password: 'r', actions: ['pull'] }, builder: { password: 'b', actions: ['pull', 'push'] } },
    });
  });
  afterAll(() => registry?.stop());

  it('a pull-only user: the token grants pull only and the upload is refused → permission_denied', async () => {
    const results = await probe(registry.host, 'reader', 'r');
    expect(results['oci.ping']!.detail).toMatch(new RegExp(`^${registry.host} answers /v2/ and asks for a Bearer token from http://127\\.0\\.0\\.1:\\d+/token$`));
    expect(results['oci.push-scope']).toMatchObject({ status: 'failed', detail: 'asked for push,pull on team/app; the token grants the credentials of reader only pull' });
    expect(results['oci.push-scope']!.observations![0]).toMatchObject({ kind: 'confirm', category: 'permission_denied', state: { granted: ['pull'] } });
    expect(results['oci.upload']!.status).toBe('failed');
    expect(results['oci.upload']!.detail).toMatch(/^POST \/v2\/team\/app\/blobs\/uploads\/ was refused \(HTTP 401, UNAUTHORIZED: /);
    expect(categories(results['oci.upload'])).toEqual(['confirm:permission_denied']);
    expect(registry.tokenRequests).toContainEqual({ user: 'reader', scope: 'repository:team/app:push,pull' });
  });

  it('a user with push: the token grants push and the upload is accepted', async () => {
    const results = await probe(registry.host, 'builder', 'b');
    expect(results['oci.push-scope']).toMatchObject({ status: 'ok', detail: 'a token for team/app grants push,pull to the credentials of builder' });
    expect(results['oci.upload']!.status).toBe('ok');
  });

  it('a wrong password at the token service → auth_missing', async () => {
    const results = await probe(registry.host, 'builder', 'nope');
    expect(results['oci.push-scope']!.status).toBe('failed');
    expect(categories(results['oci.push-scope'])).toEqual(['confirm:auth_missing']);
    expect(categories(results['oci.upload'])).toEqual(['confirm:auth_missing']);
  });
});

describe('OCI probes when the registry is down', () => {
  it('a stopped registry: the connection is refused → network; nothing throws', async () => {
    const registry = await startRegistry({ auth: 'htpasswd', users: { ci: { password: 'p' } } });
    await registry.stop();
    const results = await probe(registry.host, 'ci', 'p');
    expect(results['net.connect']!.status).toBe('failed');
    expect(results['net.connect']!.detail).toMatch(/TCP to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)$/);
    expect(categories(results['net.connect'])).toEqual(['confirm:network']);
    expect(results['oci.ping']).toMatchObject({ status: 'error', error: { provider: 'oci', code: 'ECONNREFUSED', retryable: true } });
    expect(results['oci.ping']!.detail).toBe('oci.ping could not be reached: fetch failed (ECONNREFUSED).');
  });

  it('probed from the bot’s network (Slack, webhooks): the refused connection is shown and confirms nothing about the runner', async () => {
    const registry = await startRegistry({ auth: 'htpasswd', users: { ci: { password: 'p' } } });
    await registry.stop();
    const results = await probe(registry.host, 'ci', 'p', 'diagnose', 'bot');
    expect(results['net.connect']!.status).toBe('failed');
    expect(results['net.connect']!.detail).toMatch(/TCP to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)$/);
    expect(categories(results['net.connect'])).toEqual([]);
  });
});
