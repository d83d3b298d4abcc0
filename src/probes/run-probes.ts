// The probe runner: every probe that applies runs in parallel with its own time budget; throttling is
// retried with jittered backoff; whatever a probe does (time out, throw, lack credentials) becomes a
// result with its reason and never sinks the diagnosis.
import { isIP } from 'node:net';
import { cloudSettings } from '../config/cloud-env.js';
import type { RegistryConfig } from '../config/schema.js';
import type { Facts, ImageRef, Observation, ProbeResult } from '../engine/diagnosis.js';
import { redact, redactDeep } from '../engine/redact.js';
import type { Provider } from '../engine/vocabulary.js';
import { CloudError, toCloudError } from './cloud-error.js';
import { liveModulesFor, loadLive } from './load-live.js';
import { matchRegistry, resolveCredentials } from './resolve-registry.js';
import type { ProbeCache, ProbeContext, ProbeDefinition, ProbeNeed } from './types.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** What is probed: the image (and what the log said about it). */
export interface ProbeTarget {
  image?: ImageRef;
  provider: Provider;
  facts: Facts;
}

export interface ProbeProgress {
  /** The registries[] entry's name, or the host when none matched. */
  registry: string;
  done: number;
  total: number;
  /** Names of the probes still running. */
  pending: string[];
}

export interface RunProbesOptions {
  registries: readonly RegistryConfig[];
  /** Where the variables named in `credentials.probe` are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Per probe, when the registry entry sets no `probeTimeoutMs`. */
  timeoutMs?: number;
  /** Cancels every probe still running. */
  signal?: AbortSignal;
  /** Called once with the probes about to run, then as each finishes. */
  onProgress?: (result: ProbeResult | undefined, progress: ProbeProgress) => void;
  /** The probes to consider; by default those of the provider's live modules (loaded here, on demand). */
  probes?: readonly ProbeDefinition[];
  retry?: { attempts: number; baseDelayMs: number };
  cache?: ProbeCache;
  /** `preflight` for `check IMAGE` (the credentials are the pusher's); `diagnose` by default. */
  purpose?: ProbeContext['purpose'];
  /** Whose network the probes run from (see ProbeContext); the pusher's by default. */
  networkOf?: ProbeContext['networkOf'];
  /** `public`: a host no registries[] entry names is not probed when it is a private or loopback address. */
  anonymousHosts?: 'any' | 'public';
}

const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 250 };

