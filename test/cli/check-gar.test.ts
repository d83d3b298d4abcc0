// `registry-doctor check` on an Artifact Registry image, as a CI job runs it: the gar live module loaded on
// demand, the real client against the fake Artifact Registry API through the entry's `endpoint`.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeArtifactRegistry, READER_PERMISSIONS } from '../fakes/artifact-registry.js';
import { spawnCli } from './helpers.js';

const PROJECT = 'shop-prod';
const PUSHER = `ci-pusher@${PROJECT}.iam.gserviceaccount.com`;
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const key = JSON.stringify({ type: 'service_account', project_id: PROJECT, private_key_id: 'k1', private_key: privateKey, client_email: PUSHER });

const dir = mkdtempSync(join(tmpdir(), 'rd-check-gar-'));
let fake: FakeArtifactRegistry;
let config: string;

beforeAll(async () => {
  fake = await new FakeArtifactRegistry().start();
  fake.addProject(PROJECT);
  fake.addServiceAccount(PUSHER, privateKey, READER_PERMISSIONS);
  config = join(dir, 'registry-doctor.yml');
  writeFileSync(
    config,
    ['registries:', '  - name: shop-gar', '    provider: gar', '    host: europe-west1-docker.pkg.dev', `    endpoint: ${fake.url}`, '    probeTimeoutMs: 3000', '    credentials:', '      probe: { serviceAccountJson: GAR_KEY }', ''].join('\n'),
  );
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

interface CheckJson {
  verdict: string;
  diagnosis: { findings: Array<{ category: string; evidence: Array<{ source: string; text: string }> }>; probes: Array<{ name: string; status: string }> };
}

async function check(image: string): Promise<{ code: number | null; json: CheckJson }> {
  const result = await spawnCli(['check', image, '--config', config, '--format', 'json'], { env: { GAR_KEY: key } });
  expect(result.stderr).toBe('');
  return { code: result.code, json: JSON.parse(result.stdout) as CheckJson };
}

/** The probe evidence of a finding, if the diagnosis has one of that category. */
function probeEvidence(json: CheckJson, category: string): string[] | undefined {
  return json.diagnosis.findings.find((f) => f.category === category)?.evidence.filter((e) => e.source === 'probe').map((e) => e.text);
}

// The OCI and network probes of the same run go to the real europe-west1-docker.pkg.dev: what they find
// depends on this machine's network, so only the Artifact Registry part is asserted.
describe('check IMAGE on Artifact Registry', () => {
  const image = `europe-west1-docker.pkg.dev/${PROJECT}/docker/team/app:1.0`;

  it('exits 4 naming the missing repository, from the API, before any build', async () => {
    const { code, json } = await check(image);
    expect(code).toBe(4);
    expect(json.verdict).toBe('push_blocked');
    expect(probeEvidence(json, 'repo_not_found')).toEqual([
      `gar.repository: repository \`projects/${PROJECT}/locations/europe-west1/repositories/docker\` does not exist (Artifact Registry does not create repositories on push)`,
    ]);
  });

  it('exits 4 naming the missing upload permission of the credentials the job pushes with', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    const { code, json } = await check(image);
    expect(code).toBe(4);
    expect(probeEvidence(json, 'permission_denied')).toEqual([
      `gar.upload-permission: \`${PUSHER}\` lacks artifactregistry.repositories.uploadArtifacts on \`projects/${PROJECT}/locations/europe-west1/repositories/docker\``,
    ]);
    expect(json.diagnosis.probes.find((p) => p.name === 'gar.repository')!.status).toBe('ok');
  });

  it('exits 4 when the Artifact Registry API is off in the project', async () => {
    fake.projects.get(PROJECT)!.artifactRegistryEnabled = false;
    const { code, json } = await check(image);
    expect(code).toBe(4);
    expect(probeEvidence(json, 'other')?.[0]).toContain('is not enabled in project `shop-prod` (SERVICE_DISABLED)');
  });

  afterAll(() => expect(fake.violations).toEqual([]));
});
