// The ecr fix: create the missing repository with the registry's configured defaults (tag mutability, scan
// on push, encryption, tags; ECR's own defaults where none are configured). Someone creating it between
// the read and the write makes CreateRepository fail with RepositoryAlreadyExistsException: read again.
import { CreateRepositoryCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import type { RegistryConfig } from '../../../config/schema.js';
import type { JsonValue } from '../../../engine/diagnosis.js';
import { FixConflict } from '../../../fixes/fix-conflict.js';
import type { FixContext, FixDefinition, FixInspection } from '../../../probes/types.js';
import { ecr, nameOf, repositoryArn, targetOf } from './clients.js';

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

export const fixes: readonly FixDefinition[] = [createRepository];
