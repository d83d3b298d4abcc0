// The gar probes on the real @google-cloud/artifact-registry client (REST fallback) against the fake
// Artifact Registry API, reached through the registry entry's `endpoint`, as the runner runs them.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { Facts, ProbeResult } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { probes as garProbes, registryLogin } from '../../src/providers/gar/live.js';
import { resolveCredentials } from '../../src/probes/resolve-registry.js';
import { runProbes, type RunProbesOptions } from '../../src/probes/run-probes.js';
import type { ProbeCache, ProbeContext } from '../../src/probes/types.js';
import { FakeArtifactRegistry, READER_PERMISSIONS, WRITER_PERMISSIONS } from '../fakes/artifact-registry.js';

const PROJECT = 'shop-prod';
const PROBER = `probe@${PROJECT}.iam.gserviceaccount.com`;
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const serviceAccountJson = JSON.stringify({
  type: 'service_account',
  project_id: PROJECT,
  private_key_id: 'b1a2c3d4e5f6',
  private_key: privateKey,
  client_email: PROBER,
  client_id: '112233445566778899',
  token_uri: 'https://oauth2.googleapis.com/token',
});

let fake: FakeArtifactRegistry;
let cache: ProbeCache;
const savedEnv = { ...process.env };

beforeAll(async () => {
  fake = await new FakeArtifactRegistry().start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.projects.clear();
  fake.repositories.length = 0;
  fake.permissions.clear();
  fake.requests.length = 0;
  fake.addProject(PROJECT);
  fake.addServiceAccount(PROBER, privateKey, WRITER_PERMISSIONS);
  const entries = new Map<string, unknown>();
  cache = { get: <T>(key: string, create: () => T) => (entries.has(key) ? entries.get(key) : entries.set(key, create()).get(key)) as T };
});
afterEach(() => {
  process.env = { ...savedEnv };
  const violations = fake.violations.splice(0);
  expect(violations).toEqual([]);
});

function registries(credentials: Record<string, string> | null = { serviceAccountJson: 'GAR_PROBE_KEY' }) {
  const probe = credentials ? { credentials: { probe: credentials } } : {};
  return parseConfig({
    registries: [
      { name: 'shop-gar', provider: 'gar', host: 'europe-west1-docker.pkg.dev', endpoint: fake.url, ...probe },
      { name: 'shop-gcr', provider: 'gcr', host: 'gcr.io', endpoint: fake.url, ...probe },
      { name: 'shop-gcr-eu', provider: 'gcr', host: 'eu.gcr.io', endpoint: fake.url, ...probe },
    ],
  }).registries;
}

async function probe(reference: string, facts: Facts = {}, options: Partial<RunProbesOptions> = {}): Promise<Record<string, ProbeResult>> {
  const parsed = parseImageRef(reference);
  if (!parsed.ok) throw new Error(parsed.error);
  const results = await runProbes(
    { image: parsed.ref, provider: parsed.ref.provider, facts },
    { registries: registries(), env: { GAR_PROBE_KEY: serviceAccountJson }, probes: garProbes, retry: { attempts: 3, baseDelayMs: 1 }, cache, ...options },
  );
  return Object.fromEntries(results.map((result) => [result.name, result]));
}

const IMAGE = `europe-west1-docker.pkg.dev/${PROJECT}/docker/team/app:1.4.0`;
const RESOURCE = `projects/${PROJECT}/locations/europe-west1/repositories/docker`;

