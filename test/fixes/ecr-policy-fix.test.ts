// ECR allow-push end to end: a push refused to a role of another account, probed (ecr.simulate: the push
// actions are denied to it), planned, clicked; the fix worker reads the repository policy and writes it back
// with one statement added through the real @aws-sdk/client-ecr (JSON 1.1, SigV4 with the fix keys) against
// the fake; the exact SetRepositoryPolicy body, the thread, the audit entry; already allowed, changed since
// the plan (refused, nothing written), no policy yet, and an AccessDenied with nothing written.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { probeDiagnosis } from '../../src/probes/probe-diagnosis.js';
import { probes as ecrProbes } from '../../src/providers/ecr/live.js';
import { ecrRegistryEntry, members, serveEcrPolicies, simulationXml, startFakeAws, type FakeAws } from '../fakes/aws.js';
import { FixHarness } from './harness.js';

const ACCOUNT = '123456789012';
const OTHER = '999988887777';
const REGION = 'eu-west-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/shop/api`;
const ROLE = `arn:aws:iam::${OTHER}:role/ci-pusher`;
const ENV = { ECR_PROBE_KEY: 'AKIAFAKEPROBE0000001', ECR_PROBE_SECRET: 'fake-probe-secret', ECR_FIX_KEY: 'AKIAFAKEFIXER0000001', ECR_FIX_SECRET: 'fake-fix-secret' };
const PUSH = ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage'];
const ADDED = { Sid: `RegistryDoctorAllowPush${OTHER}`, Effect: 'Allow', Principal: { AWS: ROLE }, Action: PUSH };
const EXISTING = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ReadFromProd', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] },
    { Sid: 'NoDelete', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' },
  ],
};

let fake: FakeAws;
let policies: Map<string, string>;
let harness: FixHarness;

const registries = () => parseConfig({ registries: [ecrRegistryEntry({ host: HOST, region: REGION, account: ACCOUNT, endpoint: fake.url })] }).registries;

const simulateProbe = () => ecrProbes.filter((p) => p.name === 'ecr.simulate');

async function probed(): Promise<Diagnosis> {
  const d = diagnose({
    log: `denied: User: arn:aws:sts::${OTHER}:assumed-role/ci-pusher/gh-actions is not authorized to perform: ecr:InitiateLayerUpload on resource: ${ARN} because no resource-based policy allows the ecr:InitiateLayerUpload action`,
    image: `${HOST}/shop/api:1.0`,
  });
  return probeDiagnosis(d, { registries: harness.options.registries, env: ENV, probes: simulateProbe(), retry: { attempts: 1, baseDelayMs: 1 } });
}

const sets = () => fake.calls.filter((c) => c.operation === 'SetRepositoryPolicy');

beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  fake.calls.length = 0;
  policies = serveEcrPolicies(fake, { account: ACCOUNT });
  fake.on('iam.SimulatePrincipalPolicy', (call) => ({
    xml: simulationXml(members(call.input, 'ActionNames').map((action) => ({ action, resource: ARN, decision: 'implicitDeny' as const }))),
  }));
  harness = await new FixHarness({ registries: registries(), env: ENV }).start();
});
afterEach(async () => {
  await harness.close();
  expect([...fake.violations.splice(0), ...fake.unexpected.splice(0)]).toEqual([]);
});

