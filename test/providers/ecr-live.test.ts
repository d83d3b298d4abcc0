// The ECR probes: the real @aws-sdk clients (ECR, IAM, STS) against a fake that speaks their wire protocols.
// Each probe: pass, fail, throttled (retried; and for good), timed out, no credentials.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { RegistryConfig } from '../../src/config/schema.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { ProbeResult } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { probeDiagnosis } from '../../src/probes/probe-diagnosis.js';
import { runProbes, type ProbeTarget, type RunProbesOptions } from '../../src/probes/run-probes.js';
import type { ProbeCache } from '../../src/probes/types.js';
import { probes as ecrProbes, simulationSource } from '../../src/providers/ecr/live.js';
import { probes as ociProbes } from '../../src/providers/oci/live.js';
import { callerIdentityXml, members, simulationXml, startFakeAws, type AwsAnswer, type AwsHandler, type FakeAws } from '../fakes/aws.js';
import { startRegistry } from '../fakes/oci-registry.js';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const ACCOUNT = '123456789012';
const REPO_ARN = `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/payments-api`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deployer/GitHubActions`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/gha-deployer`;
const ENV = { ECR_KEY: 'AKIAFAKEPROBE0000001', ECR_SECRET: 'fake-probe-secret' };

let fake: FakeAws;
const cache = (): ProbeCache => {
  const entries = new Map<string, unknown>();
  return { get: <T>(key: string, create: () => T): T => (entries.has(key) ? entries.get(key) : (entries.set(key, create()), entries.get(key))) as T };
};

function registry(extra: Partial<Record<string, unknown>> = {}): RegistryConfig[] {
  return parseConfig({
    registries: [
      {
        name: 'prod-ecr',
        provider: 'ecr',
        host: HOST,
        region: 'eu-west-1',
        account: ACCOUNT,
        endpoint: fake.url,
        credentials: { probe: { accessKeyId: 'ECR_KEY', secretAccessKey: 'ECR_SECRET' } },
        ...extra,
      },
    ],
  }).registries;
}

function target(reference = `${HOST}/payments-api:1.4.2`, facts: ProbeTarget['facts'] = { principal: SESSION }): ProbeTarget {
  const parsed = parseImageRef(reference);
  if (!parsed.ok) throw new Error(parsed.error);
  return { image: parsed.ref, provider: 'ecr', facts };
}

async function run(name: string, options: Partial<RunProbesOptions> = {}, at: ProbeTarget = target()): Promise<ProbeResult> {
  const results = await runProbes(at, {
    registries: registry(),
    env: ENV,
    probes: ecrProbes.filter((probe) => probe.name === name),
    retry: { attempts: 3, baseDelayMs: 1 },
    cache: cache(),
    purpose: 'preflight',
    ...options,
  });
  expect(results).toHaveLength(1);
  return results[0]!;
}

const repositoryJson = (mutability = 'MUTABLE') => ({
  repositories: [
    {
      repositoryArn: REPO_ARN,
      registryId: ACCOUNT,
      repositoryName: 'payments-api',
      repositoryUri: `${HOST}/payments-api`,
      createdAt: 1_700_000_000,
      imageTagMutability: mutability,
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    },
  ],
});
const ecrError = (code: string, message: string): AwsAnswer => ({ error: { code, message } });
const throttle: AwsAnswer = { error: { code: 'ThrottlingException', message: 'Rate exceeded' } };
const queryThrottle: AwsAnswer = { error: { code: 'Throttling', message: 'Rate exceeded' } };

/** Every operation's answer for a healthy registry where the push is allowed. */
function healthyHandlers(): Record<string, AwsHandler> {
  const expiresAt = Math.floor(Date.now() / 1000) + 12 * 3600;
  return {
    'ecr.GetAuthorizationToken': () => ({
      json: { authorizationData: [{ authorizationToken: Buffer.from('AWS:ecr-registry-password').toString('base64'), expiresAt, proxyEndpoint: `https://${HOST}` }] },
    }),
    'ecr.DescribeRepositories': () => ({ json: repositoryJson() }),
    'ecr.DescribeImages': () =>
      ecrError('ImageNotFoundException', "The image with imageId {imageDigest:'null', imageTag:'1.4.2'} does not exist within the repository with name 'payments-api' in the registry with id '123456789012'"),
    'ecr.GetRepositoryPolicy': () =>
      ecrError('RepositoryPolicyNotFoundException', "Repository policy does not exist for the repository with name 'payments-api' in the registry with id '123456789012'"),
    'iam.SimulatePrincipalPolicy': (call) => ({
      xml: simulationXml(members(call.input, 'ActionNames').map((action) => ({ action, resource: REPO_ARN, decision: 'allowed' as const }))),
    }),
    'sts.GetCallerIdentity': () => ({ xml: callerIdentityXml(`arn:aws:iam::${ACCOUNT}:user/registry-doctor-probe`, ACCOUNT) }),
  };
}

