// The only door to the providers' live parts (SDK calls). Each module loads with `await import()` when a
// probe of its provider runs, so the log-only CLI path, the engine and the web role never load a cloud SDK.
import type { Provider } from '../engine/vocabulary.js';
import type { LiveModule } from './types.js';

export type LiveModuleId = 'ecr' | 'gar' | 'acr' | 'oci';

const LIVE_MODULES: Readonly<Record<LiveModuleId, () => Promise<LiveModule>>> = {
  ecr: () => import('../providers/ecr/live.js'),
  gar: () => import('../providers/gar/live.js'),
  acr: () => import('../providers/acr/live.js'),
  oci: () => import('../providers/oci/live.js'),
};

/** The live modules whose probes apply to a provider: its own cloud's (if any), then the OCI ones. */
export function liveModulesFor(provider: Provider): LiveModuleId[] {
  switch (provider) {
    case 'ecr':
      return ['ecr', 'oci'];
    case 'gar':
    case 'gcr':
      return ['gar', 'oci'];
    case 'acr':
      return ['acr', 'oci'];
    default:
      return ['oci'];
  }
}

export async function loadLive(id: LiveModuleId): Promise<LiveModule> {
  return LIVE_MODULES[id]();
}