describe('ecr.allow-push', () => {
  it('adds one statement for the other account’s role, every existing statement kept (the exact request), says so, audits it', async () => {
    policies.set('shop/api', JSON.stringify(EXISTING));
    const posted = await harness.post(await probed());
    const change = `Add a statement to the repository policy of shop/api allowing ${ROLE} (account ${OTHER}) to push; every existing statement is kept`;
    const finding = posted.diagnosis.findings.find((f) => f.fixes.length > 0)!;
    expect(finding.fixes).toEqual([{ id: posted.planIds[0], title: `Allow account ${OTHER} to push to shop/api`, change }]);
    expect(sets()).toEqual([]);
    await harness.click(posted.planIds[0]!, posted);
    const done = await harness.waitForReply(/allowed arn/);
    expect(done.params.text).toMatch(new RegExp(`^:white_check_mark: <@U0ALICE> allowed ${ROLE} to push to shop/api \\(repository policy\\) — done in \\d+\\.\\d s$`));

    expect(sets()).toHaveLength(1);
    expect(sets()[0]).toMatchObject({ accessKeyId: ENV.ECR_FIX_KEY, region: REGION });
    const { policyText, ...rest } = sets()[0]!.input;
    expect(rest).toEqual({ repositoryName: 'shop/api', registryId: ACCOUNT });
    expect(JSON.parse(String(policyText))).toEqual({ Version: '2012-10-17', Statement: [...EXISTING.Statement, ADDED] });
    expect(JSON.parse(policies.get('shop/api')!)).toEqual({ Version: '2012-10-17', Statement: [...EXISTING.Statement, ADDED] });

    expect((await harness.waitForAudit(1))[0]).toMatchObject({
      user: 'U0ALICE',
      result: 'applied',
      kind: 'ecr.allow-push',
      target: ARN,
      change,
      before: { policyText: JSON.stringify(EXISTING) },
      after: { policyText: policies.get('shop/api') },
    });
  });

  it('no policy yet: a new policy with the one statement', async () => {
    const posted = await harness.post(await probed());
    await harness.click(posted.planIds[0]!, posted);
    await harness.waitForReply(/allowed arn/);
    expect(sets()).toHaveLength(1);
    expect(JSON.parse(String(sets()[0]!.input.policyText))).toEqual({ Version: '2012-10-17', Statement: [ADDED] });
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'applied', before: { policyText: null } });
  });

  it('offers no button when the policy already allows the account to push', async () => {
    policies.set('shop/api', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${OTHER}:root`] }, Action: 'ecr:*' }] }));
    const posted = await harness.post(await probed());
    expect(posted.planIds).toEqual([]);
    expect(sets()).toEqual([]);
  });

  it('offers no button for a principal of the registry’s own account (its identity policy is what lacks)', async () => {
    const d = diagnose({
      log: `denied: User: arn:aws:sts::${ACCOUNT}:assumed-role/ci-pusher/gh-actions is not authorized to perform: ecr:InitiateLayerUpload on resource: ${ARN}`,
      image: `${HOST}/shop/api:1.0`,
    });
    const posted = await harness.post(await probeDiagnosis(d, { registries: harness.options.registries, env: ENV, probes: simulateProbe(), retry: { attempts: 1, baseDelayMs: 1 } }));
    expect(fake.calls.filter((c) => c.operation === 'SimulatePrincipalPolicy')).toHaveLength(1);
    expect(posted.planIds).toEqual([]);
    expect(fake.calls.filter((c) => c.operation === 'GetRepositoryPolicy')).toEqual([]);
  });

  it('allowed between the plan and the click: already fixed, nothing written', async () => {
    const posted = await harness.post(await probed());
    policies.set('shop/api', JSON.stringify({ Version: '2012-10-17', Statement: [{ ...ADDED, Sid: 'ByHand' }] }));
    await harness.click(posted.planIds[0]!, posted);
    expect((await harness.waitForReply(/Already fixed/)).params.text).toContain(`${ARN} is already as this fix would leave it; nothing was changed`);
    expect(sets()).toEqual([]);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'already' });
  });

  it('refuses, writing nothing, when the policy changed between the plan and the click', async () => {
    policies.set('shop/api', JSON.stringify(EXISTING));
    const posted = await harness.post(await probed());
    const changed = { Version: '2012-10-17', Statement: [EXISTING.Statement[0]] };
    policies.set('shop/api', JSON.stringify(changed));
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Not applied/);
    expect(reply.params.text).toContain('the repository policy of shop/api changed since the plan');
    expect(sets()).toEqual([]);
    expect(JSON.parse(policies.get('shop/api')!)).toEqual(changed);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'changed', before: { policyText: JSON.stringify(changed) } });
  });

  it('changed between the apply-time read and the write: read again, refused, nothing overwritten', async () => {
    policies.set('shop/api', JSON.stringify(EXISTING));
    const posted = await harness.post(await probed());
    const readsBefore = fake.calls.length;
    const changed = JSON.stringify({ Version: '2012-10-17', Statement: [EXISTING.Statement[1]] });
    // The apply-time inspect still sees the planned text; someone changes the policy just before the write.
    fake.on('ecr.GetRepositoryPolicy', () => {
      const first = fake.calls.slice(readsBefore).filter((c) => c.operation === 'GetRepositoryPolicy').length === 1;
      return { json: { registryId: ACCOUNT, repositoryName: 'shop/api', policyText: first ? JSON.stringify(EXISTING) : changed } };
    });
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Not applied/);
    expect(reply.params.text).toContain('changed since the plan');
    expect(sets()).toEqual([]);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'changed', before: { policyText: changed } });
  });

  it('an AccessDeniedException on SetRepositoryPolicy: a clear message, audited, nothing written', async () => {
    policies.set('shop/api', JSON.stringify(EXISTING));
    const posted = await harness.post(await probed());
    fake.on('ecr.SetRepositoryPolicy', () => ({
      error: { code: 'AccessDeniedException', message: `User: arn:aws:iam::${ACCOUNT}:user/registry-doctor-fixer is not authorized to perform: ecr:SetRepositoryPolicy on resource: ${ARN} because no identity-based policy allows the ecr:SetRepositoryPolicy action` },
    }));
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Read again: nothing was changed/);
    expect(reply.params.text).toContain('ecr:SetRepositoryPolicy');
    expect(policies.get('shop/api')).toBe(JSON.stringify(EXISTING));
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'failed', reason: expect.stringContaining('nothing was changed') });
  });
});
