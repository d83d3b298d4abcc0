// ACR firewall fix end to end: a probed diagnosis (acr.network saw the runner's IP denied) with its plan, a
// signed click, the fix worker adding IP/32 through the real @azure/arm-containerregistry client (PATCH as
// a long-running operation, followed to Succeeded), the exact PATCH body the fake received, the thread,
// the audit entry; already fixed, changed since the plan, and a 403 with nothing changed.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { probeDiagnosis } from '../../src/probes/probe-diagnosis.js';
import { probes as acrProbes } from '../../src/providers/acr/live.js';
import { acrRegistryEntry, FakeArm, type RegistryModel } from '../fakes/arm.js';
import { FakeEntraId, type ServicePrincipal } from '../fakes/entra-id.js';
import { selfSignedCert } from '../fakes/self-signed-cert.js';
import { FixHarness } from './harness.js';

const SUBSCRIPTION = '6b1f3c2e-8a4d-4c1e-9f0a-2d7e5b3c1a90';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PROBE_SECRET = 'Qx8~probe-secret.value_1234567890abcdEF';
const FIX_SECRET = 'Zr3~fix-secret.value_0987654321zyxwVU';
const HOST = 'shopreg.azurecr.io';
const RUNNER_IP = '20.1.2.3';
const EXISTING = [
  { action: 'Allow' as const, value: '40.112.0.0/16' },
  { action: 'Allow' as const, value: '52.174.9.8' },
];

let entra: FakeEntraId;
let arm: FakeArm;
let prober: ServicePrincipal;
let fixer: ServicePrincipal;
let harness: FixHarness;
let registry: RegistryModel;
const savedEnv = { ...process.env };

const registries = () => parseConfig({ registries: [acrRegistryEntry({ host: HOST, armUrl: arm.url, subscription: SUBSCRIPTION })] }).registries;
const env = () => ({ AZURE_AUTHORITY_HOST: entra.url, ACR_TENANT_ID: TENANT, ACR_PROBE_CLIENT_ID: prober.clientId, ACR_PROBE_CLIENT_SECRET: PROBE_SECRET, ACR_FIX_CLIENT_ID: fixer.clientId, ACR_FIX_CLIENT_SECRET: FIX_SECRET });

async function probed(): Promise<Diagnosis> {
  const d = diagnose({ log: `denied: client with IP '${RUNNER_IP}' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.`, image: `${HOST}/shop/api:2.0` });
  // Only the ARM probe: the data plane and registry probes would reach out to the real shopreg.azurecr.io.
  return probeDiagnosis(d, { registries: registries(), env: env(), probes: acrProbes.filter((p) => p.name === 'acr.network'), retry: { attempts: 1, baseDelayMs: 1 } });
}

const patches = () => arm.requests.filter((r) => r.method === 'PATCH');

beforeAll(async () => {
  const cert = selfSignedCert();
  entra = await new FakeEntraId(cert).start();
  arm = await new FakeArm(cert, entra).start();
  prober = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: PROBE_SECRET });
  fixer = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: FIX_SECRET });
  arm.writers.add(fixer.clientId);
});
afterAll(async () => {
  await Promise.all([entra.close(), arm.close()]);
});
beforeEach(async () => {
  for (const fake of [entra, arm]) fake.requests.length = 0;
  arm.registries.length = 0;
  registry = arm.addRegistry({ subscription: SUBSCRIPTION, resourceGroup: 'rg-shop', name: 'shopreg', networkRuleSet: { defaultAction: 'Deny', ipRules: EXISTING.map((r) => ({ ...r })) } });
  harness = await new FixHarness({ registries: registries(), env: env(), recheckProbes: acrProbes.filter((p) => p.name === 'acr.network') }).start();
});
afterEach(async () => {
  await harness.close();
  process.env = { ...savedEnv };
  expect([entra, arm].flatMap((fake) => fake.violations.splice(0))).toEqual([]);
});

