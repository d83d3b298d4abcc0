// The probe step of a job: what the worker calls after classification. Probes the diagnosis's image,
// reports progress as probes finish (coalesced: one Slack update in flight at a time), re-ranks.
import type { RegistryConfig } from '../config/schema.js';
import type { Diagnosis } from '../engine/diagnosis.js';
import { probeDiagnosis } from './probe-diagnosis.js';
import type { ProbeProgress, RunProbesOptions } from './run-probes.js';
import type { ProbeContext } from './types.js';

export interface ProbeStepOptions {
  registries: readonly RegistryConfig[];
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
  /** Tests and benches: the probes to run instead of the live modules'. */
  probes?: RunProbesOptions['probes'];
}

export type ProbeStep = (
  diagnosis: Diagnosis,
  options: { purpose: ProbeContext['purpose']; onProgress?: (progress: ProbeProgress) => Promise<unknown> },
) => Promise<Diagnosis>;

export function createProbeStep(options: ProbeStepOptions): ProbeStep {
  return async (diagnosis, { purpose, onProgress }) => {
    // Nothing to probe: the diagnosis says what the log shows, and the thread says no probes ran.
    if (!diagnosis.image) return diagnosis;
    const report = onProgress ? latestOnly(onProgress) : undefined;
    const probed = await probeDiagnosis(diagnosis, {
      registries: options.registries,
      env: options.env,
      purpose,
      // From Slack and webhooks, anyone may name a host: the bot does not knock on private addresses
      // (loopback, link-local metadata, RFC 1918) unless a registries[] entry names them.
      anonymousHosts: 'public',
      // The bot is not the runner: what it can reach says nothing about the runner's network.
      networkOf: 'bot',
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.probes ? { probes: options.probes } : {}),
      ...(report ? { onProgress: (_result, progress) => report.push(progress) } : {}),
    });
    await report?.flush();
    return probed;
  };
}

/**
 * Calls `send` with the latest value, one call at a time: values that arrive while a call is in flight
 * collapse into the newest. Errors are the caller's to log inside `send`; here they only end that call.
 */
function latestOnly<T>(send: (value: T) => Promise<unknown>): { push(value: T): void; flush(): Promise<void> } {
  let inFlight: Promise<void> | undefined;
  let next: { value: T } | undefined;
  const drain = async (): Promise<void> => {
    while (next) {
      const { value } = next;
      next = undefined;
      await send(value).catch(() => undefined);
    }
    inFlight = undefined;
  };
  return {
    push(value) {
      next = { value };
      inFlight ??= drain();
    },
    async flush() {
      await inFlight;
    },
  };
}
