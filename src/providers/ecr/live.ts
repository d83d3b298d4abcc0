// The live part of the ECR adapter: read-only probes on ECR, IAM and STS, and the registry login the OCI
// probes use. Loaded only through src/probes/load-live.ts.
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Observation } from '../../engine/diagnosis.js';
import { CloudError, toCloudError } from '../../probes/cloud-error.js';
import { Secret } from '../../probes/secret.js';
import type { ProbeContext, ProbeDefinition, ProbeOutcome, RegistryLogin } from '../../probes/types.js';
import { identityOf, PUSH_ACTIONS } from './index.js';
import { clientConfig, clientKey, covers, ecr, nameOf, repositoryArn, targetOf, type EcrTarget } from './live/clients.js';

function iam(context: ProbeContext, t: EcrTarget): IAMClient {
  // IAM is global; its endpoint lives in us-east-1 (aws) / cn-north-1 / us-gov-west-1.
  const region = t.partition === 'aws-cn' ? 'cn-north-1' : t.partition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1';
  return context.cache.get(clientKey('iam', context, region), () => new IAMClient(clientConfig(context, region)));
}

function sts(context: ProbeContext, region: string): STSClient {
  return context.cache.get(clientKey('sts', context, region), () => new STSClient(clientConfig(context, region)));
}

function aboutIdentity(context: ProbeContext, observation: Observation): Observation[] {
  return context.purpose === 'preflight' ? [observation] : [];
}

/** An access denial of the probe's own identity: it cannot tell, and says which permission it lacks. */
function deniedToProbe(what: string, error: unknown): ProbeOutcome | undefined {
  const name = nameOf(error);
  if (name !== 'AccessDeniedException' && name !== 'AccessDenied') return undefined;
  return { status: 'skipped', detail: `the probe credentials may not call ${what}: ${toCloudError('ecr', what, error).sentence}` };
}

// ---------------------------------------------------------------------------------------------------
// The registry login (also for the OCI probes): one GetAuthorizationToken, kept until shortly before expiry.

interface CachedLogin {
  login: Promise<{ login: RegistryLogin; expiresAt: number }>;
}

const LOGIN_MARGIN_MS = 5 * 60_000;

async function fetchLogin(context: ProbeContext, t: EcrTarget): Promise<{ login: RegistryLogin; expiresAt: number }> {
  const answer = await ecr(context, t.region).send(new GetAuthorizationTokenCommand({}), { abortSignal: context.signal });
  const data = answer.authorizationData?.[0];
  if (!data?.authorizationToken) throw new CloudError('ecr', 'NoToken', 'service', 'ECR GetAuthorizationToken answered without a token.', false);
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return {
    login: { username: decoded.slice(0, colon), password: new Secret(decoded.slice(colon + 1)) },
    expiresAt: data.expiresAt?.getTime() ?? Date.now() + 12 * 3_600_000,
  };
}

function loginFor(context: ProbeContext, t: EcrTarget): Promise<{ login: RegistryLogin; expiresAt: number }> {
  const key = `login:${clientKey('ecr', context, t.region)}`;
  const holder = context.cache.get<{ current?: CachedLogin & { expiresAt?: number } }>(key, () => ({}));
  const fresh = holder.current && (holder.current.expiresAt === undefined || holder.current.expiresAt - LOGIN_MARGIN_MS > Date.now());
  if (!holder.current || !fresh) {
    const login = fetchLogin(context, t);
    const entry: CachedLogin & { expiresAt?: number } = { login };
    holder.current = entry;
    login.then(
      (value) => (entry.expiresAt = value.expiresAt),
      () => {
        if (holder.current === entry) delete holder.current; // a failure is not cached
      },
    );
  }
  return holder.current.login;
}

export async function registryLogin(context: ProbeContext): Promise<RegistryLogin | undefined> {
  if (context.credentials.source !== 'configured' && context.credentials.source !== 'default-chain') return undefined;
  return (await loginFor(context, targetOf(context))).login;
}

// ---------------------------------------------------------------------------------------------------
// Probes

