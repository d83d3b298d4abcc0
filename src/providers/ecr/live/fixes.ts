// The ecr fix: create the missing repository with the registry's configured defaults (tag mutability, scan
// on push, encryption, tags; ECR's own defaults where none are configured). Someone creating it between
// the read and the write makes CreateRepository fail with RepositoryAlreadyExistsException: read again.
import { CreateRepositoryCommand, DescribeRepositoriesCommand, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import type { RegistryConfig } from '../../../config/schema.js';
import type { JsonValue, Observation } from '../../../engine/diagnosis.js';
import { FixConflict } from '../../../fixes/fix-conflict.js';
import type { FixContext, FixDefinition, FixInspection } from '../../../probes/types.js';
import { PUSH_ACTIONS } from '../index.js';
import { covers, ecr, nameOf, repositoryArn, targetOf } from './clients.js';

type State = { readonly [key: string]: JsonValue };
type RepositoryDefaults = NonNullable<RegistryConfig['repositoryDefaults']>;

/** ECR's own defaults, where the registry entry configures none. */
const ECR_DEFAULTS: RepositoryDefaults = { scanOnPush: false, imageTagMutability: 'MUTABLE', encryption: 'AES256', tags: {} };

interface RepositoryShape {
  imageTagMutability?: string | undefined;
  imageScanningConfiguration?: { scanOnPush?: boolean | undefined } | undefined;
  encryptionConfiguration?: { encryptionType?: string | undefined } | undefined;
}

const stateOf = (found: RepositoryShape): State => ({
  exists: true,
  imageTagMutability: found.imageTagMutability ?? 'MUTABLE',
  scanOnPush: found.imageScanningConfiguration?.scanOnPush ?? false,
  encryptionType: found.encryptionConfiguration?.encryptionType ?? 'AES256',
});

async function readRepository(context: FixContext, region: string, registryId: string | undefined, repository: string): Promise<State> {
  try {
    const answer = await ecr(context, region).send(
      new DescribeRepositoriesCommand({ repositoryNames: [repository], ...(registryId ? { registryId } : {}) }),
      { abortSignal: context.signal },
    );
    const found = answer.repositories?.[0];
    return found ? stateOf(found) : { exists: false };
  } catch (error) {
    if (nameOf(error) === 'RepositoryNotFoundException') return { exists: false };
    throw error;
  }
}

const createRepository: FixDefinition = {
  kind: 'ecr.create-repository',
  category: 'repo_not_found',
  providers: ['ecr'],
  intent(scope, observation) {
    if (observation.state?.exists !== false) return undefined;
    let t;
    try {
      t = targetOf(scope);
    } catch {
      return undefined;
    }
    const defaults = scope.registry?.repositoryDefaults ?? ECR_DEFAULTS;
    const tags = Object.entries(defaults.tags);
    const settings = [
      `tags ${defaults.imageTagMutability}`,
      `scan on push ${defaults.scanOnPush ? 'on' : 'off'}`,
      `${defaults.encryption} encryption`,
      ...(tags.length > 0 ? [`resource tags ${tags.map(([key, value]) => `${key}=${value}`).join(', ')}`] : []),
    ];
    return {
      title: `Create repository ${t.repository}`,
      target: repositoryArn(t),
      change: `Create the ECR repository ${t.repository} in ${t.region} (${settings.join(', ')})`,
      command: [
        `aws ecr create-repository --repository-name ${t.repository} --region ${t.region}`,
        ...(t.registryId ? [`--registry-id ${t.registryId}`] : []),
        `--image-tag-mutability ${defaults.imageTagMutability}`,
        `--image-scanning-configuration scanOnPush=${defaults.scanOnPush}`,
        `--encryption-configuration encryptionType=${defaults.encryption}`,
        ...(tags.length > 0 ? [`--tags ${tags.map(([key, value]) => `Key=${key},Value=${value}`).join(' ')}`] : []),
      ].join(' '),
      done: `created the ECR repository ${t.repository} in ${t.region}`,
    };
  },
  async plan(context, intent) {
    const t = targetOf(context);
    const state = await readRepository(context, t.region, t.registryId, t.repository);
    if (state.exists !== false) return undefined;
    const defaults = context.registry?.repositoryDefaults ?? ECR_DEFAULTS;
    return {
      ...intent,
      expected: state,
      params: {
        region: t.region,
        registryId: t.registryId ?? null,
        repository: t.repository,
        imageTagMutability: defaults.imageTagMutability,
        scanOnPush: defaults.scanOnPush,
        encryptionType: defaults.encryption,
        tags: Object.entries(defaults.tags).map(([Key, Value]) => ({ Key, Value })),
      },
    };
  },
  async inspect(context, plan): Promise<FixInspection> {
    const { region, registryId, repository } = plan.params;
    const state = await readRepository(context, String(region), typeof registryId === 'string' ? registryId : undefined, String(repository));
    // Any repository of that name takes the push, whatever its settings.
    return state.exists === false ? { status: 'expected', state } : { status: 'desired', state };
  },
  async write(context, plan) {
    const { region, registryId, repository, imageTagMutability, scanOnPush, encryptionType, tags } = plan.params;
    const resourceTags = (Array.isArray(tags) ? tags : []) as Array<{ Key: string; Value: string }>;
    try {
      const answer = await ecr(context, String(region)).send(
        new CreateRepositoryCommand({
          repositoryName: String(repository),
          ...(typeof registryId === 'string' ? { registryId } : {}),
          imageTagMutability: imageTagMutability === 'IMMUTABLE' ? 'IMMUTABLE' : 'MUTABLE',
          imageScanningConfiguration: { scanOnPush: scanOnPush === true },
          encryptionConfiguration: { encryptionType: encryptionType === 'KMS' ? 'KMS' : 'AES256' },
          ...(resourceTags.length > 0 ? { tags: resourceTags } : {}),
        }),
        { abortSignal: context.signal },
      );
      return stateOf(answer.repository ?? {});
    } catch (error) {
      if (nameOf(error) === 'RepositoryAlreadyExistsException') throw new FixConflict(`${plan.target} was created meanwhile`);
      throw error;
    }
  },
};

// The ecr fix for a principal of another account: one Allow statement for the push actions added to the
// repository policy, every existing statement kept. SetRepositoryPolicy has no etag, so the policy is read
// again right before the write and a text that differs from the plan's is refused, never overwritten.

interface PolicyStatement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: unknown;
}

