// Artifact Registry fixes end to end: a probed diagnosis with plans, a signed click on the real Bolt receiver,
// the fix worker applying it with the real @google-cloud/artifact-registry client against the fake API, the
// thread, the buttons replaced, the audit entry, and the probes run again.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { probeDiagnosis } from '../../src/probes/probe-diagnosis.js';
import { probes as garProbes } from '../../src/providers/gar/live.js';
import { FakeArtifactRegistry, READER_PERMISSIONS, type GarRepositoryModel } from '../fakes/artifact-registry.js';
import { GAR_FIX_PERMISSIONS as FIX_PERMISSIONS, FixHarness } from './harness.js';

const PROJECT = 'shop-prod';
const PUSHER = `ci-pusher@${PROJECT}.iam.gserviceaccount.com`;
const FIXER = `registry-doctor-fix@${PROJECT}.iam.gserviceaccount.com`;
const FIX_TOKEN = 'ya29.fix-token-for-tests';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pusherKey = JSON.stringify({ type: 'service_account', project_id: PROJECT, private_key_id: 'k1', private_key: privateKey, client_email: PUSHER });
const IMAGE = `europe-west1-docker.pkg.dev/${PROJECT}/docker/team/app:1.4.0`;
const RESOURCE = `projects/${PROJECT}/locations/europe-west1/repositories/docker`;

let gar: FakeArtifactRegistry;
let harness: FixHarness;

function registries(fix: Record<string, string> | null = { accessToken: 'GAR_FIX_TOKEN' }) {
  return parseConfig({
    registries: [
      {
        name: 'shop-gar',
        provider: 'gar',
        host: 'europe-west1-docker.pkg.dev',
        endpoint: gar.url,
        probeTimeoutMs: 2000,
        credentials: { probe: { serviceAccountJson: 'GAR_PROBE_KEY' }, ...(fix ? { fix } : {}) },
        fixers: { users: ['U0ALICE'], usergroups: ['S0PLATFORM'] },
      },
    ],
  }).registries;
}
const env = { GAR_PROBE_KEY: pusherKey, GAR_FIX_TOKEN: FIX_TOKEN };

async function probed(log: string, options: { fix?: Record<string, string> | null } = {}): Promise<Diagnosis> {
  const diagnosis = diagnose({ log, image: IMAGE });
  return probeDiagnosis(diagnosis, { registries: registries(options.fix), env, probes: garProbes, retry: { attempts: 1, baseDelayMs: 1 } });
}

beforeAll(async () => {
  gar = await new FakeArtifactRegistry().start();
});
afterAll(async () => {
  await gar.close();
});
beforeEach(async () => {
  gar.projects.clear();
  gar.repositories.length = 0;
  gar.permissions.clear();
  gar.requests.length = 0;
  gar.beforeSetIamPolicy = undefined;
  gar.addProject(PROJECT);
  // The probe runs as the pushing identity (as `check` does in CI): it may read, not push.
  gar.addServiceAccount(PUSHER, privateKey, READER_PERMISSIONS);
  gar.addAccessToken(FIX_TOKEN, FIXER, FIX_PERMISSIONS);
  harness = await new FixHarness({ registries: registries(), env, recheckProbes: garProbes }).start();
  harness.slack.usergroups.set('S0PLATFORM', ['U0CAROL']);
});
afterEach(async () => {
  await harness.close();
  expect(gar.violations.splice(0)).toEqual([]);
});

const mutations = () => gar.requests.filter((r) => r.route === 'repositories.create' || r.route === 'repositories.setIamPolicy');