function healthy(): void {
  for (const [operation, handler] of Object.entries(healthyHandlers())) fake.on(operation as `ecr.${string}`, handler);
}

const SAVED_ENV = { ...process.env };
beforeAll(async () => {
  fake = await startFakeAws();
  // The default chain must find nothing of this machine's: no instance metadata, no shared files.
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config' });
});
afterAll(async () => {
  process.env = SAVED_ENV;
  await fake?.close();
});
beforeEach(() => {
  fake.calls.length = 0;
  healthy();
});
afterEach(() => {
  expect(fake.violations).toEqual([]);
  expect(fake.unexpected).toEqual([]);
});

/** The first call each probe makes: where throttling and slowness are injected. */
const FIRST_CALL = {
  'ecr.token': 'ecr.GetAuthorizationToken',
  'ecr.repository': 'ecr.DescribeRepositories',
  'ecr.tag': 'ecr.DescribeRepositories',
  'ecr.policy': 'ecr.GetRepositoryPolicy',
  'ecr.simulate': 'iam.SimulatePrincipalPolicy',
  'ecr.identity': 'sts.GetCallerIdentity',
} as const;
const NAMES = Object.keys(FIRST_CALL) as (keyof typeof FIRST_CALL)[];

describe('every ECR probe', () => {
  it('is in the ECR live module, in this order', () => {
    expect(ecrProbes.map((probe) => probe.name)).toEqual(NAMES);
  });

  it.each(NAMES)('%s passes on a healthy registry, signed with the configured key', async (name) => {
    const result = await run(name);
    expect(result.status).toBe('ok');
    expect(fake.calls.length).toBeGreaterThan(0);
    expect(new Set(fake.calls.map((call) => call.accessKeyId))).toEqual(new Set([ENV.ECR_KEY]));
    expect(JSON.stringify(result)).not.toContain(ENV.ECR_SECRET);
  });

  it.each(NAMES)('%s is retried when throttled, then passes', async (name) => {
    const [service, operation] = FIRST_CALL[name].split('.') as ['ecr' | 'iam' | 'sts', string];
    let calls = 0;
    const normal = healthyHandlers()[FIRST_CALL[name]]!;
    fake.on(FIRST_CALL[name], (call) => (++calls === 1 ? (service === 'ecr' ? throttle : queryThrottle) : normal(call)));
    const result = await run(name);
    expect(result.status).toBe('ok');
    expect(fake.calls.filter((call) => call.service === service && call.operation === operation).length).toBeGreaterThanOrEqual(2);
  });

  it.each(NAMES)('%s throttled for good ends as an error that says so', async (name) => {
    const service = FIRST_CALL[name].split('.')[0];
    fake.on(FIRST_CALL[name], () => (service === 'ecr' ? throttle : queryThrottle));
    const result = await run(name);
    expect(result.status).toBe('error');
    expect(result.detail).toMatch(/throttled the request.*Gave up after 3 attempts\.$/);
    expect(result.error).toMatchObject({ code: service === 'ecr' ? 'ThrottlingException' : 'Throttling', retryable: true });
  });

  it.each(NAMES)('%s that gets no answer in time ends as timeout', async (name) => {
    const normal = healthyHandlers()[FIRST_CALL[name]]!;
    fake.on(FIRST_CALL[name], async (call) => ({ ...(await normal(call)), delayMs: 3_000 }));
    const result = await run(name, { registries: registry({ probeTimeoutMs: 150 }) });
    expect(result).toMatchObject({ status: 'timeout', detail: 'no answer within 150 ms' });
  });

  it.each(NAMES)('%s without credentials is skipped, naming the missing variable, and calls nothing', async (name) => {
    const result = await run(name, { env: { ECR_KEY: ENV.ECR_KEY } });
    expect(result).toMatchObject({ status: 'skipped', detail: 'not checked: registry prod-ecr: environment variable ECR_SECRET (credentials.probe) is not set' });
    expect(fake.calls).toEqual([]);
  });
});

