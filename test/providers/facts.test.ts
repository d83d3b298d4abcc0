// Commands carry the facts we know: GAR/GCR, ACR, Docker Hub, GHCR and generic OCI.
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import type { Category } from '../../src/engine/vocabulary.js';
import { acrAdapter } from '../../src/providers/acr/index.js';
import { dockerhubAdapter } from '../../src/providers/dockerhub/index.js';
import { garAdapter, memberOf, projectOf } from '../../src/providers/gar/index.js';
import { ghcrAdapter } from '../../src/providers/ghcr/index.js';
import { adapterFor } from '../../src/providers/index.js';
import { genericRemediation } from '../../src/providers/oci/index.js';
import type { ProviderAdapter, ProviderRemediation } from '../../src/providers/types.js';

function remediate(adapter: ProviderAdapter, category: Category, image: string, facts: Facts = {}): ProviderRemediation {
  const parsed = parseImageRef(image);
  if (!parsed.ok) throw new Error(parsed.error);
  const result = adapter.remediate({ category, provider: parsed.ref.provider, image: parsed.ref, facts });
  if (!result) throw new Error(`no ${adapter.id} remediation for ${category}`);
  return result;
}
const commands = (r: ProviderRemediation) => r.steps.flatMap((s) => (s.command ? [s.command] : []));
const all = (r: ProviderRemediation) => JSON.stringify(r);

describe('Artifact Registry', () => {
  const IMAGE = 'europe-west1-docker.pkg.dev/acme-ci/images/app:1.0';
  const SA = 'pusher@acme-ci.iam.gserviceaccount.com';

  it('configures Docker for the location host', () => {
    expect(commands(remediate(garAdapter, 'auth_missing', IMAGE))).toContain('gcloud auth configure-docker europe-west1-docker.pkg.dev');
  });

  it('creates the repository named by the second path segment', () => {
    const r = remediate(garAdapter, 'repo_not_found', IMAGE);
    expect(commands(r)).toContain('gcloud artifacts repositories create images --repository-format=docker --location=europe-west1 --project=acme-ci');
    expect(commands(r)).toContain('gcloud services enable artifactregistry.googleapis.com --project=acme-ci');
  });

  it('grants writer on the repository to the service account from the error', () => {
    expect(commands(remediate(garAdapter, 'permission_denied', IMAGE, { principal: SA }))).toContain(
      `gcloud artifacts repositories add-iam-policy-binding images --location=europe-west1 --project=acme-ci --member=serviceAccount:${SA} --role=roles/artifactregistry.writer`,
    );
  });

  it('uses the colon form of domain-scoped projects', () => {
    expect(commands(remediate(garAdapter, 'repo_not_found', 'us-docker.pkg.dev/example.com/proj/images/app'))).toContain(
      'gcloud artifacts repositories create images --repository-format=docker --location=us --project=example.com:proj',
    );
  });

  it('turns immutable tags off only with the trade-off said', () => {
    const r = remediate(garAdapter, 'tag_immutable', IMAGE);
    expect(commands(r)).toContain('gcloud artifacts repositories update images --location=europe-west1 --project=acme-ci --no-immutable-tags');
    expect(r.steps[1]!.text).toMatch(/trade-off/i);
  });
});