/** Clients and credential providers outlive one diagnosis: SDKs cache and refresh tokens inside them. */
export class MapCache implements ProbeCache {
  readonly #entries = new Map<string, unknown>();
  get<T>(key: string, create: () => T): T {
    if (!this.#entries.has(key)) this.#entries.set(key, create());
    return this.#entries.get(key) as T;
  }
}
const processCache = new MapCache();

/** Run the probes for a target. Never throws: every probe ends as a result. */
/** An observation quotes the cloud (an error body, a policy, a setting): every string in it is redacted. */
function redactObservation(observation: Observation): Observation {
  return {
    ...observation,
    evidence: redact(observation.evidence),
    ...(observation.resource !== undefined ? { resource: redact(observation.resource) } : {}),
    ...(observation.state ? { state: redactDeep(observation.state) } : {}),
  };
}

export async function runProbes(target: ProbeTarget, options: RunProbesOptions): Promise<ProbeResult[]> {
  const { image } = target;
  if (!image) {
    return [skippedBefore('probes', undefined, 'nothing to probe: neither the log nor the request names an image reference')];
  }
  const registry = matchRegistry(options.registries, image);
  const registryLabel = registry?.name ?? image.host;
  if (!registry && options.anonymousHosts === 'public' && isPrivateHost(image.host)) {
    return [skippedBefore('probes', registryLabel, `not probed: ${image.host} is a private or loopback address and no registries[] entry names it`)];
  }
  const credentials = resolveCredentials(registry, options.env);
  // The configured entry knows its provider better than the host does (custom domains, private-link hosts).
  const provider = registry?.provider ?? target.provider;
  const loaded = options.probes ? { probes: options.probes, failures: [] } : await loadProbes(provider, registryLabel);
  const probes = loaded.probes.filter((probe) => probe.providers === 'any' || probe.providers.includes(provider));
  const own = liveModulesFor(provider).find((id) => id !== 'oci');

  const timeoutMs = registry?.probeTimeoutMs ?? options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const base = {
    image,
    provider,
    facts: target.facts,
    ...(registry ? { registry } : {}),
    credentials,
    clouds: cloudSettings(options.env),
    ...(options.networkOf ? { networkOf: options.networkOf } : {}),
    ...(own ? { cloudLogin: async (context: ProbeContext) => (await loadLive(own)).registryLogin?.(context) } : {}),
    timeoutMs,
    cache: options.cache ?? processCache,
    purpose: options.purpose ?? 'diagnose',
  };
  const results: (ProbeResult | undefined)[] = probes.map(() => undefined);
  const pending = new Set(probes.map((probe) => probe.name));
  let done = 0;
  options.onProgress?.(undefined, { registry: registryLabel, done, total: probes.length, pending: [...pending] });

  await Promise.all(
    probes.map(async (probe, index) => {
      const result = await runOne(probe, base, registryLabel, options);
      results[index] = result;
      done += 1;
      pending.delete(probe.name);
      options.onProgress?.(result, { registry: registryLabel, done, total: probes.length, pending: [...pending] });
    }),
  );
  return [...loaded.failures, ...results.filter((result): result is ProbeResult => result !== undefined)];
}

async function loadProbes(
  provider: Provider,
  registryLabel: string,
): Promise<{ probes: ProbeDefinition[]; failures: ProbeResult[] }> {
  const probes: ProbeDefinition[] = [];
  const failures: ProbeResult[] = [];
  for (const id of liveModulesFor(provider)) {
    try {
      probes.push(...(await loadLive(id)).probes);
    } catch (error) {
      const detail = `the ${id} probes could not be loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      failures.push({ name: id, status: 'error', durationMs: 0, detail, registry: registryLabel });
    }
  }
  return { probes, failures };
}

function skippedBefore(name: string, registry: string | undefined, detail: string): ProbeResult {
  return { name, status: 'skipped', durationMs: 0, detail, ...(registry ? { registry } : {}) };
}

/** Why a probe cannot run here, or undefined when everything it needs is at hand. */
function missingNeed(needs: readonly ProbeNeed[], context: Omit<ProbeContext, 'signal'>): string | undefined {
  const { registry, credentials, image, facts } = context;
  for (const need of needs) {
    switch (need) {
      case 'registry':
        if (!registry) return `no entry in registries[] has host ${image.host}; add one to check it from the cloud side`;
        break;
      case 'credentials':
        if (credentials.source === 'anonymous')
          return `no entry in registries[] has host ${image.host}, so there are no credentials to check it with`;
        if (credentials.source === 'missing') return credentials.reason;
        break;
      case 'tag':
        if (!image.tag) return 'the image reference names no tag';
        break;
      case 'principal':
        if (!facts.principal) return 'the log names no identity (principal) to check';
        break;
      case 'clientIp':
        if (!facts.clientIp) return "neither the log nor the CI webhook gives the runner's IP address";
        break;
    }
  }
  return undefined;
}

async function runOne(
  probe: ProbeDefinition,
  base: Omit<ProbeContext, 'signal'>,
  registryLabel: string,
  options: RunProbesOptions,
): Promise<ProbeResult> {
  const missing = missingNeed(probe.needs, base);
  if (missing) return skippedBefore(probe.name, registryLabel, `not checked: ${missing}`);

  const provider = probe.name.split('.')[0] ?? probe.name;
  const retry = options.retry ?? DEFAULT_RETRY;
  const started = performance.now();
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  const timer = setTimeout(() => controller.abort(new TimeoutSignal()), base.timeoutMs);
  const context: ProbeContext = { ...base, signal: controller.signal };
  // What a probe says may quote a cloud's or a registry's own words (an error body): redacted here, once for
  // every probe, before it reaches a renderer, a log or Redis.
  const finish = (fields: Omit<ProbeResult, 'name' | 'durationMs' | 'registry'>): ProbeResult => ({
    name: probe.name,
    durationMs: Math.round(performance.now() - started),
    registry: registryLabel,
    ...fields,
    detail: redact(fields.detail),
    ...(fields.observations ? { observations: fields.observations.map(redactObservation) } : {}),
  });

  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const outcome = await untilAborted(probe.run(context), controller.signal);
        return finish({
          status: outcome.status,
          detail: outcome.detail,
          ...(outcome.observations?.length ? { observations: outcome.observations } : {}),
        });
      } catch (thrown) {
        if (controller.signal.aborted) {
          const cancelled = !(controller.signal.reason instanceof TimeoutSignal);
          return finish({
            status: 'timeout',
            detail: cancelled ? 'cancelled before it finished' : `no answer within ${formatMs(base.timeoutMs)}`,
          });
        }
        const error = toCloudError(provider, probe.name, thrown);
        if (error.kind === 'throttled' && attempt < retry.attempts) {
          const delay = Math.random() * retry.baseDelayMs * 2 ** (attempt - 1); // full jitter
          const waited = await sleep(delay, controller.signal);
          if (waited) continue;
          return finish({ status: 'timeout', detail: `still throttled when its ${formatMs(base.timeoutMs)} ran out` });
        }
        return finish(errorFields(error, attempt));
      }
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function errorFields(error: CloudError, attempts: number): Omit<ProbeResult, 'name' | 'durationMs' | 'registry'> {
  const after = error.kind === 'throttled' && attempts > 1 ? ` Gave up after ${attempts} attempts.` : '';
  return {
    // No credentials is a reason not to check, not a failure of the check.
    status: error.kind === 'no_credentials' ? 'skipped' : 'error',
    detail: `${error.sentence}${after}`,
    error: { provider: error.provider, code: error.code, retryable: error.retryable },
  };
}

/** The abort reason the runner's own timer uses, to tell a timeout from a cancellation. */
class TimeoutSignal extends Error {
  override readonly name = 'TimeoutError';
}

/** The probe's answer, or a rejection as soon as the signal aborts (a probe that ignores its signal still ends). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Wait `ms`; false when the signal aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Loopback, private (RFC 1918, unique-local), link-local (cloud metadata) addresses and single-label names. */
export function isPrivateHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.local') || name.endsWith('.internal')) return true;
  const family = isIP(name);
  if (family === 4) {
    const [a = 0, b = 0] = name.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (family === 6) return name === '::1' || name === '::' || /^f[cd]/.test(name) || /^fe[89ab]/.test(name) || name.startsWith('::ffff:');
  return !name.includes('.');
}
