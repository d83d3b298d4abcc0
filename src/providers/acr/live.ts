// The live part of the acr adapter: probes that ask Azure Resource Manager about the registry (network
// access, firewall rules against the client IP, admin user, SKU, storage) and the registry's data plane
// about the repository and tag locks. Loaded only through src/probes/load-live.ts.
import type { Observation } from '../../engine/diagnosis.js';
import { CloudError } from '../../probes/cloud-error.js';
import { Secret } from '../../probes/secret.js';
import type { ProbeContext, ProbeDefinition, ProbeOutcome, RegistryLogin } from '../../probes/types.js';
import { ruleAllowing } from './ip-rules.js';
import { acrRefreshToken, armClient, armLocation, azureError, dataPlaneClient, statusOf, type ArmLocation } from './live/clients.js';

function locate(context: ProbeContext): ArmLocation | ProbeOutcome {
  const location = armLocation(context);
  return 'unknown' in location ? { status: 'skipped', detail: `not checked: ${location.unknown}` } : location;
}

const resourceIdOf = (l: ArmLocation) =>
  `/subscriptions/${l.subscription}/resourceGroups/${l.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${l.registryName}`;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

const network: ProbeDefinition = {
  name: 'acr.network',
  providers: ['acr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const location = locate(context);
    if ('status' in location) return location;
    const found = await armClient(context, location.subscription).registries.get(location.resourceGroup, location.registryName, { abortSignal: context.signal });
    const name = `\`${location.registryName}\``;
    const publicNetworkAccess = found.publicNetworkAccess ?? 'Enabled';
    const defaultAction = found.networkRuleSet?.defaultAction ?? 'Allow';
    const ipRules = (found.networkRuleSet?.ipRules ?? []).map((rule) => rule.iPAddressOrRange);
    const clientIp = context.facts.clientIp;
    const resource = found.id ?? resourceIdOf(location);
    const state = {
      registry: location.registryName,
      sku: found.sku.name,
      adminUserEnabled: found.adminUserEnabled ?? false,
      publicNetworkAccess,
      defaultAction,
      ipRules,
      clientIp: clientIp ?? null,
    };
    const about = `SKU ${found.sku.name}, admin user ${state.adminUserEnabled ? 'enabled' : 'disabled'}`;
    const observe = (kind: Observation['kind'], evidence: string): ProbeOutcome => ({
      status: kind === 'confirm' ? 'failed' : 'ok',
      detail: `${evidence} (${about})`,
      observations: [{ kind, category: 'firewall_denied', evidence, resource, state }],
    });

    if (publicNetworkAccess === 'Disabled') {
      return observe('confirm', `registry ${name} has public network access disabled: only its private endpoints reach it`);
    }
    if (defaultAction !== 'Deny') return observe('refute', `registry ${name} allows public network access from any IP`);
    const except = `registry ${name} denies public network access except ${plural(ipRules.length, 'IP rule')}`;
    if (!clientIp) {
      return { status: 'ok', detail: `${except}; the client IP is not known (neither the log nor the webhook gives it), so it was not checked against them (${about})` };
    }
    const rule = ruleAllowing(clientIp, ipRules);
    return rule
      ? observe('refute', `registry ${name} allows ${clientIp} through its firewall (rule ${rule})`)
      : observe('confirm', `${except}; ${clientIp} is not among them`);
  },
};

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

const storage: ProbeDefinition = {
  name: 'acr.storage',
  providers: ['acr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const location = locate(context);
    if ('status' in location) return location;
    const usages = await armClient(context, location.subscription).registries.listUsages(location.resourceGroup, location.registryName, { abortSignal: context.signal });
    const size = usages.value?.find((usage) => usage.name === 'Size');
    const name = `\`${location.registryName}\``;
    if (size?.currentValue === undefined || size.limit === undefined || size.limit <= 0) {
      return { status: 'ok', detail: `registry ${name} reports no storage limit (listUsages has no Size usage with a limit)` };
    }
    const state = { registry: location.registryName, usedBytes: size.currentValue, limitBytes: size.limit };
    const full = size.currentValue >= size.limit;
    const evidence = `registry ${name} uses ${gib(size.currentValue)} of its ${gib(size.limit)} storage${full ? ': it is full' : ''}`;
    const observation: Observation = { kind: full ? 'confirm' : 'refute', category: 'quota_exceeded', evidence, resource: resourceIdOf(location), state };
    return { status: full ? 'failed' : 'ok', detail: evidence, observations: [observation] };
  },
};

