// The probe contract: what a probe of any provider declares, what it is given, what it answers. Pure types:
// the engine, the renderers and the runner read these; only a provider's live module implements them.
import type { CloudSettings } from '../config/cloud-env.js';
import type { RegistryConfig } from '../config/schema.js';
import type { Facts, ImageRef, JsonValue, Observation } from '../engine/diagnosis.js';
import type { Category, Provider } from '../engine/vocabulary.js';
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
  /**
   * The matched `registries[]` entry's provider (a custom domain or private-link host is whatever the entry
   * says), else the one the diagnosis settled on (an image on `gcr.io` is `gcr`, served by the gar module).
   */
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
   * Whose network the probes run from: the pusher's (the CLI, run in the CI job; the default) or the bot's
   * (Slack and webhooks: another machine than the runner, so network checks say nothing about the runner's).
   */
  networkOf?: 'pusher' | 'bot';
  /** What the cloud SDKs' own environment variables say (an Entra ID authority host), from the config layer. */
  clouds?: CloudSettings;
  /**
   * The registry login of the provider's own cloud (ECR's GetAuthorizationToken, GAR's oauth2accesstoken,
   * ACR's refresh token) for the OCI probes; absent for a provider without one. The runner supplies it, so
   * the OCI probes never load another provider's live module themselves.
   */
  cloudLogin?: (context: ProbeContext) => Promise<RegistryLogin | undefined>;
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

/** What a provider's live module exports (`src/providers/<id>/live.ts`). */
export interface LiveModule {
  probes: readonly ProbeDefinition[];
  /** The one-click fixes it can plan and apply (none for providers without a cloud API). */
  fixes?: readonly FixDefinition[];
  /**
   * How to log in to the registry host with the configured (or default-chain) cloud credentials, for the
   * OCI probes: ECR's GetAuthorizationToken, GAR's `oauth2accesstoken`. Undefined: no login possible.
   */
  registryLogin?(context: ProbeContext): Promise<RegistryLogin | undefined>;
}

/**
 * A fix a provider can apply (`fixes` of its live module). Its context is a probe context whose credentials
 * come from `credentials.fix` (never the read-only probe ones) and whose cache is the fixes' own.
 */
export type FixContext = ProbeContext;

/** What a fix would do, known without any call: shown on the button, or as the command a person runs. */
export interface FixIntent {
  /** The button's words (at most 75 characters): "Unlock shop/api", "Allow 20.1.2.3 through the firewall". */
  title: string;
  /** What is changed, as people name it: `shopreg/shop/api`, `projects/p/locations/us/repositories/r`. */
  target: string;
  /** The exact change, one sentence: "Set writeEnabled=true on shopreg/shop/api". */
  change: string;
  /** The same change as a command a person with the rights can run. */
  command: string;
  /** Past tense for the thread, after "@alice": "unlocked shopreg/shop/api". */
  done: string;
}

/** A plan: the intent plus what `plan` read, which `inspect` compares with what it reads at apply time. */
export interface FixPlanDraft extends FixIntent {
  /** The state the plan found and expects to find again (JSON). */
  expected: { readonly [key: string]: JsonValue };
  /** What `write` needs besides `expected` (JSON). */
  params: { readonly [key: string]: JsonValue };
}

/** What `inspect` reads at apply time. */
export type FixInspection =
  /** Already as the fix would leave it: nothing to write. */
  | { status: 'desired'; state: { readonly [key: string]: JsonValue } }
  /** As the plan found it: `write` may go ahead with this state. */
  | { status: 'expected'; state: { readonly [key: string]: JsonValue } }
  /** Changed since the plan in another way: nothing is written; `detail` says what changed. */
  | { status: 'changed'; state: { readonly [key: string]: JsonValue }; detail: string };

export interface FixDefinition {
  /** `acr.unlock`, `gar.grant-writer`: unique, stable (plans, audit entries and tests use it). */
  kind: string;
  /** The finding category it fixes; offered only where a probe confirmed that category. */
  category: Category;
  providers: readonly Provider[];
  /** The intent for a confirming observation, or undefined when this fix does not fit it. No I/O. */
  intent(scope: Pick<FixContext, 'image' | 'provider' | 'facts' | 'registry'>, observation: Observation): FixIntent | undefined;
  /** Reads the current state and plans the change, or undefined when nothing safe can be done. */
  plan(context: FixContext, intent: FixIntent, observation: Observation): Promise<FixPlanDraft | undefined>;
  /** Reads the current state at apply time and compares it with the plan's. */
  inspect(context: FixContext, plan: FixPlanDraft): Promise<FixInspection>;
  /**
   * Writes the change once, from the state `inspect` read; answers the state after. Throws `FixConflict`
   * when the cloud refused the write because the state moved underneath (an etag), so it is inspected again.
   */
  write(context: FixContext, plan: FixPlanDraft, inspected: FixInspection & { status: 'expected' }): Promise<{ readonly [key: string]: JsonValue }>;
}
