// The acr firewall fix: add the runner's IP as a /32 Allow rule to the registry's network rule set, every
// existing rule kept (ARM PATCH of networkRuleSet, a long-running operation followed to its end). ARM gives
// the registry no etag, so the rule list the plan read is what `inspect` compares with: any other list is
// refused rather than overwritten.
import type { JsonValue } from '../../../engine/diagnosis.js';
import type { FixContext, FixDefinition, FixInspection } from '../../../probes/types.js';
import { ruleAllowing } from '../ip-rules.js';
import { armClient, armLocation } from './clients.js';

type State = { readonly [key: string]: JsonValue };

/** Public network access, default action and IP rules of the registry, as ARM reports them. */
async function readFirewall(context: FixContext, subscription: string, resourceGroup: string, registryName: string): Promise<State> {
  const found = await armClient(context, subscription).registries.get(resourceGroup, registryName, { abortSignal: context.signal });
  return {
    publicNetworkAccess: found.publicNetworkAccess ?? 'Enabled',
    defaultAction: found.networkRuleSet?.defaultAction ?? 'Allow',
    ipRules: (found.networkRuleSet?.ipRules ?? []).map((rule) => rule.iPAddressOrRange),
  };
}

const rulesOf = (state: State): string[] => (Array.isArray(state.ipRules) ? state.ipRules.map(String) : []);
const sameRules = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
/** The client gets through: no firewall in its way, or a rule covering it. */
const lets = (state: State, ip: string) => state.publicNetworkAccess !== 'Disabled' && (state.defaultAction !== 'Deny' || ruleAllowing(ip, rulesOf(state)) !== undefined);

export const allowClientIp: FixDefinition = {
  kind: 'acr.allow-client-ip',
  category: 'firewall_denied',
  providers: ['acr'],
  intent(scope, observation) {
    const state = observation.state ?? {};
    const ip = state.clientIp;
    // A registry with public access disabled is reached through private endpoints only: no IP rule helps.
    if (typeof ip !== 'string' || state.publicNetworkAccess === 'Disabled' || state.defaultAction !== 'Deny') return undefined;
    const registry = String(state.registry ?? scope.registry?.account ?? scope.image.host);
    const rule = `${ip}/32`;
    return {
      title: `Allow ${ip} through the firewall`,
      target: registry,
      change: `Add the IP rule ${rule} (Allow) to the firewall of ${registry}, keeping its ${rulesOf(state).length} existing rule(s)`,
      command: `az acr network-rule add --name ${registry} --ip-address ${rule}`,
      done: `allowed ${rule} through the firewall of ${registry}`,
    };
  },
  async plan(context, intent) {
    const location = armLocation(context);
    const ip = context.facts.clientIp;
    if ('unknown' in location || !ip) return undefined;
    const state = await readFirewall(context, location.subscription, location.resourceGroup, location.registryName);
    if (state.publicNetworkAccess === 'Disabled' || lets(state, ip)) return undefined;
    return { ...intent, expected: state, params: { ...location, clientIp: ip, rule: `${ip}/32` } };
  },
  async inspect(context, plan): Promise<FixInspection> {
    const { subscription, resourceGroup, registryName, clientIp } = plan.params;
    const state = await readFirewall(context, String(subscription), String(resourceGroup), String(registryName));
    if (state.publicNetworkAccess === 'Disabled') return { status: 'changed', state, detail: `${plan.target} now has public network access disabled` };
    if (lets(state, String(clientIp))) return { status: 'desired', state };
    if (!sameRules(rulesOf(state), rulesOf(plan.expected))) {
      return { status: 'changed', state, detail: `the firewall rules of ${plan.target} changed since the plan (now: ${rulesOf(state).join(', ') || 'none'})` };
    }
    return { status: 'expected', state };
  },
  async write(context, plan, inspected) {
    const { subscription, resourceGroup, registryName, rule } = plan.params;
    const ipRules = [...rulesOf(inspected.state), String(rule)].map((iPAddressOrRange) => ({ action: 'Allow' as const, iPAddressOrRange }));
    const after = await armClient(context, String(subscription)).registries.update(
      String(resourceGroup),
      String(registryName),
      { networkRuleSet: { defaultAction: String(inspected.state.defaultAction), ipRules } },
      { abortSignal: context.signal },
    );
    return {
      publicNetworkAccess: after.publicNetworkAccess ?? 'Enabled',
      defaultAction: after.networkRuleSet?.defaultAction ?? 'Allow',
      ipRules: (after.networkRuleSet?.ipRules ?? []).map((r) => r.iPAddressOrRange),
    };
  },
};