describe('GCR hosts (served by Artifact Registry)', () => {
  it('configures Docker for gcr.io', () => {
    expect(commands(remediate(garAdapter, 'auth_missing', 'gcr.io/acme-ci/app'))).toContain('gcloud auth configure-docker gcr.io');
  });

  it('creates the gcr.io repository in the matching multi-region', () => {
    expect(commands(remediate(garAdapter, 'repo_not_found', 'gcr.io/acme-ci/app'))).toContain(
      'gcloud artifacts repositories create gcr.io --repository-format=docker --location=us --project=acme-ci',
    );
    expect(commands(remediate(garAdapter, 'repo_not_found', 'eu.gcr.io/acme-ci/app'))).toContain(
      'gcloud artifacts repositories create eu.gcr.io --repository-format=docker --location=europe --project=acme-ci',
    );
  });

  it('grants createOnPushWriter for first pushes', () => {
    expect(commands(remediate(garAdapter, 'permission_denied', 'gcr.io/acme-ci/app', { principal: 'ci@acme-ci.iam.gserviceaccount.com' }))).toContain(
      'gcloud projects add-iam-policy-binding acme-ci --member=serviceAccount:ci@acme-ci.iam.gserviceaccount.com --role=roles/artifactregistry.createOnPushWriter',
    );
  });

  it('re-authenticates on expiry, with the standalone helper too', () => {
    const r = remediate(garAdapter, 'auth_expired', 'gcr.io/acme-ci/app');
    expect(commands(r)).toContain('gcloud auth login');
    expect(commands(r)).toContain('docker-credential-gcr gcr-login');
  });

  it('reads projects and members', () => {
    expect(projectOf('example.com/proj/img')).toEqual({ project: 'example.com:proj', rest: ['img'] });
    expect(projectOf('proj/img')).toEqual({ project: 'proj', rest: ['img'] });
    expect(memberOf('ci@acme.iam.gserviceaccount.com')).toBe('serviceAccount:ci@acme.iam.gserviceaccount.com');
    expect(memberOf('alice@example.com')).toBe('user:alice@example.com');
    expect(memberOf('principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/s')).toMatch(/^principal:\/\//);
    expect(memberOf('not a member')).toBeUndefined();
  });
});

describe('Azure Container Registry', () => {
  const IMAGE = 'contoso.azurecr.io/team/app:1.0';

  it('logs in by registry name', () => {
    expect(commands(remediate(acrAdapter, 'auth_missing', IMAGE))).toContain('az acr login --name contoso');
  });

  it('assigns AcrPush on the registry to the principal', () => {
    expect(commands(remediate(acrAdapter, 'permission_denied', IMAGE, { principal: '0f3b5c1e-8d2a-4b6f-9e7c-1a3d5f7b9c2e' }))).toContain(
      'az role assignment create --assignee 0f3b5c1e-8d2a-4b6f-9e7c-1a3d5f7b9c2e --role AcrPush --scope $(az acr show --name contoso --query id --output tsv)',
    );
  });

  it('unlocks the repository and the tag', () => {
    const r = remediate(acrAdapter, 'repo_locked', IMAGE);
    expect(commands(r)).toContain('az acr repository update --name contoso --repository team/app --write-enabled true');
    expect(commands(r)).toContain('az acr repository update --name contoso --image team/app:1.0 --write-enabled true');
  });

  it('adds the client IP to the firewall', () => {
    const r = remediate(acrAdapter, 'firewall_denied', IMAGE, { clientIp: '203.0.113.42' });
    expect(commands(r)).toContain('az acr network-rule add --name contoso --ip-address 203.0.113.42');
    expect(commands(r)).toContain('az acr update --name contoso --public-network-enabled true');
    expect(commands(remediate(acrAdapter, 'firewall_denied', IMAGE, { clientIp: '203.0.113.42; curl x' }))).toContain(
      'az acr network-rule add --name contoso --ip-address <client-ip>',
    );
  });

  it('shows usage for quota and runs the health check for networks', () => {
    expect(commands(remediate(acrAdapter, 'quota_exceeded', IMAGE))).toContain('az acr show-usage --name contoso --output table');
    expect(commands(remediate(acrAdapter, 'network', IMAGE))).toContain('az acr check-health --name contoso --ignore-errors --yes');
  });

  it('uses the registry name behind data-endpoint and geo-replica hosts', () => {
    expect(commands(remediate(acrAdapter, 'auth_missing', 'contoso.westeurope.data.azurecr.io/app'))).toContain('az acr login --name contoso');
  });
});

describe('Docker Hub', () => {
  it('logs in with a token on stdin and explains namespaces', () => {
    expect(commands(remediate(dockerhubAdapter, 'auth_missing', 'acme/app'))[0]).toContain('docker login --username');
    expect(all(remediate(dockerhubAdapter, 'permission_denied', 'nginx'))).toContain('library/ holds only official images');
    expect(all(remediate(dockerhubAdapter, 'permission_denied', 'acme/app'))).toContain('Read & Write');
  });

  it('explains the pull rate limit with authenticated pulls', () => {
    const r = remediate(dockerhubAdapter, 'rate_limited', 'acme/app');
    expect(all(r)).toMatch(/authenticat/i);
    expect(r.docs.map((d) => d.url)).toContain('https://docs.docker.com/docker-hub/usage/pulls/');
  });
});

describe('GHCR', () => {
  it('logs in as the owner and asks for packages: write', () => {
    const r = remediate(ghcrAdapter, 'auth_missing', 'ghcr.io/acme/app:1');
    expect(commands(r)).toContain('echo "$GITHUB_TOKEN" | docker login ghcr.io -u acme --password-stdin');
    expect(commands(r).some((c) => c.includes('packages: write'))).toBe(true);
  });

  it('points at the package settings for Actions access', () => {
    const r = remediate(ghcrAdapter, 'permission_denied', 'ghcr.io/acme/tools/app:1');
    expect(all(r)).toContain('https://github.com/orgs/acme/packages/container/tools%2Fapp/settings');
    expect(all(r)).toContain('write:packages');
    expect(all(r)).toContain('Manage Actions access');
  });
});

describe('generic OCI advice', () => {
  const context = (category: Category) => {
    const parsed = parseImageRef('registry.example.com:5000/team/app:1.0');
    if (!parsed.ok) throw new Error(parsed.error);
    return { category, provider: 'other' as const, image: parsed.ref, facts: {} };
  };

  it('fills in the host and reference', () => {
    expect(commands(genericRemediation(context('auth_missing')))).toContain('docker login registry.example.com:5000');
    expect(commands(genericRemediation(context('network')))).toContain('curl -v https://registry.example.com:5000/v2/');
    expect(commands(genericRemediation(context('network')))).toContain(
      'openssl s_client -connect registry.example.com:5000 -servername registry.example.com </dev/null',
    );
    expect(commands(genericRemediation(context('image_not_found_locally')))).toContain('docker tag <local-image>:<tag> registry.example.com:5000/team/app:1.0');
    expect(commands(genericRemediation(context('manifest_invalid')))).toContain('podman push --format v2s2 registry.example.com:5000/team/app:1.0');
  });

  it('names the proxy body size for 413s', () => {
    expect(all(genericRemediation(context('blob_upload')))).toContain('client_max_body_size 0;');
  });

  it('is what adapterFor(other) answers', () => {
    expect(adapterFor('other').remediate(context('other'))).toEqual(genericRemediation(context('other')));
  });
});
