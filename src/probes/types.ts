// The probe contract: what a probe of any provider declares, what it is given, what it answers. Pure types:
// the engine, the renderers and the runner read these; only a provider's live module implements them.
import type { RegistryConfig } from '../config/schema.js';
import type { Facts, ImageRef, Observation } from '../engine/diagnosis.js';
import type { Provider } from '../engine/vocabulary.js';
import type { Secret } from './secret.js';

/** What a probe needs before it can run; the runner skips it, saying which is missing, otherwise. */
export type ProbeNeed =
  /** A `registries[]` entry for the image's host (cloud probes: which account/project/subscription). */
  | 'registry'
  /** Credentials: configured ones, or the SDK's default chain (never anonymous). */
  | 'credentials'
  /** The image reference names a tag. */
  | 'tag'
  /** The log names an IAM principal (`User: arn:aws:sts::… is not authorized to perform`). */
  | 'principal'
  /** The client IP the registry saw (the log's "client with IP", or the webhook's runner IP). */
  | 'clientIp';

/**
 * Where a probe's credentials come from. `configured` values come from the environment variables named in
 * `credentials.probe`; `default-chain` means the cloud SDK's own chain (AWS env/profile/IRSA/instance role,
 * Google ADC, Azure DefaultAzureCredential); `anonymous` is an image whose host matches no registry entry.
 */
export type ProbeCredentials =
  | { source: 'configured'; values: Readonly<Record<string, Secret>> }
  | { source: 'default-chain' }
  | { source: 'anonymous' }
  /** Configured, but the named environment variables are unset or empty: the reason says which. */
  | { source: 'missing'; reason: string };

/** A memo kept for the process: SDK clients and credential providers, so tokens are cached and refreshed. */
export interface ProbeCache {
  /** The value stored under `key`, created by `create` the first time. Keys must not contain secrets. */
  get<T>(key: string, create: () => T): T;
}

export interface ProbeContext {
  image: ImageRef;
  /** The provider the diagnosis settled on (an image on `gcr.io` is `gcr`, served by the gar module). */
  provider: Provider;
  /** What the log told us: principal, permission, client IP (the runner's IP when the log has none)… */
  facts: Facts;
  /** The `registries[]` entry whose host matches the image, if any. */
  registry?: RegistryConfig;
  credentials: ProbeCredentials;
  /** Aborted when the probe's time is up or the diagnosis is cancelled: pass it to every SDK call. */
  signal: AbortSignal;
  /** This probe's time budget in milliseconds. */
  timeoutMs: number;
  cache: ProbeCache;
  /**
   * `preflight` (`check IMAGE`): the credentials are the pusher's, so what they may do is the answer.
   * `diagnose`: they are the bot's own read-only ones, so they say nothing about the pusher's rights.
   */
  purpose: 'diagnose' | 'preflight';
}

/** Docker-style registry credentials (what `docker login` takes). */
export interface RegistryLogin {
  username: string;
  password: Secret;
}

/** What a probe answers. `timeout` and `error` are the runner's to give: a probe returns or throws. */
export interface ProbeOutcome {
  /** `ok`: the check passed; `failed`: it found what blocks a push; `skipped`: it could not apply here. */
  status: 'ok' | 'failed' | 'skipped';
  /** One plain sentence: "repository `app` exists (tags IMMUTABLE)". */
  detail: string;
  observations?: Observation[];
}

export interface ProbeDefinition {
  /** `ecr.repository`, `oci.push-scope`, `net.tls`: unique, stable (tests and the JSON output use it). */
  name: string;
  /** Providers it applies to; `any` for the OCI and network probes. */
  providers: readonly Provider[] | 'any';
  /** What it needs before it can run. */
  needs: readonly ProbeNeed[];
  /** Throws a `CloudError` (or any error; the runner turns it into one) when it cannot tell. */
  run(context: ProbeContext): Promise<ProbeOutcome>;
}

/** What a provider's live module exports (`src/providers/<id>/live.ts`). Fixes (#9) join here. */
export interface LiveModule {
  probes: readonly ProbeDefinition[];
  /**
   * How to log in to the registry host with the configured (or default-chain) cloud credentials, for the
   * OCI probes: ECR's GetAuthorizationToken, GAR's `oauth2accesstoken`. Undefined: no login possible.
   */
  registryLogin?(context: ProbeContext): Promise<RegistryLogin | undefined>;
}