describe('acr.allow-client-ip', () => {
  it('adds IP/32 with every existing rule kept and nothing else, follows the operation to its end, says so, audits it, probes again', async () => {
    const posted = await harness.post(await probed());
    expect(posted.diagnosis.findings[0]!.fixes).toEqual([
      { id: posted.planIds[0], title: `Allow ${RUNNER_IP} through the firewall`, change: `Add the IP rule ${RUNNER_IP}/32 (Allow) to the firewall of shopreg, keeping its 2 existing rule(s)` },
    ]);
    expect(patches()).toEqual([]);
    await harness.click(posted.planIds[0]!, posted);
    const done = await harness.waitForReply(/allowed 20\.1\.2\.3\/32 through the firewall of shopreg/);
    expect(done.params.text).toMatch(/^:white_check_mark: <@U0ALICE> allowed 20\.1\.2\.3\/32 through the firewall of shopreg — done in \d+\.\d s$/);

    expect(patches()).toHaveLength(1);
    expect(patches()[0]).toMatchObject({ path: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-shop/providers/Microsoft.ContainerRegistry/registries/shopreg`, status: 202 });
    expect(JSON.parse(patches()[0]!.body)).toEqual({
      properties: { networkRuleSet: { defaultAction: 'Deny', ipRules: [...EXISTING, { action: 'Allow', value: `${RUNNER_IP}/32` }] } },
    });
    // The long-running operation was polled until it succeeded (InProgress, then Succeeded), then read.
    const patchAt = arm.requests.findIndex((r) => r.method === 'PATCH');
    expect(arm.requests.slice(patchAt, patchAt + 4).map((r) => r.route)).toEqual(['registries.update', 'registries.operationStatus', 'registries.operationStatus', 'registries.get']);
    expect(registry.networkRuleSet).toEqual({ defaultAction: 'Deny', ipRules: [...EXISTING, { action: 'Allow', value: `${RUNNER_IP}/32` }] });
    expect(registry.publicNetworkAccess).toBe('Enabled');

    expect((await harness.waitForReply(/^:mag: Checked again/)).params.text).toContain(`allows ${RUNNER_IP} through its firewall (rule ${RUNNER_IP}/32)`);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({
      user: 'U0ALICE',
      result: 'applied',
      kind: 'acr.allow-client-ip',
      target: 'shopreg',
      before: { publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['40.112.0.0/16', '52.174.9.8'] },
      after: { publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['40.112.0.0/16', '52.174.9.8', `${RUNNER_IP}/32`] },
    });
  });

  it('writes nothing when a rule letting the runner through was added meanwhile: already fixed', async () => {
    const posted = await harness.post(await probed());
    registry.networkRuleSet.ipRules.push({ action: 'Allow', value: '20.1.0.0/16' });
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Already fixed/);
    expect(reply.params.text).toContain('shopreg is already as this fix would leave it; nothing was changed');
    expect(patches()).toEqual([]);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'already' });
  });

  it('refuses, writing nothing, when the rules changed since the plan (a removed rule is not put back)', async () => {
    const posted = await harness.post(await probed());
    registry.networkRuleSet.ipRules.splice(1, 1);
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Not applied/);
    expect(reply.params.text).toContain('changed since this fix was planned (the firewall rules of shopreg changed since the plan (now: 40.112.0.0/16))');
    expect(patches()).toEqual([]);
    expect(registry.networkRuleSet.ipRules).toEqual([EXISTING[0]]);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'changed', before: { ipRules: ['40.112.0.0/16'] } });
  });

  it('a 403 from ARM: a clear message, audited, nothing changed', async () => {
    const posted = await harness.post(await probed());
    arm.writers.delete(fixer.clientId);
    try {
      await harness.click(posted.planIds[0]!, posted);
      const reply = await harness.waitForReply(/Read again: nothing was changed/);
      expect(reply.params.text).toContain("does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/write'");
      expect(patches().map((p) => p.status)).toEqual([403]);
      expect(registry.networkRuleSet).toEqual({ defaultAction: 'Deny', ipRules: EXISTING });
      expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'failed', reason: expect.stringContaining('nothing was changed') });
    } finally {
      arm.writers.add(fixer.clientId);
    }
  });

  it('offers no button when public network access is disabled (no IP rule would help)', async () => {
    registry.publicNetworkAccess = 'Disabled';
    const posted = await harness.post(await probed());
    expect(posted.diagnosis.findings[0]!.fixes).toEqual([]);
    expect(posted.planIds).toEqual([]);
  });
});
