// The registry of provider adapters, one per folder, in match order; the generic OCI adapter is last.
import type { Diagnosis } from '../engine/diagnosis.js';
import type { Provider } from '../engine/vocabulary.js';
import { acrAdapter } from './acr/index.js';
import { forClientTool } from './client-tools.js';
import { dockerhubAdapter } from './dockerhub/index.js';
import { ecrAdapter } from './ecr/index.js';
import { garAdapter } from './gar/index.js';
import { ghcrAdapter } from './ghcr/index.js';
import { genericRemediation, ociAdapter } from './oci/index.js';
import type { LogSignal, ProviderAdapter, ProviderRemediation, RemediationContext } from './types.js';

export const providerAdapters: readonly ProviderAdapter[] = [
  ecrAdapter,
  garAdapter,
  acrAdapter,
  dockerhubAdapter,
  ghcrAdapter,
  ociAdapter,
];

/** The adapter that answers for a provider (the generic OCI adapter for `other`). */
export function adapterFor(provider: Provider): ProviderAdapter {
  return providerAdapters.find((adapter) => adapter.providers.includes(provider)) ?? ociAdapter;
}

/** The name a person reads for a provider (the registry host for `other`, when known); JSON keeps the id. */
export function providerName(provider: Provider, host?: string): string {
  return adapterFor(provider).displayName(provider, host);
}

/** The registry a diagnosis is about, named for a person: its provider's name, told apart by the pushed host. */
export function registryNameOf(d: Pick<Diagnosis, 'provider' | 'image' | 'facts'>): string {
  return providerName(d.provider, d.image?.host ?? d.facts.host);
}

/** Every adapter's log signals, in match order. */
export const providerLogSignals: readonly LogSignal[] = providerAdapters.flatMap((adapter) => adapter.logSignals);

/** The provider's remediation for the context (the generic OCI advice when it has none), said for the client that failed. */
export function remediationFor(context: RemediationContext): ProviderRemediation {
  return forClientTool(adapterFor(context.provider).remediate(context) ?? genericRemediation(context), context.facts.tool);
}

export { genericRemediation, ociAdapter };
