// Google application default credentials without a key file, as on GKE with workload identity or on Cloud
// Run: google-auth-library finds the metadata server (GCE_METADATA_HOST points it at the fake here, which the
// library honours for detection and tokens alike) and the gar probes call the fake Artifact Registry API with
// the token it serves. Own file: gcp-metadata remembers for the process whether a metadata server exists.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { probes as garProbes, registryLogin } from '../../src/providers/gar/live.js';
import { resolveCredentials } from '../../src/probes/resolve-registry.js';
import { runProbes } from '../../src/probes/run-probes.js';
import type { ProbeCache } from '../../src/probes/types.js';
import { FakeArtifactRegistry, WRITER_PERMISSIONS } from '../fakes/artifact-registry.js';
import { FakeGceMetadata } from '../fakes/gce-metadata.js';

const PROJECT = 'shop-prod';
const WORKLOAD = `registry-doctor@${PROJECT}.iam.gserviceaccount.com`;
const IMAGE = `europe-west1-docker.pkg.dev/${PROJECT}/docker/team/app:1.4.0`;
const RESOURCE = `projects/${PROJECT}/locations/europe-west1/repositories/docker`;

let google: FakeArtifactRegistry;
let metadata: FakeGceMetadata;
const home = mkdtempSync(join(tmpdir(), 'adc-metadata-'));
const savedEnv = { ...process.env };
const entries = new Map<string, unknown>();
const cache: ProbeCache = { get: <T>(key: string, create: () => T) => (entries.has(key) ? entries.get(key) : entries.set(key, create()).get(key)) as T };

beforeAll(async () => {
  google = await new FakeArtifactRegistry().start();
  metadata = await new FakeGceMetadata(WORKLOAD, PROJECT, (token) => google.addAccessToken(token, WORKLOAD, WRITER_PERMISSIONS)).start();
  google.addProject(PROJECT);
  google.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
  // No key file anywhere: no GOOGLE_APPLICATION_CREDENTIALS, no gcloud login in HOME; only the metadata server.
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  delete process.env.METADATA_SERVER_DETECTION;
  Object.assign(process.env, { HOME: home, CLOUDSDK_CONFIG: join(home, 'gcloud'), GCE_METADATA_HOST: metadata.host });
});
afterAll(async () => {
  process.env = { ...savedEnv };
  await Promise.all([google.close(), metadata.close()]);
  rmSync(home, { recursive: true, force: true });
});

const registries = () => parseConfig({ registries: [{ name: 'shop-gar', provider: 'gar', host: 'europe-west1-docker.pkg.dev', endpoint: google.url }] }).registries;

it('the gar probes run with the metadata server’s token and name its service account', async () => {
  const parsed = parseImageRef(IMAGE);
  if (!parsed.ok) throw new Error(parsed.error);
  const results = Object.fromEntries(
    (await runProbes({ image: parsed.ref, provider: 'gar', facts: {} }, { registries: registries(), env: {}, probes: garProbes, cache })).map((r) => [r.name, r]),
  );
  expect(results['gar.repository']).toMatchObject({ status: 'ok' });
  expect(results['gar.upload-permission']!.detail).toBe(
    `\`${WORKLOAD}\` holds artifactregistry.repositories.uploadArtifacts on \`${RESOURCE}\`; these are the probe\u2019s own credentials, not necessarily the ones that push`,
  );
  expect(google.received('repositories.get')[0]!.headers.authorization).toBe(`Bearer ${metadata.tokens[0]}`);
  const tokenRequests = metadata.requests.filter((r) => r.path.endsWith('/service-accounts/default/token'));
  expect(tokenRequests.length).toBeGreaterThan(0);
  expect(tokenRequests[0]!.query.get('scopes')).toBe('https://www.googleapis.com/auth/cloud-platform');
  expect(metadata.violations).toEqual([]);
  expect(google.violations).toEqual([]);
});

it('the OCI probes log in as oauth2accesstoken with the metadata server’s token', async () => {
  const parsed = parseImageRef(IMAGE);
  if (!parsed.ok) throw new Error(parsed.error);
  const registry = registries()[0]!;
  const login = await registryLogin({ image: parsed.ref, provider: 'gar', facts: {}, registry, credentials: resolveCredentials(registry, {}), signal: new AbortController().signal, timeoutMs: 5000, cache, purpose: 'preflight' });
  expect(login?.username).toBe('oauth2accesstoken');
  expect(metadata.tokens).toContain(login!.password.reveal());
});