describe('gar.repository', () => {
  it('passes for a DOCKER repository with mutable tags, refuting repo_not_found and tag_immutable', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    const results = await probe(IMAGE);
    expect(results['gar.repository']).toMatchObject({ status: 'ok', registry: 'shop-gar', detail: `repository \`${RESOURCE}\` exists: DOCKER, mutable tags` });
    expect(results['gar.repository']!.observations?.map((o) => [o.kind, o.category])).toEqual([
      ['refute', 'repo_not_found'],
      ['refute', 'tag_immutable'],
    ]);
    const [get] = fake.received('repositories.get');
    expect(get).toMatchObject({ path: `/v1/${RESOURCE}`, status: 200 });
    expect(get!.headers.authorization).toMatch(/^Bearer ey/);
  });

  it('fails when the repository does not exist, confirming repo_not_found with the state fix plans need', async () => {
    const results = await probe(IMAGE);
    expect(results['gar.repository']).toMatchObject({ status: 'failed', detail: `repository \`${RESOURCE}\` does not exist (Artifact Registry does not create repositories on push)` });
    expect(results['gar.repository']!.observations).toEqual([
      expect.objectContaining({ kind: 'confirm', category: 'repo_not_found', resource: RESOURCE, state: { exists: false, project: PROJECT, location: 'europe-west1', repositoryId: 'docker' } }),
    ]);
    expect(results['gar.upload-permission']).toMatchObject({ status: 'skipped', detail: `not checked: repository \`${RESOURCE}\` does not exist` });
  });

  it('confirms tag_immutable only when the tag already exists in a repository with immutable tags', async () => {
    const repo = fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker', immutableTags: true });
    const fresh = await probe(IMAGE);
    expect(fresh['gar.repository']!.status).toBe('ok');
    expect(fresh['gar.repository']!.observations?.[1]).toMatchObject({ kind: 'refute', category: 'tag_immutable', state: { immutableTags: true, tagExists: false } });

    repo.tags.set('team/app:1.4.0', 'sha256:' + 'ab'.repeat(32));
    const taken = await probe(IMAGE);
    expect(taken['gar.repository']).toMatchObject({ status: 'failed', detail: `tag \`team/app:1.4.0\` already exists in \`${RESOURCE}\`, which has immutable tags: it cannot be moved to another image` });
    expect(taken['gar.repository']!.observations?.[1]).toMatchObject({ kind: 'confirm', category: 'tag_immutable', state: { tag: '1.4.0', tagExists: true } });
    expect(fake.received('tags.get').map((r) => r.path)).toEqual([`/v1/${RESOURCE}/packages/team%252Fapp/tags/1.4.0`, `/v1/${RESOURCE}/packages/team%252Fapp/tags/1.4.0`]);
  });

  it('fails for a repository of another format', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker', format: 'MAVEN' });
    const results = await probe(IMAGE);
    expect(results['gar.repository']).toMatchObject({ status: 'failed', detail: `repository \`${RESOURCE}\` is a MAVEN repository, not DOCKER: images cannot be pushed to it` });
  });

  it('maps gcr.io/PROJECT to the project gcr.io repository in us, and eu.gcr.io to europe', async () => {
    fake.addRepository({ project: PROJECT, location: 'us', id: 'gcr.io' });
    const us = await probe(`gcr.io/${PROJECT}/app:1`);
    expect(us['gar.repository']).toMatchObject({ status: 'ok', registry: 'shop-gcr' });
    const eu = await probe(`eu.gcr.io/${PROJECT}/app:1`);
    expect(eu['gar.repository']).toMatchObject({
      status: 'failed',
      detail: `project \`${PROJECT}\` has no \`eu.gcr.io\` repository in \`europe\`, the Artifact Registry repository that serves eu.gcr.io; a push creates it only for an identity with roles/artifactregistry.createOnPushWriter`,
    });
    expect(fake.received('repositories.get').map((r) => r.path)).toEqual([
      `/v1/projects/${PROJECT}/locations/us/repositories/gcr.io`,
      `/v1/projects/${PROJECT}/locations/europe/repositories/eu.gcr.io`,
    ]);
  });

  it('reports the Artifact Registry API switched off (SERVICE_DISABLED) as a finding of its own', async () => {
    fake.projects.get(PROJECT)!.artifactRegistryEnabled = false;
    const results = await probe(IMAGE);
    expect(results['gar.repository']).toMatchObject({ status: 'failed', detail: `the Artifact Registry API (artifactregistry.googleapis.com) is disabled in project \`${PROJECT}\`` });
    expect(results['gar.repository']!.observations).toEqual([
      expect.objectContaining({ kind: 'confirm', category: 'other', state: expect.objectContaining({ enabled: false, activationUrl: expect.stringContaining('artifactregistry.googleapis.com') }) }),
    ]);
    expect(results['gar.upload-permission']!.status).toBe('skipped');
  });

  it('retries a throttled call (429 RESOURCE_EXHAUSTED) and then passes', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    fake.inject('repositories.get', { kind: 'throttle' });
    const results = await probe(IMAGE);
    expect(results['gar.repository']!.status).toBe('ok');
    expect(fake.received('repositories.get').map((r) => r.status)).toEqual([429, 200]);
  });

  it('times out when the API does not answer', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    fake.inject('repositories.get', { kind: 'hold' });
    const results = await probe(IMAGE, {}, { timeoutMs: 300 });
    expect(results['gar.repository']).toMatchObject({ status: 'timeout', detail: 'no answer within 300 ms' });
    expect(results['gar.upload-permission']!.status).toBe('ok');
  });

  it('is a retryable error, not a finding, when the API is unavailable (503)', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    fake.inject('repositories.get', { kind: 'status', status: 503 });
    const results = await probe(IMAGE);
    expect(results['gar.repository']).toMatchObject({ status: 'error', error: { provider: 'gar', code: 'UNAVAILABLE', retryable: true } });
    expect(results['gar.repository']!.detail).toBe('gar.repository could not be reached: The service is currently unavailable. (UNAVAILABLE).');
  });

  it('is an error, not a finding, when the API refuses the probe credentials', async () => {
    fake.permissions.clear();
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    const results = await probe(IMAGE);
    expect(results['gar.repository']).toMatchObject({ status: 'error', error: { provider: 'gar', code: 'IAM_PERMISSION_DENIED', retryable: false } });
    expect(results['gar.repository']!.detail).toContain("Permission 'artifactregistry.repositories.get' denied");
    expect(results['gar.repository']!.observations).toBeUndefined();
  });
});

