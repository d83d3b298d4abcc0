// Applying a stored plan, once: read the target again; already as desired → nothing written; changed since
// the plan → nothing written, and why; otherwise one write from the state just read. A write refused for a
// stale read (an etag) is read and tried again, never forced; any other failure is checked by reading again,
// so the thread says whether the change took effect.
import type { RegistryConfig } from '../config/schema.js';
import type { JsonValue } from '../engine/diagnosis.js';
import { parseImageRef } from '../engine/image-ref.js';
import { toCloudError } from '../probes/cloud-error.js';
import { loadLive as loadLiveModule, type LiveModuleId } from '../probes/load-live.js';
import type { FixContext, FixDefinition, FixPlanDraft, LiveModule } from '../probes/types.js';
import { FixConflict } from './fix-conflict.js';
import { fixContextBase, withBudget } from './fix-context.js';
import type { FixPlan } from './plan-store.js';

type State = { readonly [key: string]: JsonValue };

export type FixOutcome =
  | { result: 'applied'; before: State; after: State }
  | { result: 'already'; state: State }
  | { result: 'dry_run'; before: State }
  | { result: 'changed'; detail: string; state: State }
  | { result: 'failed'; reason: string; before?: State };

export interface ApplyFixDeps {
  registries: readonly RegistryConfig[];
  env: Readonly<Record<string, string | undefined>>;
  loadLive?: (id: LiveModuleId) => Promise<LiveModule>;
}

/** Stale-etag retries before giving up (each one reads the state again). */
const CONFLICT_ATTEMPTS = 3;

export async function applyFix(plan: FixPlan, deps: ApplyFixDeps): Promise<FixOutcome> {
  const registry = deps.registries.find((r) => r.name === plan.registry);
  if (!registry) return { result: 'failed', reason: `registry ${plan.registry} is no longer configured` };
  const image = parseImageRef(plan.image);
  if (!image.ok) return { result: 'failed', reason: `the planned image reference no longer parses: ${image.error}` };
  const base = fixContextBase({ image: image.ref, provider: plan.provider, facts: plan.facts, registry }, deps.env);
  if ('missing' in base) return { result: 'failed', reason: base.missing };
  const fix = ((await (deps.loadLive ?? loadLiveModule)(plan.module)).fixes ?? []).find((f) => f.kind === plan.kind);
  if (!fix) return { result: 'failed', reason: `this version has no fix ${plan.kind}` };
  const draft: FixPlanDraft = { title: plan.title, target: plan.target, change: plan.change, done: plan.done, command: plan.command, expected: plan.expected, params: plan.params };
  const run = <T>(work: (context: FixContext) => Promise<T>) => withBudget(base, work);
  const failed = (what: string, error: unknown) => toCloudError(plan.module, what, error).sentence;

  for (let attempt = 1; ; attempt += 1) {
    let inspected;
    try {
      inspected = await run((context) => fix.inspect(context, draft));
    } catch (error) {
      return { result: 'failed', reason: `${failed(`Reading ${plan.target}`, error)} Nothing was changed.` };
    }
    if (inspected.status === 'desired') return { result: 'already', state: inspected.state };
    if (inspected.status === 'changed') return { result: 'changed', detail: inspected.detail, state: inspected.state };
    if (plan.dryRun) return { result: 'dry_run', before: inspected.state };
    try {
      const after = await run((context) => fix.write(context, draft, inspected));
      return { result: 'applied', before: inspected.state, after };
    } catch (error) {
      if (error instanceof FixConflict && attempt < CONFLICT_ATTEMPTS) continue;
      if (error instanceof FixConflict) {
        return { result: 'failed', reason: `${plan.target} changed under every one of ${CONFLICT_ATTEMPTS} attempts; nothing was overwritten. Try again.`, before: inspected.state };
      }
      return settle(fix, run, draft, inspected.state, failed(`Changing ${plan.target}`, error));
    }
  }
}

/** After a failed write: read again, so the thread says whether the change took effect. */
async function settle(
  fix: FixDefinition,
  run: <T>(work: (context: FixContext) => Promise<T>) => Promise<T>,
  draft: FixPlanDraft,
  before: State,
  reason: string,
): Promise<FixOutcome> {
  try {
    const now = await run((context) => fix.inspect(context, draft));
    if (now.status === 'desired') return { result: 'applied', before, after: now.state };
    return { result: 'failed', reason: `${reason} Read again: nothing was changed.`, before };
  } catch {
    return { result: 'failed', reason: `${reason} Whether it took effect could not be read back; check ${draft.target} before trying again.`, before };
  }
}
