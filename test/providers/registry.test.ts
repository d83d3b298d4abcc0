import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/engine/vocabulary.js';
import { adapterFor, providerAdapters, providerLogSignals } from '../../src/providers/index.js';

const PROVIDERS_DIR = fileURLToPath(new URL('../../src/providers/', import.meta.url));

describe('provider registry', () => {
  it('lists exactly one adapter per folder under src/providers', () => {
    const folders = readdirSync(PROVIDERS_DIR)
      .filter((name) => statSync(`${PROVIDERS_DIR}${name}`).isDirectory())
      .sort();
    expect(providerAdapters.map((a) => a.id).sort()).toEqual(folders);
  });

  it('keeps the generic OCI adapter last, matching nothing', () => {
    const last = providerAdapters.at(-1)!;
    expect(last.id).toBe('oci');
    expect(last.providers).toEqual(['other']);
    expect(last.matchHost('registry.example.com', 'app')).toBeUndefined();
    expect(last.logSignals).toEqual([]);
  });

  it('serves every provider by exactly one adapter', () => {
    for (const provider of PROVIDERS) {
      const serving = providerAdapters.filter((a) => a.providers.includes(provider));
      expect(serving.map((a) => a.id), provider).toHaveLength(1);
      expect(adapterFor(provider)).toBe(serving[0]);
    }
    expect(adapterFor('gcr').id).toBe('gar');
    expect(adapterFor('other').id).toBe('oci');
  });

  it('gives log signals without stateful flags, each naming a provider its adapter serves', () => {
    for (const adapter of providerAdapters) {
      for (const signal of adapter.logSignals) {
        expect(signal.pattern.global || signal.pattern.sticky, String(signal.pattern)).toBe(false);
        expect(adapter.providers).toContain(signal.provider);
      }
    }
    expect(providerLogSignals.length).toBe(providerAdapters.reduce((n, a) => n + a.logSignals.length, 0));
  });
});