describe('the default credential chain', () => {
  it('with nothing in the chain, a probe is skipped as having no credentials', async () => {
    const result = await run('ecr.repository', { registries: registry({ credentials: undefined }) });
    expect(result.status).toBe('skipped');
    expect(result.detail).toMatch(/^ECR DescribeRepositories found no credentials to use: Could not load credentials from any providers \(CredentialsProviderError\)\.$/);
    expect(fake.calls).toEqual([]);
  });

  it('uses what the chain finds (here: the environment)', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMTHECHAIN0001';
    process.env.AWS_SECRET_ACCESS_KEY = 'chain-secret';
    try {
      const result = await run('ecr.repository', { registries: registry({ credentials: undefined }) });
      expect(result.status).toBe('ok');
      expect(fake.calls.map((call) => call.accessKeyId)).toEqual(['AKIAFROMTHECHAIN0001']);
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});

describe('ecr.token', () => {
  it('refused: the identity lacks ecr:GetAuthorizationToken', async () => {
    fake.on('ecr.GetAuthorizationToken', () => ecrError('AccessDeniedException', `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: ecr:GetAuthorizationToken on resource: *`));
    const result = await run('ecr.token');
    expect(result).toMatchObject({ status: 'failed', detail: 'ECR refused GetAuthorizationToken: the identity lacks ecr:GetAuthorizationToken on *' });
    expect(result.observations?.map((o) => o.category)).toEqual(['permission_denied']);
  });

  it('unknown key: an auth finding', async () => {
    fake.on('ecr.GetAuthorizationToken', () => ecrError('UnrecognizedClientException', 'The security token included in the request is invalid.'));
    const result = await run('ecr.token');
    expect(result.status).toBe('failed');
    expect(result.observations?.[0]).toMatchObject({ kind: 'confirm', category: 'auth_missing' });
    expect(fake.calls[0]!.region).toBe('eu-west-1');
  });
});

describe('ecr.repository', () => {
  it('asks for the repository in the configured account and confirms it exists', async () => {
    const result = await run('ecr.repository');
    expect(fake.calls[0]!.input).toEqual({ repositoryNames: ['payments-api'], registryId: ACCOUNT });
    expect(result.detail).toBe('repository payments-api exists in account 123456789012, eu-west-1 (tags MUTABLE)');
    expect(result.observations).toEqual([
      { kind: 'refute', category: 'repo_not_found', evidence: 'repository `payments-api` exists in account 123456789012, eu-west-1', resource: REPO_ARN, state: { exists: true, imageTagMutability: 'MUTABLE' } },
    ]);
  });

  it('RepositoryNotFoundException → repo_not_found', async () => {
    fake.on('ecr.DescribeRepositories', () => ecrError('RepositoryNotFoundException', "The repository with name 'payments-api' does not exist in the registry with id '123456789012'"));
    const result = await run('ecr.repository');
    expect(result).toMatchObject({ status: 'failed', detail: 'repository payments-api does not exist in account 123456789012, eu-west-1' });
    expect(result.observations?.[0]).toMatchObject({ kind: 'confirm', category: 'repo_not_found', state: { exists: false } });
  });
});

describe('ecr.tag', () => {
  it('immutable tags and the tag exists → tag_immutable', async () => {
    fake.on('ecr.DescribeRepositories', () => ({ json: repositoryJson('IMMUTABLE') }));
    fake.on('ecr.DescribeImages', () => ({
      json: { imageDetails: [{ registryId: ACCOUNT, repositoryName: 'payments-api', imageDigest: `sha256:${'a'.repeat(64)}`, imageTags: ['1.4.2'], imageSizeInBytes: 1000, imagePushedAt: 1_700_000_100 }] },
    }));
    const result = await run('ecr.tag');
    expect(fake.calls.find((call) => call.operation === 'DescribeImages')!.input).toEqual({ repositoryName: 'payments-api', imageIds: [{ imageTag: '1.4.2' }], registryId: ACCOUNT });
    expect(result.status).toBe('failed');
    expect(result.observations?.[0]).toMatchObject({ kind: 'confirm', category: 'tag_immutable', state: { imageTagMutability: 'IMMUTABLE', tagExists: true, digest: `sha256:${'a'.repeat(64)}` } });
  });

  it('immutable tags, the tag is free → ok; mutable tags → ok without asking for images', async () => {
    fake.on('ecr.DescribeRepositories', () => ({ json: repositoryJson('IMMUTABLE') }));
    expect((await run('ecr.tag')).detail).toBe('repository payments-api has IMMUTABLE tags; 1.4.2 is not taken yet');
    fake.calls.length = 0;
    fake.on('ecr.DescribeRepositories', () => ({ json: repositoryJson('MUTABLE') }));
    const mutable = await run('ecr.tag');
    expect(mutable.observations?.[0]).toMatchObject({ kind: 'refute', category: 'tag_immutable' });
    expect(fake.calls.map((call) => call.operation)).toEqual(['DescribeRepositories']);
  });

  it('an image without a tag is not checked', async () => {
    const result = await run('ecr.tag', {}, target(`${HOST}/payments-api@sha256:${'b'.repeat(64)}`));
    expect(result).toMatchObject({ status: 'skipped', detail: 'not checked: the image reference names no tag' });
  });
});

describe('ecr.policy', () => {
  const withPolicy = (statement: object) => () => ({
    json: { registryId: ACCOUNT, repositoryName: 'payments-api', policyText: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) },
  });

  it('an explicit Deny of push actions → permission_denied, naming the statement', async () => {
    fake.on('ecr.GetRepositoryPolicy', withPolicy({ Sid: 'NoPushFromCi', Effect: 'Deny', Principal: '*', Action: ['ecr:Put*', 'ecr:InitiateLayerUpload'] }));
    const result = await run('ecr.policy');
    expect(result).toMatchObject({ status: 'failed', detail: 'the repository policy of payments-api denies push actions (statement NoPushFromCi)' });
    expect(result.observations?.[0]).toMatchObject({ category: 'permission_denied', state: { denyStatements: ['NoPushFromCi'], networkCondition: false } });
  });

  it('a Deny on a network condition → firewall_denied', async () => {
    fake.on('ecr.GetRepositoryPolicy', withPolicy({ Sid: 'OnlyFromVpce', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0abc' } } }));
    const result = await run('ecr.policy');
    expect(result.observations?.[0]).toMatchObject({ kind: 'confirm', category: 'firewall_denied' });
  });
});

describe('ecr.simulate', () => {
  it('maps the assumed-role session back to its role and reports the implicit denies, and what it did not check', async () => {
    fake.on('iam.SimulatePrincipalPolicy', (call) => ({
      xml: simulationXml(members(call.input, 'ActionNames').map((action) => ({ action, resource: REPO_ARN, decision: action === 'ecr:BatchCheckLayerAvailability' ? ('allowed' as const) : ('implicitDeny' as const) }))),
    }));
    const result = await run('ecr.simulate');
    const call = fake.calls[0]!;
    expect(call.input.PolicySourceArn).toBe(ROLE);
    expect(members(call.input, 'ActionNames')).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage']);
    expect(members(call.input, 'ResourceArns')).toEqual([REPO_ARN]);
    expect(result.status).toBe('failed');
    expect(result.detail).toContain('ecr:InitiateLayerUpload is implicitDeny; ecr:UploadLayerPart is implicitDeny');
    expect(result.detail).toContain('not checked: the session was mapped back to its role');
    expect(result.observations?.[0]).toMatchObject({ kind: 'confirm', category: 'permission_denied', state: { principal: ROLE } });
  });

  it('an explicit deny names the policy', async () => {
    fake.on('iam.SimulatePrincipalPolicy', (call) => ({
      xml: simulationXml(members(call.input, 'ActionNames').map((action) => ({ action, resource: REPO_ARN, decision: 'explicitDeny' as const, matched: ['deny-prod-push'] }))),
    }));
    expect((await run('ecr.simulate')).detail).toMatch(/^ecr:BatchCheckLayerAvailability is explicitDeny by deny-prod-push;/);
  });

  it('a role IAM does not know is skipped, saying so', async () => {
    fake.on('iam.SimulatePrincipalPolicy', () => ({ error: { status: 404, code: 'NoSuchEntity', message: 'The role with name gha-deployer cannot be found.' } }));
    expect(await run('ecr.simulate')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/^IAM knows no arn:aws:iam::123456789012:role\/gha-deployer/) });
  });

  it('needs a principal from the log', async () => {
    expect(await run('ecr.simulate', {}, target(undefined, {}))).toMatchObject({ status: 'skipped', detail: 'not checked: the log names no identity (principal) to check' });
    expect(simulationSource(`arn:aws:iam::${ACCOUNT}:user/ci`)).toEqual({ arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  });
});

describe('ecr.identity', () => {
  it('the log logged in to another region than the host’s → auth_missing (ECR tokens are per region)', async () => {
    const result = await run('ecr.identity', {}, target(undefined, { region: 'us-east-1' }));
    expect(result.status).toBe('failed');
    expect(result.detail).toBe(
      `the probe credentials are arn:aws:iam::${ACCOUNT}:user/registry-doctor-probe (account ${ACCOUNT}); the registry host is in eu-west-1 but the log logs in to us-east-1`,
    );
    expect(result.observations?.[0]).toMatchObject({ category: 'auth_missing', state: { hostRegion: 'eu-west-1', credentialRegion: 'us-east-1' } });
  });
});

describe('the ECR login feeds the OCI probes', () => {
  it('one GetAuthorizationToken serves oci.push-scope and oci.upload against a registry that takes AWS:<token>', async () => {
    const oci = await startRegistry({ auth: 'htpasswd', users: { AWS: { password: 'ecr-registry-password' } } });
    try {
      const parsed = parseImageRef(`${oci.host}/payments-api:1.4.2`);
      if (!parsed.ok) throw new Error(parsed.error);
      const results = await runProbes(
        { image: parsed.ref, provider: 'ecr', facts: {} },
        {
          registries: registry({ host: oci.host }),
          env: ENV,
          probes: ociProbes.filter((probe) => probe.name === 'oci.push-scope' || probe.name === 'oci.upload'),
          cache: cache(),
          purpose: 'preflight',
        },
      );
      expect(results.map((r) => [r.name, r.status])).toEqual([
        ['oci.push-scope', 'ok'],
        ['oci.upload', 'ok'],
      ]);
      expect(results[1]!.detail).toContain('push allowed for the credentials of AWS');
      expect(fake.calls.filter((call) => call.operation === 'GetAuthorizationToken')).toHaveLength(1);
    } finally {
      await oci.stop();
    }
  });
});

describe('a diagnosis, probed', () => {
  it('the simulation confirms the log’s permission_denied; the repository and tag probes refute the others', async () => {
    fake.on('iam.SimulatePrincipalPolicy', (call) => ({
      xml: simulationXml(members(call.input, 'ActionNames').map((action) => ({ action, resource: REPO_ARN, decision: 'implicitDeny' as const }))),
    }));
    const log = readFileSync(join(import.meta.dirname, '../../examples/ecr-push-denied.log'), 'utf8');
    const fromLog = diagnose({ log });
    const probed = await probeDiagnosis(fromLog, { registries: registry(), env: ENV, probes: ecrProbes, cache: cache() });
    expect(probed.findings[0]!.category).toBe('permission_denied');
    expect(probed.findings[0]!.confidence).toBeGreaterThanOrEqual(fromLog.findings[0]!.confidence);
    expect(probed.findings[0]!.evidence[0]!.text).toMatch(/^ecr\.simulate: IAM policy simulation for arn:aws:iam::123456789012:role\/gha-deployer: ecr:BatchCheckLayerAvailability is implicitDeny/);
    expect(probed.probes.map((p) => [p.name, p.status])).toEqual([
      ['ecr.token', 'ok'],
      ['ecr.repository', 'ok'],
      ['ecr.tag', 'ok'],
      ['ecr.policy', 'ok'],
      ['ecr.simulate', 'failed'],
      ['ecr.identity', 'ok'],
    ]);
    expect(probed.probes.every((p) => p.registry === 'prod-ecr')).toBe(true);
  });
});
