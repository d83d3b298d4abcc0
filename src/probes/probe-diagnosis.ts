// A diagnosis, probed: the runner on its image, then ranking with what the probes observed. The one
// function the worker, the CLI and Slack's `/registry check` call.
import { applyProbeResults } from '../engine/apply-probes.js';
import type { Diagnosis } from '../engine/diagnosis.js';
import { runProbes, type RunProbesOptions } from './run-probes.js';

export async function probeDiagnosis(diagnosis: Diagnosis, options: RunProbesOptions): Promise<Diagnosis> {
  const results = await runProbes({ ...(diagnosis.image ? { image: diagnosis.image } : {}), provider: diagnosis.provider, facts: diagnosis.facts }, options);
  return applyProbeResults(diagnosis, results);
}

/** What a preflight concludes: the push would succeed, would fail (the top finding says why), or cannot tell. */
export type PushVerdict = 'push_allowed' | 'push_blocked' | 'unknown';

export function pushVerdict(diagnosis: Diagnosis): PushVerdict {
  if (diagnosis.findings.length > 0) return 'push_blocked';
  const upload = diagnosis.probes.find((probe) => probe.name === 'oci.upload');
  return upload?.status === 'ok' ? 'push_allowed' : 'unknown';
}
