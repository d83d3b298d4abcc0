// Which `registries[]` entry an image belongs to, and which credentials its probes use. Reads env, no I/O.
import type { RegistryConfig } from '../config/schema.js';
import type { ImageRef } from '../engine/diagnosis.js';
import { matchKnownRegistry } from '../engine/known-registry.js';
import { Secret } from './secret.js';
import type { ProbeCredentials } from './types.js';

/** The entry whose host is the image's host (Docker Hub aliases folded), if any: the same match the engine makes. */
export function matchRegistry(registries: readonly RegistryConfig[], image: ImageRef): RegistryConfig | undefined {
  return matchKnownRegistry(registries, image.host);
}

/**
 * The probe credentials of a registry entry. No entry: anonymous (OCI and network probes only). An entry
 * without `credentials.probe`: the cloud SDK's default chain. Named variables unset: missing, saying which.
 * Fix credentials are only ever the configured `credentials.fix`: never the probe ones, never a default chain.
 */
export function resolveCredentials(
  registry: RegistryConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
  purpose: 'probe' | 'fix' = 'probe',
): ProbeCredentials {
  if (!registry) return { source: 'anonymous' };
  const named = registry.credentials?.[purpose];
  if (!named || Object.keys(named).length === 0) {
    return purpose === 'probe' ? { source: 'default-chain' } : { source: 'missing', reason: `registry ${registry.name} has no credentials.fix` };
  }
  const values: Record<string, Secret> = {};
  const unset: string[] = [];
  for (const [field, variable] of Object.entries(named)) {
    const value = env[variable];
    if (value === undefined || value === '') unset.push(variable);
    else values[field] = new Secret(value);
  }
  if (unset.length > 0) {
    return {
      source: 'missing',
      reason: `registry ${registry.name}: environment variable${unset.length > 1 ? 's' : ''} ${unset.join(', ')} (credentials.${purpose}) ${unset.length > 1 ? 'are' : 'is'} not set`,
    };
  }
  return { source: 'configured', values };
}
