// Fix plans for a probed diagnosis: where a probe confirmed a finding's cause, the provider's fixes for that
// cause plan a change (reading the current state with the fix credentials) and each plan is stored; the
// finding carries only the plans' ids and titles. Without fix credentials the finding says what to run.
import type { RegistryConfig } from '../config/schema.js';
import type { Diagnosis, Finding, Observation } from '../engine/diagnosis.js';
import type { Provider } from '../engine/vocabulary.js';
import { toCloudError } from '../probes/cloud-error.js';
import { liveModulesFor, loadLive as loadLiveModule, type LiveModuleId } from '../probes/load-live.js';
import { matchRegistry } from '../probes/resolve-registry.js';
import type { FixDefinition, LiveModule } from '../probes/types.js';
import { fixContextBase, withBudget } from './fix-context.js';
import { PlanStore } from './plan-store.js';

export interface PlanFixesDeps {
  registries: readonly RegistryConfig[];
  /** Where the variables named in `credentials.fix` are read. */
  env: Readonly<Record<string, string | undefined>>;
  plans: PlanStore;
  dryRun: boolean;
  loadLive?: (id: LiveModuleId) => Promise<LiveModule>;
}

/** The diagnosis with plans on the findings a probe confirmed (or, without fix credentials, the command to run). */
export async function planFixes(diagnosis: Diagnosis, deps: PlanFixesDeps): Promise<Diagnosis> {
  const image = diagnosis.image;
  const registry = image ? matchRegistry(deps.registries, image) : undefined;
  const confirmed = diagnosis.probes.flatMap((probe) => (probe.observations ?? []).filter((o) => o.kind === 'confirm'));
  // The configured entry's provider, as the probes used (a custom domain is whatever the entry says).
  const provider = registry?.provider ?? diagnosis.provider;
  const moduleId = liveModulesFor(provider).find((id) => id !== 'oci');
  if (!image || !registry || confirmed.length === 0 || !moduleId) return diagnosis;

  const fixes = (await (deps.loadLive ?? loadLiveModule)(moduleId)).fixes ?? [];
  const scope = { image, provider, facts: diagnosis.facts, registry };
  const base = fixContextBase(scope, deps.env);
  const findings: Finding[] = [];
  for (const finding of diagnosis.findings) {
    const next: Finding = { ...finding, fixes: [...finding.fixes], remediation: [...finding.remediation] };
    const seen = new Set<string>();
    for (const observation of confirmed.filter((o) => o.category === finding.category)) {
      for (const fix of fixes.filter((f) => f.category === finding.category && f.providers.includes(provider))) {
        const intent = fix.intent(scope, observation);
        if (!intent || seen.has(intent.change)) continue;
        seen.add(intent.change);
        if ('missing' in base) {
          next.remediation.push({ text: `No one-click fix here (${base.missing}). Someone allowed to change ${intent.target} can run this instead:`, command: intent.command });
          continue;
        }
        await planOne(fix, observation, intent, next, { ...deps, moduleId, base, registry: registry.name, provider, diagnosis });
      }
    }
    findings.push(next);
  }
  return { ...diagnosis, findings };
}

async function planOne(
  fix: FixDefinition,
  observation: Observation,
  intent: NonNullable<ReturnType<FixDefinition['intent']>>,
  finding: Finding,
  deps: PlanFixesDeps & { moduleId: LiveModuleId; base: Exclude<ReturnType<typeof fixContextBase>, { missing: string }>; registry: string; provider: Provider; diagnosis: Diagnosis },
): Promise<void> {
  let draft;
  try {
    draft = await withBudget(deps.base, (context) => fix.plan(context, intent, observation));
  } catch (error) {
    const sentence = toCloudError(deps.moduleId, `Planning "${intent.change}"`, error).sentence;
    finding.remediation.push({ text: `No one-click fix: ${sentence} Someone allowed to change ${intent.target} can run this instead:`, command: intent.command });
    return;
  }
  if (!draft) return;
  const id = PlanStore.newId();
  await deps.plans.save({
    id,
    kind: fix.kind,
    module: deps.moduleId,
    registry: deps.registry,
    provider: deps.provider,
    image: deps.diagnosis.image!.reference,
    facts: { ...deps.diagnosis.facts },
    category: fix.category,
    title: draft.title,
    target: draft.target,
    change: draft.change,
    done: draft.done,
    command: draft.command,
    expected: draft.expected,
    params: draft.params,
    dryRun: deps.dryRun,
    createdAt: Date.now(),
  });
  finding.fixes.push({ id, title: deps.dryRun ? `Dry run: ${draft.title}` : draft.title, change: draft.change, ...(deps.dryRun ? { dryRun: true } : {}) });
}