const token: ProbeDefinition = {
  name: 'ecr.token',
  providers: ['ecr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const t = targetOf(context);
    try {
      const { expiresAt } = await loginFor(context, t);
      return { status: 'ok', detail: `ECR issued an authorization token in ${t.region}, valid until ${new Date(expiresAt).toISOString()}` };
    } catch (error) {
      const name = nameOf(error);
      if (name === 'AccessDeniedException') {
        return {
          status: 'failed',
          detail: `ECR refused GetAuthorizationToken: the identity lacks ecr:GetAuthorizationToken on *`,
          observations: aboutIdentity(context, { kind: 'confirm', category: 'permission_denied', evidence: 'the identity may not call ecr:GetAuthorizationToken (needed on `*` to log in)', state: { getAuthorizationToken: false } }),
        };
      }
      if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'ExpiredTokenException') {
        const category = name === 'ExpiredTokenException' ? 'auth_expired' : 'auth_missing';
        return {
          status: 'failed',
          detail: toCloudError('ecr', 'ECR GetAuthorizationToken', error).sentence,
          observations: aboutIdentity(context, { kind: 'confirm', category, evidence: `AWS did not accept the credentials (${name})` }),
        };
      }
      throw toCloudError('ecr', 'ECR GetAuthorizationToken', error);
    }
  },
};

