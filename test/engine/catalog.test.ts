import { describe, expect, it } from 'vitest';
import { rules } from '../../src/engine/catalog.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { CATEGORIES } from '../../src/engine/vocabulary.js';

// A push line that puts the log in the context of a registry of the given provider.
const pushLineFor: Record<string, string> = {
  ecr: 'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]',
  gar: 'The push refers to repository [europe-west1-docker.pkg.dev/acme/apps/app]',
  gcr: 'The push refers to repository [gcr.io/acme/app]',
  acr: 'The push refers to repository [acme.azurecr.io/app]',
  dockerhub: 'The push refers to repository [docker.io/acme/app]',
  ghcr: 'The push refers to repository [ghcr.io/acme/app]',
  other: 'The push refers to repository [registry.example.com/acme/app]',
};

describe('the catalog', () => {
  it('has unique rule ids, known categories and confidences in (0, 1)', () => {
    const ids = rules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      expect(CATEGORIES).toContain(rule.category);
      expect(rule.confidence).toBeGreaterThan(0);
      expect(rule.confidence).toBeLessThan(1);
      expect(rule.examples.length).toBeGreaterThan(0);
    }
  });

  it('cites, for every rule, the public document or source file its wording comes from, as a URL', () => {
    for (const rule of rules) {
      const url = URL.canParse(rule.source) ? new URL(rule.source) : undefined;
      expect(url?.protocol, `${rule.id}: source ${JSON.stringify(rule.source)} is not an https URL`).toBe('https:');
      expect(url?.hostname, rule.id).toMatch(/\.[a-z]{2,}$/);
      expect(url!.pathname.length, `${rule.id}: cite the page or file, not a site`).toBeGreaterThan(1);
    }
  });

  // Each example, alone in a push log of a provider the rule applies to, must be recognised by its rule
  // and the rule's category must be among the findings.
  for (const rule of rules) {
    for (const example of rule.examples) {
      it(`${rule.id} recognises: ${example.slice(0, 90)}`, () => {
        const provider = rule.providers?.[0] ?? rule.provider ?? 'other';
        const log = `${pushLineFor[provider]}\n${example}\n`;
        const diagnosis = diagnose({ log });
        const finding = diagnosis.findings.find((candidate) => candidate.rules.includes(rule.id));
        expect(finding, `no finding from rule ${rule.id}`).toBeDefined();
        expect(diagnosis.findings.map((candidate) => candidate.category)).toContain(rule.category);
      });
    }
  }
});