const ACCOUNT_OF_ARN = /^arn:aws[-a-z]*:(?:iam|sts)::(\d{12}):/;

function statementsOf(policyText: string | null): PolicyStatement[] {
  if (policyText === null) return [];
  const parsed = JSON.parse(policyText) as { Statement?: PolicyStatement | PolicyStatement[] };
  return Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
}

/** An unconditional Allow of every push action to the principal (its ARN, its account root or id). */
function allows(policyText: string | null, principal: string, account: string): boolean {
  const names = new Set([principal, account, `arn:aws:iam::${account}:root`]);
  return statementsOf(policyText).some((statement) => {
    if (statement.Effect !== 'Allow' || statement.Condition !== undefined) return false;
    const aws = (statement.Principal as { AWS?: string | string[] } | undefined)?.AWS;
    const principals = statement.Principal === '*' ? ['*'] : aws === undefined ? [] : Array.isArray(aws) ? aws : [aws];
    if (!principals.some((p) => p === '*' || names.has(p))) return false;
    const actions = statement.Action === undefined ? [] : Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    return PUSH_ACTIONS.every((action) => actions.some((pattern) => covers(pattern, action)));
  });
}

async function readPolicy(context: FixContext, region: string, registryId: string | undefined, repository: string): Promise<string | null> {
  try {
    const answer = await ecr(context, region).send(
      new GetRepositoryPolicyCommand({ repositoryName: repository, ...(registryId ? { registryId } : {}) }),
      { abortSignal: context.signal },
    );
    return answer.policyText ?? null;
  } catch (error) {
    if (nameOf(error) === 'RepositoryPolicyNotFoundException') return null;
    throw error;
  }
}

