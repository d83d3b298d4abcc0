// Every provider's host patterns against lookalike hosts: a registry name with more behind it (an attacker's
// domain), glued to more letters, or a provider's domain used as a subdomain elsewhere is not that provider.
// Each genuine host is recognised first, so a pattern that matched nothing at all would fail too.
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { providerAdapters } from '../../src/providers/index.js';

const GENUINE: Record<string, string[]> = {
  ecr: ['123456789012.dkr.ecr.us-east-1.amazonaws.com', '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', '123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu', 'public.ecr.aws'],
  gar: ['us-central1-docker.pkg.dev', 'europe-docker.pkg.dev'],
  gcr: ['gcr.io', 'eu.gcr.io'],
  acr: ['contoso.azurecr.io'],
  dockerhub: ['docker.io', 'registry-1.docker.io'],
  ghcr: ['ghcr.io'],
};

/** The ways a host is dressed up as another: suffixed, glued, prefixed into a subdomain of something else. */
function lookalikes(host: string): string[] {
  return [`${host}.attacker.example`, `${host}.evil.com`, `${host}evil`, `${host}-evil.com`, `${host.replace(/\.([a-z]+)$/, '.$1.evil')}`, `x${host}.evil`];
}

const EXTRA = ['123456789012.dkr.ecr.us-east-1.amazonaws.com.attacker.example', 'x.azurecr.io.evil.com', 'us-docker.pkg.dev.evil', 'ghcr.io.evil', 'gcr.io.evil.com', 'evilghcr.io', 'evil-azurecr.io', 'amazonaws.com.evil/123456789012.dkr.ecr.us-east-1'];

describe.each(Object.entries(GENUINE))('%s', (provider, hosts) => {
  it.each(hosts)('recognises %s', (host) => {
    expect(providerAdapters.some((a) => a.matchHost(host, 'team/app')?.provider === provider)).toBe(true);
  });

  it.each(hosts.flatMap(lookalikes))('does not take the lookalike %s', (host) => {
    for (const adapter of providerAdapters) expect(adapter.matchHost(host, 'team/app')?.provider, `${adapter.providers.join('/')} took ${host}`).not.toBe(provider);
    const parsed = parseImageRef(`${host}/team/app:1`);
    if (parsed.ok) {
      expect(parsed.ref.provider).not.toBe(provider);
      expect(parsed.ref.region).toBeUndefined();
    }
  });
});

it.each(EXTRA)('the named lookalike %s is no known provider, with no account or region read from it', (host) => {
  const parsed = parseImageRef(`${host}/team/app:1`);
  if (!parsed.ok) return;
  expect(parsed.ref.provider).toBe('other');
  expect(parsed.ref.account).toBeUndefined();
  expect(parsed.ref.region).toBeUndefined();
});