describe('gar.create-repository', () => {
  it('creates the missing DOCKER repository in its location, follows the operation, and says so in the thread', async () => {
    const posted = await harness.post(await probed(`name unknown: Repository "docker" not found`));
    const top = posted.diagnosis.findings[0]!;
    expect(top.category).toBe('repo_not_found');
    expect(top.fixes).toEqual([{ id: posted.planIds[0], title: 'Create repository docker in europe-west1', change: 'Create the DOCKER repository docker in europe-west1 (project shop-prod)' }]);
    // The button carries the plan id and nothing else; the dialog states the change.
    const buttons = JSON.stringify(posted.blocks.find((b) => b.block_id === 'rd.fixes'));
    expect(buttons).not.toContain('shop-prod/');
    expect(buttons).toContain('"text":"Create the DOCKER repository docker in europe-west1 (project shop-prod)."');

    expect((await harness.click(posted.planIds[0]!, posted)).status).toBe(200);
    const done = await harness.waitForReply(/created the DOCKER repository/);
    expect(done.params.text).toMatch(new RegExp(`^:white_check_mark: <@U0ALICE> created the DOCKER repository ${RESOURCE} — done in \\d+\\.\\d s$`));

    const [create] = gar.received('repositories.create');
    expect(create).toMatchObject({ method: 'POST', path: `/v1/projects/${PROJECT}/locations/europe-west1/repositories`, status: 200 });
    expect(create!.query.get('repositoryId')).toBe('docker');
    // What the client sends: the format as its enum number, and the empty maps proto3 JSON keeps.
    expect(JSON.parse(create!.body)).toEqual({ format: 1, labels: {}, cleanupPolicies: {} });
    expect(gar.received('operations.get').length).toBeGreaterThanOrEqual(1);
    expect(mutations()).toHaveLength(1);

    const recheck = await harness.waitForReply(/^:mag: Checked again/);
    expect(recheck.params.text).toContain(`exists and is a DOCKER repository`);
    const update = harness.slack.ok('chat.update', (c) => c.params.ts === posted.ts)[0]!;
    const blocks = update.params.blocks as Array<Record<string, unknown>>;
    expect(blocks.some((b) => b.type === 'actions' && b.block_id === 'rd.fixes')).toBe(false);
    expect(JSON.stringify(blocks.find((b) => b.block_id === 'rd.fixes'))).toContain('created the DOCKER repository');

    const [entry] = await harness.waitForAudit(1);
    expect(entry).toMatchObject({
      user: 'U0ALICE',
      result: 'applied',
      kind: 'gar.create-repository',
      registry: 'shop-gar',
      target: RESOURCE,
      change: 'Create the DOCKER repository docker in europe-west1 (project shop-prod)',
      before: { exists: false },
      after: { exists: true, format: 'DOCKER', mode: 'STANDARD_REPOSITORY' },
    });
  });

  it('writes nothing when the repository was created meanwhile: already fixed', async () => {
    const posted = await harness.post(await probed(`name unknown: Repository "docker" not found`));
    gar.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker' });
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Already fixed/);
    expect(reply.params.text).toContain(`${RESOURCE} is already as this fix would leave it; nothing was changed`);
    expect(mutations()).toEqual([]);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'already' });
  });

  it('refuses, writing nothing, when a repository of another format took the name since the plan', async () => {
    const posted = await harness.post(await probed(`name unknown: Repository "docker" not found`));
    gar.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker', format: 'NPM' });
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Not applied/);
    expect(reply.params.text).toContain('changed since this fix was planned (a NPM STANDARD_REPOSITORY repository now has that name)');
    expect(mutations()).toEqual([]);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'changed', before: { exists: true, format: 'NPM' } });
  });

  it('offers no button without fix credentials, and says what a person should run', async () => {
    const diagnosis = await probed(`name unknown: Repository "docker" not found`, { fix: null });
    const h = new FixHarness({ registries: registries(null), env });
    await h.start();
    try {
      const posted = await h.post(diagnosis);
      expect(posted.planIds).toEqual([]);
      expect(posted.diagnosis.findings[0]!.remediation).toContainEqual({
        text: 'No one-click fix here (registry shop-gar has no credentials.fix). Someone allowed to change projects/shop-prod/locations/europe-west1/repositories/docker can run this instead:',
        command: 'gcloud artifacts repositories create docker --repository-format=docker --location=europe-west1 --project=shop-prod',
      });
      expect(posted.blocks.some((b) => b.type === 'actions' && b.block_id === 'rd.fixes')).toBe(false);
    } finally {
      await h.close();
    }
  });
});

