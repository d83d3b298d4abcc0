// What the worker needs of the probes, built once at start: the probe step after classification, and the
// credential check behind `/registry status`. Absent (no registries, probes off): the worker reads logs only.
import type { RegistryConfig } from '../config/schema.js';
import type { ProbeResult } from '../engine/diagnosis.js';
import type { ProbeProgressSummary, RegistryHealthLine } from '../render/slack/messages.js';
import { checkRegistryCredentials } from './check-credentials.js';
import { createProbeStep, type ProbeStep, type ProbeStepOptions } from './probe-step.js';
import type { ProbeProgress } from './run-probes.js';

export interface WorkerProbes {
  step: ProbeStep;
  status(): Promise<RegistryHealthLine[]>;
}

export function createWorkerProbes(options: ProbeStepOptions): WorkerProbes {
  return {
    step: createProbeStep(options),
    async status() {
      const health = await checkRegistryCredentials(options.registries, { env: options.env, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.probes ? { probes: options.probes } : {}) });
      return health.map(({ registry, result }) => ({
        registry: summaryOf(registry),
        probe: result.name,
        status: result.status,
        durationMs: result.durationMs,
        detail: result.detail,
      }));
    },
  };
}

function summaryOf(registry: RegistryConfig): RegistryHealthLine['registry'] {
  return { name: registry.name, provider: registry.provider, host: registry.host };
}

/** Progress as the parent message shows it while probes run. */
export function progressSummary(progress: ProbeProgress): ProbeProgressSummary {
  return { registry: progress.registry, done: progress.done, total: progress.total, running: progress.pending };
}

/** What the parent message says of the probes once they are done. */
export function finishedSummary(probes: readonly ProbeResult[]): ProbeProgressSummary | undefined {
  if (probes.length === 0) return undefined;
  const statuses: ProbeProgressSummary['statuses'] = {};
  for (const probe of probes) statuses[probe.status] = (statuses[probe.status] ?? 0) + 1;
  return {
    registry: probes[0]!.registry ?? '?',
    done: probes.length,
    total: probes.length,
    running: [],
    // Probes run in parallel: together they took as long as the slowest.
    ms: Math.max(...probes.map((probe) => probe.durationMs)),
    statuses,
  };
}