async function describeRepository(context: ProbeContext, t: EcrTarget): Promise<Repository | undefined> {
  try {
    const answer = await ecr(context, t.region).send(
      new DescribeRepositoriesCommand({ repositoryNames: [t.repository], ...(t.registryId ? { registryId: t.registryId } : {}) }),
      { abortSignal: context.signal },
    );
    return answer.repositories?.[0];
  } catch (error) {
    if (nameOf(error) === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

/** The repository (`found` undefined: it does not exist), or the outcome when the probe identity may not look. */
async function lookUpRepository(context: ProbeContext, t: EcrTarget): Promise<{ found: Repository | undefined } | { outcome: ProbeOutcome }> {
  try {
    return { found: await describeRepository(context, t) };
  } catch (error) {
    const denied = deniedToProbe('ecr:DescribeRepositories', error);
    if (denied) return { outcome: denied };
    throw toCloudError('ecr', 'ECR DescribeRepositories', error);
  }
}

function where(t: EcrTarget): string {
  return `${t.registryId ? `account ${t.registryId}, ` : ''}${t.region}`;
}

const repository: ProbeDefinition = {
  name: 'ecr.repository',
  providers: ['ecr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const t = targetOf(context);
    const looked = await lookUpRepository(context, t);
    if ('outcome' in looked) return looked.outcome;
    const { found } = looked;
    if (!found) {
      return {
        status: 'failed',
        detail: `repository ${t.repository} does not exist in ${where(t)}`,
        observations: [
          { kind: 'confirm', category: 'repo_not_found', evidence: `repository \`${t.repository}\` does not exist in ${where(t)}`, resource: repositoryArn(t), state: { exists: false } },
        ],
      };
    }
    const mutability = found.imageTagMutability ?? 'MUTABLE';
    return {
      status: 'ok',
      detail: `repository ${t.repository} exists in ${where(t)} (tags ${mutability})`,
      observations: [
        {
          kind: 'refute',
          category: 'repo_not_found',
          evidence: `repository \`${t.repository}\` exists in ${where(t)}`,
          resource: found.repositoryArn ?? repositoryArn(t),
          state: { exists: true, imageTagMutability: mutability },
        },
      ],
    };
  },
};

const tag: ProbeDefinition = {
  name: 'ecr.tag',
  providers: ['ecr'],
  needs: ['registry', 'credentials', 'tag'],
  async run(context) {
    const t = targetOf(context);
    const imageTag = context.image.tag!;
    const looked = await lookUpRepository(context, t);
    if ('outcome' in looked) return looked.outcome;
    const { found } = looked;
    if (!found) return { status: 'skipped', detail: `repository ${t.repository} does not exist, so neither does tag ${imageTag}` };
    const mutability = found.imageTagMutability ?? 'MUTABLE';
    const resource = found.repositoryArn ?? repositoryArn(t);
    // IMMUTABLE_WITH_EXCLUSION keeps some tags mutable; the exclusion filters are not read here.
    if (!mutability.startsWith('IMMUTABLE')) {
      return {
        status: 'ok',
        detail: `repository ${t.repository} has mutable tags: ${imageTag} may be overwritten`,
        observations: [{ kind: 'refute', category: 'tag_immutable', evidence: `repository \`${t.repository}\` has imageTagMutability=${mutability}`, resource, state: { imageTagMutability: mutability } }],
      };
    }
    try {
      const answer = await ecr(context, t.region).send(
        new DescribeImagesCommand({ repositoryName: t.repository, imageIds: [{ imageTag }], ...(t.registryId ? { registryId: t.registryId } : {}) }),
        { abortSignal: context.signal },
      );
      const image = answer.imageDetails?.[0];
      return {
        status: 'failed',
        detail: `repository ${t.repository} has ${mutability} tags and ${imageTag} already exists${image?.imageDigest ? ` (${image.imageDigest.slice(0, 19)}…)` : ''}`,
        observations: [
          {
            kind: 'confirm',
            category: 'tag_immutable',
            evidence: `repository \`${t.repository}\` has imageTagMutability=${mutability} and tag \`${imageTag}\` already exists`,
            resource,
            state: { imageTagMutability: mutability, tagExists: true, ...(image?.imageDigest ? { digest: image.imageDigest } : {}) },
          },
        ],
      };
    } catch (error) {
      if (nameOf(error) === 'ImageNotFoundException') {
        return {
          status: 'ok',
          detail: `repository ${t.repository} has ${mutability} tags; ${imageTag} is not taken yet`,
          observations: [
            { kind: 'refute', category: 'tag_immutable', evidence: `tag \`${imageTag}\` does not exist yet in \`${t.repository}\` (tags ${mutability})`, resource, state: { imageTagMutability: mutability, tagExists: false } },
          ],
        };
      }
      const denied = deniedToProbe('ecr:DescribeImages', error);
      if (denied) return denied;
      throw toCloudError('ecr', 'ECR DescribeImages', error);
    }
  },
};

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

const NETWORK_CONDITION_KEYS = /^aws:(SourceIp|SourceVpce?|VpcSourceIp)$/i;

const policy: ProbeDefinition = {
  name: 'ecr.policy',
  providers: ['ecr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const t = targetOf(context);
    let text: string | undefined;
    try {
      const answer = await ecr(context, t.region).send(
        new GetRepositoryPolicyCommand({ repositoryName: t.repository, ...(t.registryId ? { registryId: t.registryId } : {}) }),
        { abortSignal: context.signal },
      );
      text = answer.policyText;
    } catch (error) {
      const name = nameOf(error);
      if (name === 'RepositoryPolicyNotFoundException') {
        return { status: 'ok', detail: `repository ${t.repository} has no repository policy: identity policies alone decide` };
      }
      if (name === 'RepositoryNotFoundException') return { status: 'skipped', detail: `repository ${t.repository} does not exist` };
      const denied = deniedToProbe('ecr:GetRepositoryPolicy', error);
      if (denied) return denied;
      throw toCloudError('ecr', 'ECR GetRepositoryPolicy', error);
    }
    let statements: PolicyStatement[] = [];
    try {
      const parsed = JSON.parse(text ?? '{}') as { Statement?: PolicyStatement | PolicyStatement[] };
      statements = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
    } catch {
      return { status: 'ok', detail: `repository ${t.repository} has a policy that is not readable JSON` };
    }
    const denies = statements.filter(
      (statement) => statement.Effect === 'Deny' && PUSH_ACTIONS.some((action) => listOf(statement.Action).some((pattern) => covers(pattern, action))),
    );
    const resource = repositoryArn(t);
    if (denies.length === 0) {
      return { status: 'ok', detail: `repository ${t.repository} has a policy with ${statements.length} statement(s), none denying push actions` };
    }
    const names = denies.map((statement, index) => statement.Sid ?? `#${index + 1}`);
    const network = denies.some((statement) => Object.values(statement.Condition ?? {}).some((keys) => Object.keys(keys).some((key) => NETWORK_CONDITION_KEYS.test(key))));
    const state = { denyStatements: names, networkCondition: network };
    return {
      status: 'failed',
      detail: `the repository policy of ${t.repository} denies push actions (statement ${names.join(', ')}${network ? ', on a network condition' : ''})`,
      observations: [
        network
          ? { kind: 'confirm', category: 'firewall_denied', evidence: `repository policy statement ${names.join(', ')} denies push outside the allowed network (aws:SourceIp / aws:SourceVpce)`, resource, state }
          : { kind: 'confirm', category: 'permission_denied', evidence: `repository policy statement ${names.join(', ')} explicitly denies push actions`, resource, state },
      ],
    };
  },
};

/** The IAM ARN simulation accepts for a principal: an STS assumed-role session maps back to its role. */
export function simulationSource(principal: string): { arn: string; note?: string } | undefined {
  const identity = identityOf(principal);
  const match = /^arn:(aws[-a-z]*):(iam|sts)::(\d{12}):/.exec(principal);
  if (!identity || !match) return undefined;
  const [, partition, service, account] = match;
  if (service === 'sts') {
    return {
      arn: `arn:${partition}:iam::${account}:role/${identity.name}`,
      note: 'the session was mapped back to its role (a role path, if any, is not in the session ARN; session policies are not simulated)',
    };
  }
  return { arn: principal };
}

const simulate: ProbeDefinition = {
  name: 'ecr.simulate',
  providers: ['ecr'],
  needs: ['registry', 'credentials', 'principal'],
  async run(context) {
    const t = targetOf(context);
    const principal = context.facts.principal!;
    const source = simulationSource(principal);
    if (!source) return { status: 'skipped', detail: `${principal} is not an IAM user, role or assumed-role ARN that can be simulated` };
    const resourceArn = repositoryArn(t);
    let results;
    try {
      const answer = await iam(context, t).send(
        new SimulatePrincipalPolicyCommand({ PolicySourceArn: source.arn, ActionNames: [...PUSH_ACTIONS], ResourceArns: [resourceArn] }),
        { abortSignal: context.signal },
      );
      results = answer.EvaluationResults ?? [];
    } catch (error) {
      const name = nameOf(error);
      if (name === 'NoSuchEntity' || name === 'NoSuchEntityException') {
        return { status: 'skipped', detail: `IAM knows no ${source.arn}${source.note ? ` (${source.note})` : ''}` };
      }
      if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        return { status: 'skipped', detail: `the probe credentials may not call iam:SimulatePrincipalPolicy on ${source.arn}` };
      }
      throw toCloudError('iam', 'IAM SimulatePrincipalPolicy', error);
    }
    // Resource policies are applied only for IAM users; ecr.policy reads the repository policy itself.
    const notChecked = `not checked: ${source.note ? `${source.note}; ` : ''}the repository policy${source.arn.includes(':user/') ? '' : ' (IAM applies resource policies only for users)'}, SCPs outside the simulation`;
    const refused = results.filter((result) => result.EvalDecision !== 'allowed');
    if (refused.length === 0) {
      return {
        status: 'ok',
        detail: `${source.arn} is allowed every push action on ${t.repository} (${notChecked})`,
        observations: [{ kind: 'refute', category: 'permission_denied', evidence: `IAM policy simulation allows ${source.arn} every push action on \`${t.repository}\``, resource: resourceArn, state: { principal: source.arn, decisions: Object.fromEntries(results.map((r) => [r.EvalActionName ?? '?', r.EvalDecision ?? '?'])) } }],
      };
    }
    const described = refused.map((result) => {
      const by = (result.MatchedStatements ?? []).map((statement) => statement.SourcePolicyId).filter(Boolean);
      return `${result.EvalActionName} is ${result.EvalDecision}${result.EvalDecision === 'explicitDeny' && by.length ? ` by ${by.join(', ')}` : ''}`;
    });
    return {
      status: 'failed',
      detail: `${described.join('; ')} for ${source.arn} (${notChecked})`,
      observations: [
        {
          kind: 'confirm',
          category: 'permission_denied',
          evidence: `IAM policy simulation for ${source.arn}: ${described.join('; ')}`,
          resource: resourceArn,
          state: {
            principal: source.arn,
            decisions: Object.fromEntries(results.map((r) => [r.EvalActionName ?? '?', r.EvalDecision ?? '?'])),
          },
        },
      ],
    };
  },
};

const identity: ProbeDefinition = {
  name: 'ecr.identity',
  providers: ['ecr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const t = targetOf(context);
    let caller;
    try {
      caller = await sts(context, t.region).send(new GetCallerIdentityCommand({}), { abortSignal: context.signal });
    } catch (error) {
      throw toCloudError('sts', 'STS GetCallerIdentity', error);
    }
    const facts: string[] = [`the probe credentials are ${caller.Arn ?? 'unknown'} (account ${caller.Account ?? '?'})`];
    const observations: Observation[] = [];
    const hostRegion = context.image.region;
    const configured = context.registry?.region;
    const logged = context.facts.region;
    // ECR tokens are per region: a login for another region is refused by this registry.
    const other = [configured, logged].find((region) => region && hostRegion && region !== hostRegion);
    if (other) {
      facts.push(`the registry host is in ${hostRegion} but ${other === configured ? 'the registries[] entry says' : 'the log logs in to'} ${other}`);
      observations.push({
        kind: 'confirm',
        category: 'auth_missing',
        evidence: `the registry is in ${hostRegion} but the credentials were set up for ${other}: an ECR token is valid only in its own region`,
        state: { hostRegion: hostRegion ?? null, credentialRegion: other ?? null },
      });
    }
    if (t.registryId && caller.Account && caller.Account !== t.registryId) {
      facts.push(`the registry belongs to account ${t.registryId}: a cross-account push needs the repository policy to allow it`);
    }
    return { status: observations.length ? 'failed' : 'ok', detail: facts.join('; '), ...(observations.length ? { observations } : {}) };
  },
};

export const probes: readonly ProbeDefinition[] = [token, repository, tag, policy, simulate, identity];
export { fixes } from './live/fixes.js';
