// A registry the deployment configured (a `registries[]` entry), as the engine may read it: which provider
// serves a host the adapters cannot recognise (a custom domain, a private-link name), and the identifiers
// its remediation fills in. Plain data handed in by the caller; the engine never reads configuration.
import { normaliseHost } from './image-ref.js';
import type { Provider } from './vocabulary.js';

export interface KnownRegistry {
  /** The entry's name: `prod-acr`. */
  name: string;
  provider: Provider;
  /** Registry host as in an image reference, port kept. */
  host: string;
  /** ECR account id, GCP project, ACR registry name. */
  account?: string;
  /** ECR region, Artifact Registry location. */
  region?: string;
}

/** The entry whose host is this host (Docker Hub aliases folded), if any. */
export function matchKnownRegistry<T extends KnownRegistry>(known: readonly T[], host: string): T | undefined {
  const wanted = normaliseHost(host) ?? host;
  return known.find((registry) => (normaliseHost(registry.host) ?? registry.host) === wanted);
}
