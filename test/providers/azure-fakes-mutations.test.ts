// The changes the one-click fixes (#9) will make on Azure, sent by the real SDK clients to the fakes: the
// ARM long-running PATCH of a registry's firewall, and the data-plane PATCH that unlocks a repository or a
// tag. Only an identity with write rights may make them; the fakes' models change only when it does.
import { randomUUID } from 'node:crypto';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { ContainerRegistryClient } from '@azure/container-registry';
import { ClientSecretCredential } from '@azure/identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeAcrDataPlane } from '../fakes/acr-data-plane.js';
import { FakeArm } from '../fakes/arm.js';
import { FakeEntraId, type ServicePrincipal } from '../fakes/entra-id.js';
import { selfSignedCert } from '../fakes/self-signed-cert.js';

const SUBSCRIPTION = '6b1f3c2e-8a4d-4c1e-9f0a-2d7e5b3c1a90';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

let entra: FakeEntraId;
let arm: FakeArm;
let acr: FakeAcrDataPlane;
let fixer: ServicePrincipal;
let reader: ServicePrincipal;

beforeAll(async () => {
  const cert = selfSignedCert();
  entra = await new FakeEntraId(cert).start();
  arm = await new FakeArm(cert, entra).start();
  acr = await new FakeAcrDataPlane(cert, entra).start();
  fixer = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: 'fixer-secret' });
  reader = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: 'reader-secret' });
  arm.writers.add(fixer.clientId);
  acr.metadataWriters.add(fixer.clientId);
});
afterAll(async () => {
  await Promise.all([entra.close(), arm.close(), acr.close()]);
});
afterEach(() => {
  const violations = [entra, arm, acr].flatMap((fake) => fake.violations.splice(0));
  expect(violations).toEqual([]);
});

const credential = (principal: ServicePrincipal) =>
  new ClientSecretCredential(principal.tenantId, principal.clientId, principal.clientSecret, { authorityHost: entra.url, disableInstanceDiscovery: true });

describe('ARM registries.update (long-running PATCH)', () => {
  it('adds an IP rule: 202 + Azure-AsyncOperation, InProgress then Succeeded, the final GET shows the new rules', async () => {
    const model = arm.addRegistry({ subscription: SUBSCRIPTION, resourceGroup: 'rg-fix', name: 'fixreg', networkRuleSet: { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '52.1.2.3' }] } });
    const client = new ContainerRegistryManagementClient(credential(fixer), SUBSCRIPTION, { endpoint: arm.url });
    const updated = await client.registries.update(
      'rg-fix',
      'fixreg',
      { networkRuleSet: { defaultAction: 'Deny', ipRules: [{ action: 'Allow', iPAddressOrRange: '52.1.2.3' }, { action: 'Allow', iPAddressOrRange: '20.1.2.3' }] } },
      { updateIntervalInMs: 10 },
    );
    expect(updated.networkRuleSet?.ipRules?.map((rule) => rule.iPAddressOrRange)).toEqual(['52.1.2.3', '20.1.2.3']);
    expect(model.networkRuleSet.ipRules.map((rule) => rule.value)).toEqual(['52.1.2.3', '20.1.2.3']);
    const [patch] = arm.received('registries.update');
    expect(patch!.status).toBe(202);
    expect(JSON.parse(patch!.body)).toEqual({ properties: { networkRuleSet: { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '52.1.2.3' }, { action: 'Allow', value: '20.1.2.3' }] } } });
    expect(arm.received('registries.operationStatus').map((r) => r.status)).toEqual([200, 200]);
  });

  it('refuses an identity without write rights, and changes nothing', async () => {
    const model = arm.addRegistry({ subscription: SUBSCRIPTION, resourceGroup: 'rg-fix', name: 'lockedreg', publicNetworkAccess: 'Disabled' });
    const client = new ContainerRegistryManagementClient(credential(reader), SUBSCRIPTION, { endpoint: arm.url });
    await expect(client.registries.update('rg-fix', 'lockedreg', { publicNetworkAccess: 'Enabled' }, { updateIntervalInMs: 10 })).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    expect(model.publicNetworkAccess).toBe('Disabled');
  });
});

describe('ACR data plane updateProperties (PATCH, metadata_write)', () => {
  it('unlocks a repository and a tag for an identity that may write metadata', async () => {
    const repo = acr.addRepository('shop/api', { writeEnabled: false }, { '2.0': { writeEnabled: false, deleteEnabled: false } });
    const client = new ContainerRegistryClient(`https://${acr.host}`, credential(fixer));
    const properties = await client.getRepository('shop/api').updateProperties({ canWrite: true });
    expect(properties.canWrite).toBe(true);
    const tag = await client.getArtifact('shop/api', '2.0').updateTagProperties('2.0', { canWrite: true });
    expect(tag).toMatchObject({ canWrite: true, canDelete: false });
    expect(repo.attributes.writeEnabled).toBe(true);
    expect(repo.tags.get('2.0')!.attributes).toMatchObject({ writeEnabled: true, deleteEnabled: false });
    expect(acr.received('repository.update').map((r) => [r.status, r.body])).toEqual([
      [401, '{"writeEnabled":true}'],
      [200, '{"writeEnabled":true}'],
    ]);
    expect(new URLSearchParams(acr.received('oauth2.token')[0]!.body).get('scope')).toBe('repository:shop/api:metadata_write');
  });

  it('refuses a read-only identity: the token grants no metadata_write', async () => {
    const repo = acr.addRepository('shop/web', { writeEnabled: false });
    const client = new ContainerRegistryClient(`https://${acr.host}`, credential(reader));
    await expect(client.getRepository('shop/web').updateProperties({ canWrite: true })).rejects.toMatchObject({ statusCode: 401 });
    expect(repo.attributes.writeEnabled).toBe(false);
  });
});
