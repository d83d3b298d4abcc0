// ACR firewall rules (IPv4 addresses and CIDR ranges) against a client address.
import { describe, expect, it } from 'vitest';
import { ruleAllowing } from '../../src/providers/acr/ip-rules.js';

describe('ruleAllowing', () => {
  const rules = ['52.1.2.3', '10.0.0.0/8', '20.30.40.0/24'];

  it('names the rule that covers the address', () => {
    expect(ruleAllowing('52.1.2.3', rules)).toBe('52.1.2.3');
    expect(ruleAllowing('10.200.3.4', rules)).toBe('10.0.0.0/8');
    expect(ruleAllowing('20.30.40.255', rules)).toBe('20.30.40.0/24');
  });

  it('finds none for an address outside every rule', () => {
    expect(ruleAllowing('20.30.41.1', rules)).toBeUndefined();
    expect(ruleAllowing('52.1.2.4', rules)).toBeUndefined();
    expect(ruleAllowing('1.2.3.4', [])).toBeUndefined();
  });

  it('treats /0 as everything and ignores malformed rules and non-IPv4 clients', () => {
    expect(ruleAllowing('8.8.8.8', ['0.0.0.0/0'])).toBe('0.0.0.0/0');
    expect(ruleAllowing('10.0.0.1', ['10.0.0.0/33', 'not-an-ip', '10.0.0.0/x'])).toBeUndefined();
    expect(ruleAllowing('2001:db8::1', ['0.0.0.0/0'])).toBeUndefined();
  });
});
