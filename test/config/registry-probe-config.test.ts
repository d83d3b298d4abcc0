// What each provider needs to be probed, validated at start with messages naming the key.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/load-config.js';

function problems(yaml: string): string[] {
  try {
    parseConfigText(yaml, 'test.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('registries[] probe settings', () => {
  it('reads the Azure subscription and resource group, insecure and the probe timeout', () => {
    const config = parseConfigText(
      [
        'registries:',
        '  - name: acme-acr',
        '    provider: acr',
        '    host: acme.azurecr.io',
        '    account: acme',
        '    subscription: 00000000-1111-2222-3333-444444444444',
        '    resourceGroup: rg-registry',
        '    probeTimeoutMs: 5000',
        '  - name: lab',
        '    provider: other',
        '    host: registry.lab:5000',
        '    insecure: true',
      ].join('\n'),
    );
    expect(config.registries[0]).toMatchObject({ subscription: '00000000-1111-2222-3333-444444444444', resourceGroup: 'rg-registry', probeTimeoutMs: 5000, insecure: false });
    expect(config.registries[1]).toMatchObject({ insecure: true });
    expect(config.registries[1]!.probeTimeoutMs).toBeUndefined();
  });

  it('names a credential field the provider does not read, and a half of a pair', () => {
    const found = problems(
      [
        'registries:',
        '  - name: prod-ecr',
        '    provider: ecr',
        '    host: 123456789012.dkr.ecr.us-east-1.amazonaws.com',
        '    credentials:',
        '      probe: { accessKeyId: ECR_KEY, secretAccesKey: ECR_SECRET }',
      ].join('\n'),
    );
    expect(found).toEqual([
      'registries[0].credentials.probe.secretAccesKey: not a credential field for provider ecr; use accessKeyId, secretAccessKey, sessionToken',
      'registries[0].credentials.probe: accessKeyId and secretAccessKey go together; add secretAccessKey',
    ]);
  });

  it('refuses a subscription that is not a GUID and a timeout out of range', () => {
    const found = problems(
      ['registries:', '  - name: a', '    provider: acr', '    host: a.azurecr.io', '    subscription: prod', '    probeTimeoutMs: 10'].join('\n'),
    );
    expect(found).toEqual([
      'registries[0].subscription: must be an Azure subscription id (a GUID)',
      expect.stringMatching(/^registries\[0\]\.probeTimeoutMs: .*100/),
    ]);
  });
});
