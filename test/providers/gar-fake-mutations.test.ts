// The changes the one-click fixes (#9) will make on Artifact Registry, sent by the real client to the fake:
// create a missing repository (a long-running operation) and grant roles/artifactregistry.writer on it
// (read-modify-write of the IAM policy, guarded by its etag). Only an identity allowed to may make them.
import { generateKeyPairSync } from 'node:crypto';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import gax from 'google-gax';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PERMISSIONS, FakeArtifactRegistry, READER_PERMISSIONS } from '../fakes/artifact-registry.js';

const PROJECT = 'shop-prod';
const PARENT = `projects/${PROJECT}/locations/europe-west1`;
const FIXER = `fixer@${PROJECT}.iam.gserviceaccount.com`;
const PUSHER = `ci-pusher@${PROJECT}.iam.gserviceaccount.com`;
const keyOf = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const fixerKey = keyOf();
const pusherKey = keyOf();

let fake: FakeArtifactRegistry;

beforeAll(async () => {
  fake = await new FakeArtifactRegistry().start();
  fake.addProject(PROJECT);
  fake.addServiceAccount(FIXER, fixerKey, ADMIN_PERMISSIONS);
  fake.addServiceAccount(PUSHER, pusherKey, READER_PERMISSIONS);
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

function clientAs(email: string, key: string): ArtifactRegistryClient {
  const jwt = new gax.googleAuthLibrary.JWT({ email, key, scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  jwt.useJWTAccessWithScope = true;
  return new ArtifactRegistryClient({ fallback: true, apiEndpoint: '127.0.0.1', port: fake.port, protocol: 'http', authClient: jwt });
}

describe('createRepository (long-running)', () => {
  it('creates a DOCKER repository and answers through the operation', async () => {
    const [operation] = await clientAs(FIXER, fixerKey).createRepository({ parent: PARENT, repositoryId: 'docker', repository: { format: 'DOCKER', dockerConfig: { immutableTags: true } } });
    const [repository] = await operation.promise();
    // The operation's result is decoded from a protobuf Any: its enums stay numbers (1 is DOCKER).
    expect(repository).toMatchObject({ name: `${PARENT}/repositories/docker`, format: 1, dockerConfig: { immutableTags: true } });
    expect(fake.repositories.find((r) => r.id === 'docker')).toMatchObject({ format: 'DOCKER', immutableTags: true });
    expect(fake.received('operations.get')).toHaveLength(1);
  });

  it('refuses an identity without artifactregistry.repositories.create', async () => {
    await expect(clientAs(PUSHER, pusherKey).createRepository({ parent: PARENT, repositoryId: 'other', repository: { format: 'DOCKER' } })).rejects.toMatchObject({ code: 7 });
    expect(fake.repositories.some((r) => r.id === 'other')).toBe(false);
  });
});

describe('getIamPolicy / setIamPolicy', () => {
  it('grants roles/artifactregistry.writer by read-modify-write, and the grantee may then upload', async () => {
    fake.addRepository({ project: PROJECT, location: 'europe-west1', id: 'apps' });
    const resource = `${PARENT}/repositories/apps`;
    const admin = clientAs(FIXER, fixerKey);
    const [before] = await admin.getIamPolicy({ resource });
    expect(before.bindings ?? []).toEqual([]);
    const [after] = await admin.setIamPolicy({ resource, policy: { etag: before.etag, bindings: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${PUSHER}`] }] } });
    expect(after.bindings).toEqual([expect.objectContaining({ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${PUSHER}`] })]);
    const [granted] = await clientAs(PUSHER, pusherKey).testIamPermissions({ resource, permissions: ['artifactregistry.repositories.uploadArtifacts'] });
    expect(granted.permissions).toEqual(['artifactregistry.repositories.uploadArtifacts']);

    // A write based on the policy read before the grant is refused, not merged.
    await expect(admin.setIamPolicy({ resource, policy: { etag: before.etag, bindings: [] } })).rejects.toMatchObject({ code: 10 });
    expect(fake.repositories.find((r) => r.id === 'apps')!.bindings.get('roles/artifactregistry.writer')).toEqual(new Set([`serviceAccount:${PUSHER}`]));
  });
});