describe('gar.grant-writer', () => {
  const DENIED = `denied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "${RESOURCE}" (or it may not exist) for ${PUSHER}`;

  let repo: GarRepositoryModel;
  /** The repository's policy as the fake holds it. */
  const policy = () => ({ etag: repo.etag, bindings: [...repo.bindings].map(([role, members]) => ({ role, members: [...members].sort() })) });

  beforeEach(() => {
    repo = gar.addRepository({ project: PROJECT, location: 'europe-west1', id: 'docker', bindings: new Map([['roles/artifactregistry.reader', new Set(['group:developers@example.com'])]]) });
  });

  it('adds the principal to roles/artifactregistry.writer, keeping every binding, with the etag it read', async () => {
    const posted = await harness.post(await probed(DENIED));
    expect(posted.diagnosis.findings[0]!.fixes[0]).toMatchObject({ title: `Let ${PUSHER} push to docker`, change: `Grant roles/artifactregistry.writer to serviceAccount:${PUSHER} on ${RESOURCE}` });
    const etag = Buffer.from(`etag-${repo.etag}`).toString('base64');
    await harness.click(posted.planIds[0]!, posted, { user: 'U0CAROL' });
    const done = await harness.waitForReply(/granted roles\/artifactregistry.writer/);
    expect(done.params.text).toMatch(/^:white_check_mark: <@U0CAROL> granted roles\/artifactregistry.writer to serviceAccount:ci-pusher@shop-prod.iam.gserviceaccount.com on projects\/shop-prod\/locations\/europe-west1\/repositories\/docker — done in/);
    const [set] = gar.received('repositories.setIamPolicy');
    expect(set).toMatchObject({ method: 'POST', path: `/v1/${RESOURCE}:setIamPolicy`, status: 200 });
    expect(JSON.parse(set!.body)).toEqual({
      policy: {
        version: 1,
        etag,
        bindings: [
          { role: 'roles/artifactregistry.reader', members: ['group:developers@example.com'] },
          { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${PUSHER}`] },
        ],
      },
    });
    expect(await harness.waitForReply(/^:mag: Checked again/)).toMatchObject({ params: expect.objectContaining({ text: expect.stringContaining(`holds artifactregistry.repositories.uploadArtifacts`) }) });
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ user: 'U0CAROL', result: 'applied', kind: 'gar.grant-writer' });
  });

  it('a concurrent policy change: the stale write is refused by its etag, read again, and the other change kept', async () => {
    const posted = await harness.post(await probed(DENIED));
    let edited = false;
    gar.beforeSetIamPolicy = () => {
      if (edited) return;
      edited = true;
      repo.bindings.set('roles/artifactregistry.viewer', new Set(['user:auditor@example.com']));
      repo.etag += 1;
    };
    await harness.click(posted.planIds[0]!, posted);
    await harness.waitForReply(/granted roles\/artifactregistry.writer/);
    const sets = gar.received('repositories.setIamPolicy');
    expect(sets.map((s) => s.status)).toEqual([409, 200]);
    expect(gar.received('repositories.getIamPolicy').length).toBeGreaterThanOrEqual(3);
    expect(policy().bindings).toEqual([
      { role: 'roles/artifactregistry.reader', members: ['group:developers@example.com'] },
      { role: 'roles/artifactregistry.viewer', members: ['user:auditor@example.com'] },
      { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${PUSHER}`] },
    ]);
  });

  it.each([
    ['403', { kind: 'status', status: 403, code: 'PERMISSION_DENIED' } as const, /refused the request: the identity lacks permission: The caller does not have permission \(PERMISSION_DENIED\)/],
    ['5xx', { kind: 'status', status: 500, code: 'INTERNAL' } as const, /answered with an error: Internal error encountered. \(INTERNAL\)/],
    ['timeout', { kind: 'hold' } as const, /did not answer in time: no answer within 2 s/],
  ])('a cloud error (%s) on the write: a clear message, audited, nothing changed', async (_, fault, sentence) => {
    const posted = await harness.post(await probed(DENIED));
    const before = policy();
    gar.inject('repositories.setIamPolicy', fault, 1);
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/could not grant/);
    expect(reply.params.text).toMatch(sentence);
    expect(reply.params.text).toContain('Read again: nothing was changed.');
    expect(policy()).toEqual(before);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'failed', reason: expect.stringContaining('nothing was changed') });
  });

  it('a conflict (409 ABORTED) on every attempt: refused after three reads, nothing overwritten', async () => {
    const posted = await harness.post(await probed(DENIED));
    const before = policy();
    gar.inject('repositories.setIamPolicy', { kind: 'status', status: 409, code: 'ABORTED' }, 3);
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/could not grant/);
    expect(reply.params.text).toContain(`${RESOURCE} changed under every one of 3 attempts; nothing was overwritten. Try again.`);
    expect(gar.received('repositories.setIamPolicy').map((r) => r.status)).toEqual([409, 409, 409]);
    expect(policy()).toEqual(before);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'failed' });
  });
});