describe('gar.upload-permission', () => {
  beforeEach(() => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
  });

  it('refutes permission_denied when the identity the log names holds uploadArtifacts', async () => {
    const results = await probe(IMAGE, { principal: PROBER });
    expect(results['gar.upload-permission']).toMatchObject({ status: 'ok', detail: `\`${PROBER}\` holds artifactregistry.repositories.uploadArtifacts on \`${RESOURCE}\`` });
    expect(results['gar.upload-permission']!.observations).toEqual([expect.objectContaining({ kind: 'refute', category: 'permission_denied' })]);
    expect(JSON.parse(fake.received('repositories.testIamPermissions')[0]!.body)).toEqual({ permissions: ['artifactregistry.repositories.uploadArtifacts'] });
  });

  it('confirms permission_denied when that identity lacks it', async () => {
    fake.permissions.set(PROBER, new Set(READER_PERMISSIONS));
    const results = await probe(IMAGE, { principal: `serviceAccount:${PROBER}` });
    expect(results['gar.upload-permission']).toMatchObject({ status: 'failed', detail: `\`${PROBER}\` lacks artifactregistry.repositories.uploadArtifacts on \`${RESOURCE}\`` });
    expect(results['gar.upload-permission']!.observations).toEqual([
      expect.objectContaining({ kind: 'confirm', category: 'permission_denied', state: { identity: PROBER, permission: 'artifactregistry.repositories.uploadArtifacts', granted: false } }),
    ]);
  });

  it('in a preflight, where the credentials are the pusher\u2019s, confirms permission_denied without a name from a log', async () => {
    fake.permissions.set(PROBER, new Set(READER_PERMISSIONS));
    const preflight = await probe(IMAGE, {}, { purpose: 'preflight' });
    expect(preflight['gar.upload-permission']).toMatchObject({ status: 'failed', observations: [expect.objectContaining({ kind: 'confirm', category: 'permission_denied' })] });
    const diagnose = await probe(IMAGE);
    expect(diagnose['gar.upload-permission']).toMatchObject({ status: 'ok' });
    expect(diagnose['gar.upload-permission']!.observations).toBeUndefined();
  });

  it('claims nothing about another identity named in the log', async () => {
    fake.permissions.set(PROBER, new Set(READER_PERMISSIONS));
    const results = await probe(IMAGE, { principal: 'ci-pusher@shop-prod.iam.gserviceaccount.com' });
    expect(results['gar.upload-permission']!.status).toBe('ok');
    expect(results['gar.upload-permission']!.detail).toContain('the log names `ci-pusher@shop-prod.iam.gserviceaccount.com`');
    expect(results['gar.upload-permission']!.observations).toBeUndefined();
  });

  it('retries when throttled and then answers', async () => {
    fake.inject('repositories.testIamPermissions', { kind: 'throttle' }, 2);
    const results = await probe(IMAGE, { principal: PROBER });
    expect(results['gar.upload-permission']!.status).toBe('ok');
    expect(fake.received('repositories.testIamPermissions').map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('times out when the API holds the answer', async () => {
    fake.inject('repositories.testIamPermissions', { kind: 'hold' });
    const results = await probe(IMAGE, { principal: PROBER }, { timeoutMs: 300 });
    expect(results['gar.upload-permission']).toMatchObject({ status: 'timeout' });
    expect(results['gar.repository']!.status).toBe('ok');
  });
});

describe('gar credentials', () => {
  it('skips both probes, saying which variable is unset, when configured credentials are missing', async () => {
    const results = await probe(IMAGE, {}, { env: {} });
    for (const name of ['gar.repository', 'gar.upload-permission']) {
      expect(results[name]).toMatchObject({ status: 'skipped', detail: 'not checked: registry shop-gar: environment variable GAR_PROBE_KEY (credentials.probe) is not set' });
    }
    expect(fake.requests).toEqual([]);
  });

  it('skips with the reason when the variable holds no service-account key', async () => {
    const results = await probe(IMAGE, {}, { env: { GAR_PROBE_KEY: '{"type":"authorized_user"}' } });
    expect(results['gar.repository']).toMatchObject({ status: 'skipped' });
    expect(results['gar.repository']!.detail).toContain('credentials.probe.serviceAccountJson does not hold a service-account JSON key');
    expect(fake.requests).toEqual([]);
  });

  it('uses application default credentials when the entry names none (GOOGLE_APPLICATION_CREDENTIALS here)', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    const dir = mkdtempSync(join(tmpdir(), 'adc-'));
    try {
      writeFileSync(join(dir, 'key.json'), serviceAccountJson);
      process.env.GOOGLE_APPLICATION_CREDENTIALS = join(dir, 'key.json');
      const results = await probe(IMAGE, {}, { registries: registries(null) });
      expect(results['gar.repository']!.status).toBe('ok');
      expect(results['gar.upload-permission']!.detail).toBe(
        `\`${PROBER}\` holds artifactregistry.repositories.uploadArtifacts on \`${RESOURCE}\`; these are the probe\u2019s own credentials, not necessarily the ones that push`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips with the reason when there are no application default credentials', async () => {
    const home = mkdtempSync(join(tmpdir(), 'no-adc-'));
    try {
      delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      process.env.HOME = home;
      process.env.CLOUDSDK_CONFIG = join(home, 'gcloud');
      process.env.METADATA_SERVER_DETECTION = 'none';
      const results = await probe(IMAGE, {}, { registries: registries(null) });
      expect(results['gar.repository']).toMatchObject({ status: 'skipped' });
      expect(results['gar.repository']!.detail).toContain('Google application default credentials are not available here');
      expect(fake.requests).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('gar with an access token', () => {
  it('calls the API with the configured OAuth access token', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    fake.addAccessToken('ya29.probe-token-value', 'ci-pusher@shop-prod.iam.gserviceaccount.com', READER_PERMISSIONS);
    const results = await probe(IMAGE, {}, { registries: registries({ accessToken: 'GAR_TOKEN' }), env: { GAR_TOKEN: 'ya29.probe-token-value' } });
    expect(results['gar.repository']!.status).toBe('ok');
    expect(fake.received('repositories.get')[0]!.headers.authorization).toBe('Bearer ya29.probe-token-value');
  });
});

describe('registryLogin (the OCI probes log in with it)', () => {
  function contextFor(credentials: Record<string, string> | null, env: Record<string, string>): ProbeContext {
    const parsed = parseImageRef(IMAGE);
    if (!parsed.ok) throw new Error(parsed.error);
    const registry = registries(credentials)[0]!;
    return { image: parsed.ref, provider: 'gar', facts: {}, registry, credentials: resolveCredentials(registry, env), signal: new AbortController().signal, timeoutMs: 5000, cache, purpose: 'preflight' };
  }

  it('is _json_key with the key itself for a service-account key, and oauth2accesstoken for a token', async () => {
    const withKey = await registryLogin(contextFor({ serviceAccountJson: 'GAR_PROBE_KEY' }, { GAR_PROBE_KEY: serviceAccountJson }));
    expect(withKey?.username).toBe('_json_key');
    expect(withKey?.password.reveal()).toBe(serviceAccountJson);
    const withToken = await registryLogin(contextFor({ accessToken: 'GAR_TOKEN' }, { GAR_TOKEN: 'ya29.abc' }));
    expect(withToken?.username).toBe('oauth2accesstoken');
    expect(withToken?.password.reveal()).toBe('ya29.abc');
    expect(fake.requests).toEqual([]);
  });

  it('fails with the reason when application default credentials give no token', async () => {
    const home = mkdtempSync(join(tmpdir(), 'no-adc-'));
    try {
      delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      Object.assign(process.env, { HOME: home, CLOUDSDK_CONFIG: join(home, 'gcloud'), METADATA_SERVER_DETECTION: 'none' });
      await expect(registryLogin(contextFor(null, {}))).rejects.toMatchObject({ kind: 'no_credentials' });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
