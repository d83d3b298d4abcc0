// After a fix: the probes again, on the plan's image with the probe credentials, in one sentence.
import { parseImageRef } from '../engine/image-ref.js';
import { runProbes, type RunProbesOptions } from '../probes/run-probes.js';
import type { FixPlan } from './plan-store.js';

export async function recheckAfterFix(
  plan: FixPlan,
  options: Pick<RunProbesOptions, 'registries' | 'env' | 'probes'>,
): Promise<string> {
  const image = parseImageRef(plan.image);
  if (!image.ok) return 'the image reference no longer parses, so nothing was probed';
  const results = await runProbes({ image: image.ref, provider: plan.provider, facts: plan.facts }, options);
  const observations = results.flatMap((result) => result.observations ?? []);
  const confirms = observations.filter((o) => o.kind === 'confirm');
  const checks = `${results.length} check${results.length === 1 ? '' : 's'}`;
  const same = confirms.find((o) => o.category === plan.category);
  if (same) return `the push would still fail: ${same.evidence}`;
  if (confirms[0]) return `this cause is gone, but the push would still fail: ${confirms[0].evidence}`;
  if (results.find((r) => r.name === 'oci.upload')?.status === 'ok') return `the push would now succeed (${checks}; an upload was started and cancelled).`;
  const refuted = observations.find((o) => o.kind === 'refute' && o.category === plan.category);
  return refuted ? `${refuted.evidence}; nothing else seen blocking the push (${checks}).` : `nothing seen blocking the push (${checks}).`;
}