/** The principal ecr.simulate found refused; an explicit Deny (ecr.policy, no principal) no Allow can undo. */
function refusedPrincipal(observation: Observation): string | undefined {
  const principal = observation.state?.principal;
  return typeof principal === 'string' ? principal : undefined;
}

const paramsOf = (plan: { params: { readonly [key: string]: JsonValue } }) => ({
  region: String(plan.params.region),
  registryId: typeof plan.params.registryId === 'string' ? plan.params.registryId : undefined,
  repository: String(plan.params.repository),
  principal: String(plan.params.principal),
  account: String(plan.params.account),
});

const allowPush: FixDefinition = {
  kind: 'ecr.allow-push',
  category: 'permission_denied',
  providers: ['ecr'],
  intent(scope, observation) {
    const principal = refusedPrincipal(observation);
    const account = principal && ACCOUNT_OF_ARN.exec(principal)?.[1];
    let t;
    try {
      t = targetOf(scope);
    } catch {
      return undefined;
    }
    if (!account || !t.registryId || account === t.registryId) return undefined;
    return {
      title: `Allow account ${account} to push to ${t.repository}`.slice(0, 75),
      target: repositoryArn(t),
      change: `Add a statement to the repository policy of ${t.repository} allowing ${principal} (account ${account}) to push; every existing statement is kept`,
      command: `aws ecr set-repository-policy --repository-name ${t.repository} --region ${t.region} --registry-id ${t.registryId} --policy-text file://policy.json`,
      done: `allowed ${principal} to push to ${t.repository} (repository policy)`,
    };
  },
  async plan(context, intent, observation) {
    const t = targetOf(context);
    const principal = refusedPrincipal(observation)!;
    const account = ACCOUNT_OF_ARN.exec(principal)![1]!;
    const policyText = await readPolicy(context, t.region, t.registryId, t.repository);
    if (allows(policyText, principal, account)) return undefined;
    return {
      ...intent,
      expected: { policyText },
      params: { region: t.region, registryId: t.registryId ?? null, repository: t.repository, principal, account },
    };
  },
  async inspect(context, plan): Promise<FixInspection> {
    const p = paramsOf(plan);
    const policyText = await readPolicy(context, p.region, p.registryId, p.repository);
    if (allows(policyText, p.principal, p.account)) return { status: 'desired', state: { policyText } };
    if (policyText !== plan.expected.policyText) return { status: 'changed', state: { policyText }, detail: `the repository policy of ${p.repository} changed since the plan` };
    return { status: 'expected', state: { policyText } };
  },
  async write(context, plan, inspected) {
    const p = paramsOf(plan);
    const before = inspected.state.policyText as string | null;
    // No etag on SetRepositoryPolicy: the last read before the write stands in for one.
    if ((await readPolicy(context, p.region, p.registryId, p.repository)) !== before) throw new FixConflict(`the repository policy of ${p.repository} changed`);
    const policy = before === null ? { Version: '2012-10-17' } : (JSON.parse(before) as Record<string, unknown>);
    const statement = {
      Sid: `RegistryDoctorAllowPush${p.account}`,
      Effect: 'Allow',
      Principal: { AWS: p.principal },
      Action: [...PUSH_ACTIONS],
    };
    const policyText = JSON.stringify({ ...policy, Statement: [...statementsOf(before), statement] });
    const answer = await ecr(context, p.region).send(
      new SetRepositoryPolicyCommand({ repositoryName: p.repository, policyText, ...(p.registryId ? { registryId: p.registryId } : {}) }),
      { abortSignal: context.signal },
    );
    return { policyText: answer.policyText ?? policyText };
  },
};

export const fixes: readonly FixDefinition[] = [createRepository, allowPush];
