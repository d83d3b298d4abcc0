// ACR unlock end to end: a probed diagnosis (acr.repository on the data plane) with its plan, a signed click,
// the fix worker unlocking through the real @azure/container-registry client over https (Entra ID token,
// ACR exchange), the exact PATCH the fake received, the thread, the audit entry, and the probes again.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { probeDiagnosis } from '../../src/probes/probe-diagnosis.js';
import { probes as acrProbes } from '../../src/providers/acr/live.js';
import { FakeAcrDataPlane } from '../fakes/acr-data-plane.js';
import { acrRegistryEntry, FakeArm } from '../fakes/arm.js';
import { FakeEntraId, type ServicePrincipal } from '../fakes/entra-id.js';
import { selfSignedCert } from '../fakes/self-signed-cert.js';
import { FixHarness } from './harness.js';

const SUBSCRIPTION = '6b1f3c2e-8a4d-4c1e-9f0a-2d7e5b3c1a90';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PROBE_SECRET = 'Qx8~probe-secret.value_1234567890abcdEF';
const FIX_SECRET = 'Zr3~fix-secret.value_0987654321zyxwVU';

let entra: FakeEntraId;
let arm: FakeArm;
let acr: FakeAcrDataPlane;
let prober: ServicePrincipal;
let fixer: ServicePrincipal;
let harness: FixHarness;
const savedEnv = { ...process.env };

const registries = () => parseConfig({ registries: [acrRegistryEntry({ host: acr.host, armUrl: arm.url, subscription: SUBSCRIPTION })] }).registries;
const env = () => ({ AZURE_AUTHORITY_HOST: entra.url, ACR_TENANT_ID: TENANT, ACR_PROBE_CLIENT_ID: prober.clientId, ACR_PROBE_CLIENT_SECRET: PROBE_SECRET, ACR_FIX_CLIENT_ID: fixer.clientId, ACR_FIX_CLIENT_SECRET: FIX_SECRET });

async function probed(path: string): Promise<Diagnosis> {
  const d = diagnose({ log: 'denied: The operation is disallowed on this registry, repository or image.', image: `${acr.host}/${path}` });
  // The fake's host is an IP: say which provider it is, as a registries[] entry for a private endpoint would.
  const acrDiagnosis = { ...d, provider: 'acr' as const, image: { ...d.image!, provider: 'acr' as const, account: 'shopreg' } };
  return probeDiagnosis(acrDiagnosis, { registries: registries(), env: env(), probes: acrProbes, retry: { attempts: 1, baseDelayMs: 1 } });
}

beforeAll(async () => {
  const cert = selfSignedCert();
  entra = await new FakeEntraId(cert).start();
  arm = await new FakeArm(cert, entra).start();
  acr = await new FakeAcrDataPlane(cert, entra).start();
  prober = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: PROBE_SECRET });
  fixer = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: FIX_SECRET });
  acr.metadataWriters.add(fixer.clientId);
});
afterAll(async () => {
  await Promise.all([entra.close(), arm.close(), acr.close()]);
});
beforeEach(async () => {
  for (const fake of [entra, arm, acr]) fake.requests.length = 0;
  arm.registries.length = 0;
  acr.repositories.clear();
  arm.addRegistry({ subscription: SUBSCRIPTION, resourceGroup: 'rg-shop', name: 'shopreg' });
  harness = await new FixHarness({ registries: registries(), env: env(), recheckProbes: acrProbes }).start();
});
afterEach(async () => {
  await harness.close();
  process.env = { ...savedEnv };
  expect([entra, arm, acr].flatMap((fake) => fake.violations.splice(0))).toEqual([]);
});

describe('acr.unlock-repository', () => {
  it('sets writeEnabled=true and nothing else, says so in the thread, audits it, and probes again', async () => {
    acr.addRepository('shop/api', { writeEnabled: false, deleteEnabled: false });
    const posted = await harness.post(await probed('shop/api:2.0'));
    expect(posted.diagnosis.findings[0]!.fixes).toEqual([{ id: posted.planIds[0], title: 'Unlock shop/api', change: 'Set writeEnabled=true on shopreg/shop/api' }]);
    await harness.click(posted.planIds[0]!, posted);
    const done = await harness.waitForReply(/unlocked shopreg\/shop\/api/);
    expect(done.params.text).toMatch(/^:white_check_mark: <@U0ALICE> unlocked shopreg\/shop\/api — done in \d+\.\d s$/);

    const patches = acr.requests.filter((r) => r.method === 'PATCH' && r.status === 200);
    expect(patches).toHaveLength(1);
    // The SDK escapes the repository's slash in the path, as the real service accepts it.
    expect(patches[0]).toMatchObject({ path: '/acr/v1/shop%2Fapi' });
    expect(JSON.parse(patches[0]!.body)).toEqual({ writeEnabled: true });
    expect(acr.repositories.get('shop/api')!.attributes).toEqual({ writeEnabled: true, deleteEnabled: false, readEnabled: true, listEnabled: true });

    expect((await harness.waitForReply(/^:mag: Checked again/)).params.text).toContain('accepts writes (writeEnabled=true)');
    expect((await harness.waitForAudit(1))[0]).toMatchObject({
      user: 'U0ALICE',
      result: 'applied',
      kind: 'acr.unlock-repository',
      before: { exists: true, writeEnabled: false, deleteEnabled: false },
      after: { exists: true, writeEnabled: true, deleteEnabled: false },
    });
  });

  it('a 403 from the registry: a clear message, audited, nothing changed', async () => {
    acr.addRepository('shop/api', { writeEnabled: false });
    const posted = await harness.post(await probed('shop/api:2.0'));
    acr.metadataWriters.delete(fixer.clientId);
    try {
      await harness.click(posted.planIds[0]!, posted);
      const reply = await harness.waitForReply(/could not set writeEnabled=true/);
      expect(reply.params.text).toContain('Read again: nothing was changed.');
      expect(acr.repositories.get('shop/api')!.attributes.writeEnabled).toBe(false);
      expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'failed' });
    } finally {
      acr.metadataWriters.add(fixer.clientId);
    }
  });
});

describe('acr.unlock-tag', () => {
  it('unlocks only the tag: PATCH /acr/v1/REPO/_tags/TAG with writeEnabled alone', async () => {
    acr.addRepository('shop/api', {}, { '2.0': { writeEnabled: false, deleteEnabled: false } });
    const posted = await harness.post(await probed('shop/api:2.0'));
    expect(posted.diagnosis.findings[0]!.fixes).toEqual([{ id: posted.planIds[0], title: 'Unlock tag shop/api:2.0', change: 'Set writeEnabled=true on shopreg/shop/api:2.0' }]);
    await harness.click(posted.planIds[0]!, posted);
    await harness.waitForReply(/unlocked shopreg\/shop\/api:2\.0/);
    const patches = acr.requests.filter((r) => r.method === 'PATCH' && r.status === 200);
    expect(patches.map((p) => [p.path, JSON.parse(p.body)])).toEqual([['/acr/v1/shop%2Fapi/_tags/2.0', { writeEnabled: true }]]);
    expect(acr.repositories.get('shop/api')!.tags.get('2.0')!.attributes).toEqual({ writeEnabled: true, deleteEnabled: false, readEnabled: true, listEnabled: true });
  });
});
