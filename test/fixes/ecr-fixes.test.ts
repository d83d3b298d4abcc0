// ECR create-repository end to end: a probed diagnosis (ecr.repository: the repository does not exist) with
// its plan, a signed click, the fix worker calling CreateRepository through the real @aws-sdk/client-ecr
// (JSON 1.1, SigV4 with the fix keys) against the fake, the exact request, the thread, the audit entry;
// already created meanwhile, created between read and write, and an AccessDenied with nothing created.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { probeDiagnosis } from '../../src/probes/probe-diagnosis.js';
import { probes as ecrProbes } from '../../src/providers/ecr/live.js';
import { ecrRegistryEntry, serveEcrRepositories, startFakeAws, type EcrRepositoryModel, type FakeAws } from '../fakes/aws.js';
import { FixHarness } from './harness.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/shop/api`;
const ENV = { ECR_PROBE_KEY: 'AKIAFAKEPROBE0000001', ECR_PROBE_SECRET: 'fake-probe-secret', ECR_FIX_KEY: 'AKIAFAKEFIXER0000001', ECR_FIX_SECRET: 'fake-fix-secret' };

let fake: FakeAws;
let repositories: Map<string, EcrRepositoryModel>;
let harness: FixHarness;

const registries = (defaults?: Record<string, unknown>) =>
  parseConfig({
    registries: [{ ...ecrRegistryEntry({ host: HOST, region: REGION, account: ACCOUNT, endpoint: fake.url }), ...(defaults ? { repositoryDefaults: defaults } : {}) }],
  }).registries;

const repositoryProbe = () => ecrProbes.filter((p) => p.name === 'ecr.repository');

async function probed(): Promise<Diagnosis> {
  const d = diagnose({ log: `name unknown: The repository with name 'shop/api' does not exist in the registry with id '${ACCOUNT}'`, image: `${HOST}/shop/api:1.0` });
  return probeDiagnosis(d, { registries: harness.options.registries, env: ENV, probes: repositoryProbe(), retry: { attempts: 1, baseDelayMs: 1 } });
}

const creates = () => fake.calls.filter((c) => c.operation === 'CreateRepository');

async function start(defaults?: Record<string, unknown>): Promise<void> {
  harness = await new FixHarness({ registries: registries(defaults), env: ENV, recheckProbes: repositoryProbe() }).start();
}

beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.calls.length = 0;
  repositories = serveEcrRepositories(fake, { account: ACCOUNT, region: REGION });
});
afterEach(async () => {
  await harness.close();
  expect([...fake.violations.splice(0), ...fake.unexpected.splice(0)]).toEqual([]);
});

