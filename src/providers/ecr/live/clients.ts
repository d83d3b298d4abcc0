// The AWS clients the ecr probes and fixes share, kept for the process per registry entry and credentials
// (the default chain caches and refreshes credentials inside them), and where an image's repository lives.
import { ECRClient } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { CloudError } from '../../../probes/cloud-error.js';
import type { ProbeContext } from '../../../probes/types.js';

const PUBLIC_HOST = /^public\.ecr\.aws$/;

export interface EcrTarget {
  region: string;
  /** Registry (account) id: the config's, else the host's. */
  registryId?: string;
  repository: string;
  partition: string;
}

export function targetOf(context: Pick<ProbeContext, 'image' | 'registry'>): EcrTarget {
  if (PUBLIC_HOST.test(context.image.host)) {
    throw new CloudError('ecr', 'EcrPublic', 'service', 'ECR Public repositories are not probed (only private ECR registries are).', false);
  }
  const region = context.registry?.region ?? context.image.region;
  if (!region) {
    throw new CloudError('ecr', 'NoRegion', 'service', `no AWS region for ${context.image.host}: set region on its registries[] entry.`, false);
  }
  const registryId = context.registry?.account ?? context.image.account;
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return { region, repository: context.image.repository, partition, ...(registryId ? { registryId } : {}) };
}

export function repositoryArn(t: EcrTarget): string {
  return `arn:${t.partition}:ecr:${t.region}:${t.registryId ?? '*'}:repository/${t.repository}`;
}

/** The configured static credentials, or undefined for the SDK's default chain (env, profile, IRSA, instance role). */
function staticCredentials(context: ProbeContext): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  if (context.credentials.source !== 'configured') return undefined;
  const { accessKeyId, secretAccessKey, sessionToken } = context.credentials.values;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return {
    accessKeyId: accessKeyId.reveal(),
    secretAccessKey: secretAccessKey.reveal(),
    ...(sessionToken ? { sessionToken: sessionToken.reveal() } : {}),
  };
}

/** A cache key for a client: never the secret itself, only a digest of it. */
export function clientKey(service: string, context: ProbeContext, region: string): string {
  const creds = staticCredentials(context);
  const digest = creds ? createHash('sha256').update(`${creds.accessKeyId}\0${creds.secretAccessKey}\0${creds.sessionToken ?? ''}`).digest('hex').slice(0, 16) : 'chain';
  return `${service}:${context.registry?.name ?? context.image.host}:${region}:${context.registry?.endpoint ?? ''}:${digest}`;
}

/** SDK clients are kept for the process: the default chain caches and refreshes credentials inside them. */
interface ClientConfig {
  region: string;
  maxAttempts: number;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function clientConfig(context: ProbeContext, region: string): ClientConfig {
  const credentials = staticCredentials(context);
  return {
    region,
    // The runner retries throttling itself (with jitter, within the probe's time) for every provider alike.
    maxAttempts: 1,
    ...(context.registry?.endpoint ? { endpoint: context.registry.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

export function ecr(context: ProbeContext, region: string): ECRClient {
  return context.cache.get(clientKey('ecr', context, region), () => new ECRClient(clientConfig(context, region)));
}

/** The SDK error's name (`RepositoryNotFoundException`), for the answers a probe expects. */
export function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Whether an IAM action pattern (`ecr:*`, `ecr:Put*`, `*`) covers an action. */
export function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(action);
}
