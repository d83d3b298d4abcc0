// The context a fix runs in: a probe context whose credentials are the registry's `credentials.fix`, with a
// cache of the fixes' own (so fix and probe clients never share credentials), and a time budget.
import { cloudSettings } from '../config/cloud-env.js';
import type { RegistryConfig } from '../config/schema.js';
import type { Facts, ImageRef } from '../engine/diagnosis.js';
import type { Provider } from '../engine/vocabulary.js';
import { resolveCredentials } from '../probes/resolve-registry.js';
import { MapCache } from '../probes/run-probes.js';
import type { FixContext } from '../probes/types.js';

export const DEFAULT_FIX_TIMEOUT_MS = 10_000;

const fixCache = new MapCache();

export interface FixScope {
  image: ImageRef;
  provider: Provider;
  facts: Facts;
  registry: RegistryConfig;
}

/** The fix context without its signal, or why there is none (no or unset `credentials.fix`). */
export function fixContextBase(scope: FixScope, env: Readonly<Record<string, string | undefined>>): Omit<FixContext, 'signal'> | { missing: string } {
  const credentials = resolveCredentials(scope.registry, env, 'fix');
  if (credentials.source === 'missing') return { missing: credentials.reason };
  return { ...scope, credentials, clouds: cloudSettings(env), timeoutMs: scope.registry.probeTimeoutMs ?? DEFAULT_FIX_TIMEOUT_MS, cache: fixCache, purpose: 'diagnose' };
}

/** Thrown when a fix call runs out of time; the message says how long it had. */
export class FixTimeout extends Error {
  override readonly name = 'TimeoutError';
}

/** Run `work` with the context's budget: its signal aborts, and the promise rejects, when the time is up. */
export async function withBudget<T>(base: Omit<FixContext, 'signal'>, work: (context: FixContext) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timeout = new FixTimeout(`no answer within ${base.timeoutMs / 1000} s`);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeout);
      reject(timeout);
    }, base.timeoutMs);
  });
  try {
    return await Promise.race([work({ ...base, signal: controller.signal }), expired]);
  } finally {
    clearTimeout(timer);
  }
}