describe('ecr.create-repository', () => {
  it('creates the repository with the configured defaults (the exact request), with the fix keys, says so, audits it, probes again', async () => {
    await start({ scanOnPush: true, imageTagMutability: 'IMMUTABLE', encryption: 'KMS', tags: { team: 'shop', 'cost-center': 'cc-42' } });
    const posted = await harness.post(await probed());
    const change = `Create the ECR repository shop/api in ${REGION} (tags IMMUTABLE, scan on push on, KMS encryption, resource tags team=shop, cost-center=cc-42)`;
    expect(posted.diagnosis.findings[0]!.fixes).toEqual([{ id: posted.planIds[0], title: 'Create repository shop/api', change }]);
    expect(creates()).toEqual([]);
    await harness.click(posted.planIds[0]!, posted);
    const done = await harness.waitForReply(/created the ECR repository/);
    expect(done.params.text).toMatch(/^:white_check_mark: <@U0ALICE> created the ECR repository shop\/api in eu-west-1 — done in \d+\.\d s$/);

    expect(creates()).toHaveLength(1);
    expect(creates()[0]).toMatchObject({ accessKeyId: ENV.ECR_FIX_KEY, region: REGION });
    expect(creates()[0]!.input).toEqual({
      repositoryName: 'shop/api',
      registryId: ACCOUNT,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS' },
      tags: [
        { Key: 'team', Value: 'shop' },
        { Key: 'cost-center', Value: 'cc-42' },
      ],
    });
    expect(repositories.get('shop/api')).toMatchObject({ imageTagMutability: 'IMMUTABLE', scanOnPush: true, encryptionType: 'KMS' });

    expect((await harness.waitForReply(/^:mag: Checked again/)).params.text).toContain('repository `shop/api` exists in account 123456789012, eu-west-1; nothing else seen blocking the push');
    expect((await harness.waitForAudit(1))[0]).toMatchObject({
      user: 'U0ALICE',
      result: 'applied',
      kind: 'ecr.create-repository',
      target: ARN,
      change,
      before: { exists: false },
      after: { exists: true, imageTagMutability: 'IMMUTABLE', scanOnPush: true, encryptionType: 'KMS' },
    });
  });

  it("without configured defaults: ECR's own (MUTABLE, no scan on push, AES256, no tags)", async () => {
    await start();
    const posted = await harness.post(await probed());
    await harness.click(posted.planIds[0]!, posted);
    await harness.waitForReply(/created the ECR repository/);
    expect(creates().map((c) => c.input)).toEqual([
      { repositoryName: 'shop/api', registryId: ACCOUNT, imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: false }, encryptionConfiguration: { encryptionType: 'AES256' } },
    ]);
  });

  it('writes nothing when the repository was created meanwhile: already fixed', async () => {
    await start();
    const posted = await harness.post(await probed());
    repositories.set('shop/api', { repositoryName: 'shop/api', imageTagMutability: 'MUTABLE', scanOnPush: false, encryptionType: 'AES256', tags: [], createdAt: 1_700_000_000 });
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Already fixed/);
    expect(reply.params.text).toContain(`${ARN} is already as this fix would leave it; nothing was changed`);
    expect(creates()).toEqual([]);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'already' });
  });

  it('created between the read and the write (RepositoryAlreadyExistsException): read again, already fixed, nothing overwritten', async () => {
    await start();
    const posted = await harness.post(await probed());
    const readsBefore = fake.calls.length;
    // The apply-time read still sees no repository; someone creates it just before CreateRepository lands.
    fake.on('ecr.DescribeRepositories', (call) => {
      const missing = fake.calls.slice(readsBefore).filter((c) => c.operation === 'DescribeRepositories').length === 1;
      if (missing) {
        repositories.set('shop/api', { repositoryName: 'shop/api', imageTagMutability: 'IMMUTABLE', scanOnPush: false, encryptionType: 'AES256', tags: [], createdAt: 1_700_000_000 });
        return { error: { code: 'RepositoryNotFoundException', message: `The repository with name 'shop/api' does not exist in the registry with id '${ACCOUNT}'` } };
      }
      const found = repositories.get(String((call.input.repositoryNames as string[])[0]))!;
      return { json: { repositories: [{ repositoryName: found.repositoryName, registryId: ACCOUNT, imageTagMutability: found.imageTagMutability, imageScanningConfiguration: { scanOnPush: false }, encryptionConfiguration: { encryptionType: 'AES256' } }] } };
    });
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Already fixed/);
    expect(reply.params.text).toContain('nothing was changed');
    expect(fake.calls.filter((c) => c.operation === 'CreateRepository').length).toBe(1);
    expect(repositories.get('shop/api')!.imageTagMutability).toBe('IMMUTABLE');
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'already' });
  });

  it('an AccessDeniedException: a clear message, audited, nothing created', async () => {
    await start();
    const posted = await harness.post(await probed());
    fake.on('ecr.CreateRepository', () => ({
      error: { code: 'AccessDeniedException', message: `User: arn:aws:iam::${ACCOUNT}:user/registry-doctor-fixer is not authorized to perform: ecr:CreateRepository on resource: ${ARN} because no identity-based policy allows the ecr:CreateRepository action` },
    }));
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Read again: nothing was changed/);
    expect(reply.params.text).toContain('ecr:CreateRepository');
    expect(repositories.has('shop/api')).toBe(false);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'failed', reason: expect.stringContaining('nothing was changed') });
  });
});
