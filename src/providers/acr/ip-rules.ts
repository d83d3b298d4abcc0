// Whether an ACR firewall IP rule (an IPv4 address or CIDR range, as networkRuleSet.ipRules holds them)
// lets a client address through.
import { BlockList, isIPv4 } from 'node:net';

/** The first rule that covers `ip`, or undefined (also for an address that is not IPv4: ACR rules are IPv4). */
export function ruleAllowing(ip: string, rules: readonly string[]): string | undefined {
  if (!isIPv4(ip)) return undefined;
  return rules.find((rule) => {
    const [address, prefix] = rule.split('/');
    if (!address || !isIPv4(address)) return false;
    const list = new BlockList();
    if (prefix === undefined) list.addAddress(address, 'ipv4');
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
      list.addSubnet(address, bits, 'ipv4');
    }
    return list.check(ip, 'ipv4');
  });
}
