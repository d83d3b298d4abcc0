// `/registry status`: does each configured registry take the bot's own credentials, right now? One cheap,
// read-only call per registry (no repository needed), all registries in parallel.
import type { RegistryConfig } from '../config/schema.js';
import type { ProbeResult } from '../engine/diagnosis.js';
import { parseImageRef } from '../engine/image-ref.js';
import { liveModulesFor, loadLive, type LiveModuleId } from './load-live.js';
import { runProbes, type RunProbesOptions } from './run-probes.js';
import type { ProbeDefinition } from './types.js';

/** The probe that proves a provider's credentials work without touching a repository. */
const CREDENTIAL_PROBE: Readonly<Record<LiveModuleId, string>> = {
  ecr: 'ecr.identity',
  acr: 'acr.network',
  gar: 'oci.login',
  oci: 'oci.login',
};

export interface RegistryHealth {
  registry: RegistryConfig;
  result: ProbeResult;
}

export async function checkRegistryCredentials(
  registries: readonly RegistryConfig[],
  options: Pick<RunProbesOptions, 'env' | 'timeoutMs' | 'cache'> & { probes?: readonly ProbeDefinition[] },
): Promise<RegistryHealth[]> {
  return Promise.all(
    registries.map(async (registry): Promise<RegistryHealth> => {
      // Any repository will do: these probes only ask whether the credentials are accepted.
      const parsed = parseImageRef(`${registry.host}/registry-doctor/status`);
      if (!parsed.ok) {
        return { registry, result: { name: 'status', status: 'error', durationMs: 0, detail: parsed.error, registry: registry.name } };
      }
      const id = liveModulesFor(registry.provider)[0]!;
      const name = CREDENTIAL_PROBE[id];
      const available = options.probes ?? (await loadLive(id === 'gar' ? 'oci' : id)).probes;
      const probe = available.find((candidate) => candidate.name === name);
      const [result] = probe
        ? await runProbes(
            { image: parsed.ref, provider: registry.provider, facts: {} },
            { registries: [registry], env: options.env, probes: [probe], purpose: 'diagnose', ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.cache ? { cache: options.cache } : {}) },
          )
        : [];
      return { registry, result: result ?? { name, status: 'error', durationMs: 0, detail: `no ${name} probe is available`, registry: registry.name } };
    }),
  );
}
