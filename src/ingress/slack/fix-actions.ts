// Fix buttons (`rd.fix.<n>`, value = a plan id), a kind of the action router (acked there at once). The click
// is checked — the plan exists (not forged, not expired), the click comes from the message the plan was
// posted on, the clicker is one of the registry's fixers, nobody claimed the plan before (an atomic claim in
// Redis) — and only then queued for the fix worker. Every refusal is answered ephemerally and audited;
// nothing is changed here.
import type { RegistryConfig } from '../../config/schema.js';
import type { AuditEntry, AuditLog } from '../../fixes/audit-log.js';
import type { FixJobData } from '../../fixes/fix-job.js';
import type { Fixers } from '../../fixes/fixers.js';
import type { PlanStore } from '../../fixes/plan-store.js';
import { alreadyClaimedText, notAllowedText } from '../../render/slack/fix-messages.js';
import type { ActionHandler } from './action-router.js';

export interface FixActionDeps {
  plans: PlanStore;
  fixers: Fixers;
  audit: AuditLog;
  registries: readonly RegistryConfig[];
  enqueueFix: (data: FixJobData) => Promise<void>;
}

const TS = /^\d+\.\d+$/;

export function fixActionHandler(deps: FixActionDeps): ActionHandler {
  const { plans, fixers, audit } = deps;
  return async (ctx) => {
    const { user, channel, messageTs, threadTs } = ctx;
    const id = ctx.value ?? '';
    const refuse = async (reason: string, text: string, extra: Partial<AuditEntry> = {}) => {
      ctx.log.warn({ planId: /^[\w-]{1,64}$/.test(id) ? id : '(malformed)', reason }, 'fix click refused');
      await audit.append({ at: Date.now(), user, result: 'refused', reason, ...extra });
      await ctx.ephemeral(text);
    };

    const plan = await plans.get(id);
    if (!plan) {
      return refuse('unknown or expired plan id', ':hourglass: This fix is not one I know: it expired or was never offered. Nothing was changed; run the diagnosis again.');
    }
    const about = { planId: plan.id, kind: plan.kind, registry: plan.registry, target: plan.target, change: plan.change };
    const fromItsMessage = plan.channel !== undefined && plan.channel === channel && plan.messageTs === messageTs;
    if (!fromItsMessage || !channel || !messageTs || !TS.test(messageTs) || !threadTs || !TS.test(threadTs)) {
      return refuse('the click did not come from the message the plan was posted on', ':no_entry: That button is not on the message I posted this fix on, so I did nothing.', about);
    }
    const registry = deps.registries.find((r) => r.name === plan.registry);
    const authorization = await fixers.authorize(user, registry);
    if (!authorization.allowed) return refuse('not among the fixers of this registry', notAllowedText(authorization.askOneOf), about);
    if (!(await plans.claim(plan.id, user))) {
      const claim = await plans.claimOf(plan.id);
      return refuse(`already claimed by ${claim?.user ?? 'someone'}`, alreadyClaimedText(claim?.user ?? 'someone', claim?.outcome), about);
    }
    const blocks = ctx.messageBlocks;
    try {
      await deps.enqueueFix({ planId: plan.id, user, channel, messageTs, threadTs, ...(blocks ? { blocks } : {}), clickedAt: Date.now() });
    } catch (error) {
      // Not queued, so not applied: give the plan back for another click.
      await plans.release(plan.id);
      throw error;
    }
  };
}