/** A data-plane refusal of the probe identity itself (nothing learnt about the push); other errors as they are. */
function dataPlaneRefusal(context: ProbeContext, error: unknown): unknown {
  const status = statusOf(error);
  if (status !== 401 && status !== 403) return error;
  return new CloudError(
    'acr',
    status === 401 ? 'UNAUTHORIZED' : 'DENIED',
    'forbidden',
    `acr.repository: ${context.image.host} refused to show repository metadata to the probe identity; give it AcrPull (or Container Registry Repository Reader on ABAC registries) on the registry (HTTP ${status}).`,
    false,
    status,
  );
}

const repositoryLocks: ProbeDefinition = {
  name: 'acr.repository',
  providers: ['acr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const client = dataPlaneClient(context);
    const repository = context.image.repository;
    const tag = context.image.tag;
    const shown = `\`${repository}\``;
    const resource = `${context.image.host}/${repository}`;
    let repo;
    try {
      repo = await client.getRepository(repository).getProperties({ abortSignal: context.signal });
    } catch (error) {
      if (statusOf(error) !== 404) throw dataPlaneRefusal(context, error);
      const evidence = `repository ${shown} does not exist yet on ${context.image.host}; ACR creates it on the first push`;
      const state = { repository, exists: false };
      return {
        status: 'ok',
        detail: evidence,
        observations: [
          { kind: 'refute', category: 'repo_not_found', evidence, resource, state },
          { kind: 'refute', category: 'repo_locked', evidence, resource, state },
        ],
      };
    }
    let tagState: { name: string; writeEnabled: boolean; deleteEnabled: boolean } | null = null;
    if (tag) {
      try {
        const found = await client.getArtifact(repository, tag).getTagProperties(tag, { abortSignal: context.signal });
        tagState = { name: tag, writeEnabled: found.canWrite ?? true, deleteEnabled: found.canDelete ?? true };
      } catch (error) {
        if (statusOf(error) !== 404) throw dataPlaneRefusal(context, error);
      }
    }
    const state = {
      repository,
      exists: true,
      writeEnabled: repo.canWrite ?? true,
      deleteEnabled: repo.canDelete ?? true,
      readEnabled: repo.canRead ?? true,
      listEnabled: repo.canList ?? true,
      tag: tagState,
    };
    const deleteLock = !state.deleteEnabled || tagState?.deleteEnabled === false ? '; delete-locked (deleteEnabled=false), which does not block a push' : '';
    let evidence: string;
    let locked = true;
    if (!state.writeEnabled) evidence = `repository ${shown} has writeEnabled=false: pushes to it are refused`;
    else if (tagState && !tagState.writeEnabled) evidence = `tag \`${repository}:${tag}\` has writeEnabled=false: it cannot be overwritten`;
    else {
      locked = false;
      evidence = tagState ? `repository ${shown} and tag \`${tag}\` accept writes (writeEnabled=true)` : `repository ${shown} accepts writes (writeEnabled=true)`;
    }
    return {
      status: locked ? 'failed' : 'ok',
      detail: `${evidence}${deleteLock}`,
      observations: [{ kind: locked ? 'confirm' : 'refute', category: 'repo_locked', evidence, resource: tagState && locked && state.writeEnabled ? `${resource}:${tag}` : resource, state }],
    };
  },
};

/** Credential and SDK errors turned into CloudErrors people can read (see azureError). */
function readingAzureErrors(probe: ProbeDefinition): ProbeDefinition {
  return {
    ...probe,
    run: (context) =>
      probe.run(context).catch((error: unknown) => {
        throw azureError(probe.name, error);
      }),
  };
}

export const probes: readonly ProbeDefinition[] = [network, storage, repositoryLocks].map(readingAzureErrors);

/** The user name Docker logs in with when the password is an ACR refresh token. */
const TOKEN_USER = '00000000-0000-0000-0000-000000000000';

/** The Docker login for the registry, for the OCI probes: the probe identity's ACR refresh token. */
export async function registryLogin(context: ProbeContext): Promise<RegistryLogin | undefined> {
  if (context.credentials.source !== 'configured' && context.credentials.source !== 'default-chain') return undefined;
  try {
    return { username: TOKEN_USER, password: new Secret(await acrRefreshToken(context)) };
  } catch (error) {
    throw azureError('acr login', error);
  }
}
export { fixes } from './live/fixes.js';
