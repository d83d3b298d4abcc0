// A configured registries[] entry names the provider of a host that says nothing itself (a custom domain, a
// proxy): the diagnosis and its remediation speak of that provider, with the entry's identifiers.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/diagnose.js';
import type { KnownRegistry } from '../../src/engine/known-registry.js';

const registries: KnownRegistry[] = [
  { name: 'contoso-acr', provider: 'acr', host: 'registry.contoso.example', account: 'contosoreg' },
  { name: 'prod-ecr', provider: 'ecr', host: 'images.corp.example', account: '123456789012', region: 'eu-west-1' },
  { name: 'shop-gar', provider: 'gar', host: 'docker.corp.example', account: 'shop-prod', region: 'europe-west1' },
];

// ACR's firewall answer as Docker prints it, here without the aka.ms link that would name ACR by itself.
const FIREWALL_LOG = [
  'The push refers to repository [registry.contoso.example/shop/api]',
  '5f70bf18a086: Preparing',
  "denied: client with IP '203.0.113.7' is not allowed access.",
].join('\n');

const permissionLog = (host: string) =>
  [`The push refers to repository [${host}/shop/api]`, '5f70bf18a086: Preparing', 'denied: requested access to the resource is denied'].join('\n');

describe('a configured registry entry', () => {
  it('makes an ACR on a custom domain Azure Container Registry, with the entry\u2019s registry name in the first command', () => {
    const alone = diagnose({ log: FIREWALL_LOG, image: 'registry.contoso.example/shop/api:1.4.2' });
    expect(alone.provider).toBe('other'); // the host says nothing: without the entry this is any registry

    const d = diagnose({ log: FIREWALL_LOG, image: 'registry.contoso.example/shop/api:1.4.2', registries });
    expect(d.provider).toBe('acr');
    expect(d.image).toMatchObject({ host: 'registry.contoso.example', provider: 'acr', registry: 'contoso-acr', account: 'contosoreg', repository: 'shop/api', tag: '1.4.2' });
    const top = d.findings[0]!;
    expect(top.category).toBe('firewall_denied');
    expect(top.remediation[0]?.command).toBe('az acr network-rule list --name contosoreg');
    expect(top.remediation.map((step) => step.command)).toContain('az acr network-rule add --name contosoreg --ip-address 203.0.113.7');
    expect(top.docs.map((doc) => doc.url).join(' ')).toContain('learn.microsoft.com/azure/container-registry');
  });

  it('is found from the log\u2019s own push line when no image is given, and Docker logs in to the custom host', () => {
    const d = diagnose({ log: permissionLog('registry.contoso.example'), registries });
    expect(d.provider).toBe('acr');
    const [permission, login] = [d.findings.find((f) => f.category === 'permission_denied'), d.findings.find((f) => f.category === 'auth_missing')];
    expect(permission?.remediation[0]?.command).toContain('--scope $(az acr show --name contosoreg --query id --output tsv)');
    expect(login?.remediation[1]?.command).toContain('docker login registry.contoso.example ');
  });

  it('gives ECR its account and region, and Artifact Registry its project and location', () => {
    const ecr = diagnose({ log: permissionLog('images.corp.example'), registries });
    expect(ecr.provider).toBe('ecr');
    expect(ecr.findings[0]?.remediation.map((step) => step.command)).toContain('aws ecr get-repository-policy --repository-name shop/api --region eu-west-1');
    expect(ecr.findings[0]?.remediation.map((step) => step.command).join('\n')).toContain('arn:aws:ecr:eu-west-1:123456789012:repository/shop/api');

    const gar = diagnose({ log: permissionLog('docker.corp.example'), registries });
    expect(gar.provider).toBe('gar');
    expect(gar.findings[0]?.remediation[0]?.command).toContain('--location=europe-west1 --project=shop-prod');
  });

  it('leaves hosts it does not name, and the identifiers a provider\u2019s own host shows, as they are', () => {
    const other = diagnose({ log: permissionLog('ghcr.io'), registries });
    expect(other.provider).toBe('ghcr');
    expect(other.image?.registry).toBeUndefined();

    const own = diagnose({
      log: permissionLog('999999999999.dkr.ecr.us-east-1.amazonaws.com'),
      registries: [{ name: 'ecr', provider: 'ecr', host: '999999999999.dkr.ecr.us-east-1.amazonaws.com', account: '111111111111', region: 'eu-west-1' }],
    });
    expect(own.image).toMatchObject({ provider: 'ecr', registry: 'ecr', account: '999999999999', region: 'us-east-1' });
  });
});
