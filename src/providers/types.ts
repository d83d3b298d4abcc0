// The contract every provider folder implements. The engine asks adapters; it never tests hosts itself.
import type { DocLink, Facts, ImageRef, RemediationStep } from '../engine/diagnosis.js';
import type { Category, Provider } from '../engine/vocabulary.js';

/** What an adapter reads from a registry host and the repository path behind it. */
export interface HostMatch {
  provider: Provider;
  /** ECR account id, GAR/GCR project, ACR registry name, Docker Hub / GHCR namespace. */
  account?: string;
  /** ECR region, GAR location, GCR multi-region. */
  region?: string;
}

/**
 * A wording in a log that names a provider when no host is visible. It carries the provider it means,
 * because one adapter may serve more than one (the gar adapter answers for `gar` and `gcr`).
 */
export interface LogSignal {
  pattern: RegExp;
  provider: Provider;
  /** Other providers the wording's tool serves too (a credential helper): a registry host in the log chooses. */
  alsoServes?: readonly Provider[];
}

/** Everything remediation may fill into its commands. */
export interface RemediationContext {
  category: Category;
  /** Provider resolved for this diagnosis (an adapter may serve more than one, e.g. gar and gcr). */
  provider: Provider;
  image?: ImageRef;
  facts: Facts;
}

export interface ProviderRemediation {
  /** Provider-specific words on what the error means here (optional; the catalog has a generic one). */
  explanation?: string;
  steps: RemediationStep[];
  docs: DocLink[];
}

export interface ProviderAdapter {
  /** Folder name; also what tests compare with the folder list. */
  readonly id: string;
  /** Provider ids this adapter answers for. */
  readonly providers: readonly Provider[];
  /**
   * The name a person reads for one of `providers` ("Amazon ECR"): every text and Slack rendering says this,
   * the JSON output keeps the id. `host`, when known, is the registry host: it tells a variant apart (ECR
   * Public) and is the best name of a registry no adapter knows.
   */
  displayName(provider: Provider, host?: string): string;
  /**
   * Recognise a registry host (lower case, port kept) with the repository path behind it.
   * `repository` may be empty when only a host is known.
   */
  matchHost(host: string, repository: string): HostMatch | undefined;
  /**
   * Wording in a log that names this provider when no host is visible (a credential helper, an ARN,
   * an SDK exception). Each pattern is tested against single normalised log lines; patterns carry no
   * `g`/`y` flag, so `pattern.test(line)` has no state.
   */
  readonly logSignals: readonly LogSignal[];
  /** Steps, commands and links for a category on this provider; undefined → the generic OCI advice. */
  remediate(context: RemediationContext): ProviderRemediation | undefined;
}
