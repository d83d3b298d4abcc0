import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { PROVIDERS } from '../../src/engine/vocabulary.js';
import { normalizeDiagnosis, renderJson, toBatchLine, toJsonLine } from '../../src/render/json.js';
import { stripControlChars } from '../../src/render/sanitize.js';
import { renderText } from '../../src/render/text.js';
import { CATALOG_REGISTRY_NAMES, catalogDiagnosis } from './catalog-diagnoses.js';
import { acrFirewallWithProbes, ecrPermissionDenied, hostile, noFindings } from './fixtures.js';

describe('renderText', () => {
  it.each([
    ['ecr-permission-denied', ecrPermissionDenied],
    ['acr-firewall-with-probes', acrFirewallWithProbes],
    ['no-findings', noFindings],
  ] as const)('golden: %s', async (name, diagnosis) => {
    await expect(renderText(diagnosis, { color: false })).toMatchFileSnapshot(`./__snapshots__/text.${name}.txt`);
  });

  it('puts the top finding first, then meaning, evidence with line numbers, fix, docs, less likely', () => {
    const text = renderText(ecrPermissionDenied, { color: false });
    const order = ['permission_denied', 'What it means', 'Evidence', 'line 85 │ denied: User', 'How to fix', 'aws iam put-role-policy', 'Docs', 'Less likely', 'repo_not_found (21%)'];
    let at = -1;
    for (const part of order) {
      const next = text.indexOf(part);
      expect(next, part).toBeGreaterThan(at);
      at = next;
    }
    expect(text).toContain('confidence 93% · Amazon ECR · image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.2');
  });

  it('sets commands apart on their own lines, so they copy cleanly', () => {
    const text = renderText(ecrPermissionDenied, { color: false });
    expect(text).toMatch(/\n\n {7}aws iam put-role-policy --role-name gha-deployer/);
  });

  it('says what was read when there is no finding', () => {
    const text = renderText(noFindings, { color: false });
    expect(text).toContain('No registry failure found in this log');
    expect(text).toContain('read 14 lines, 812 bytes');
  });

  it('shows probe results when there are any', () => {
    expect(renderText(acrFirewallWithProbes, { color: false })).toMatch(/failed\s+acr\.network-rules\s+212 ms/);
    expect(renderText(ecrPermissionDenied, { color: false })).not.toContain('Probes');
  });

  it('uses ANSI colour only when asked', () => {
    expect(renderText(ecrPermissionDenied, { color: false })).not.toContain('\x1b');
    expect(renderText(ecrPermissionDenied, { color: true })).toContain('\x1b[1m');
  });

  it('strips escape sequences and control characters that came from the log', () => {
    const text = renderText(hostile, { color: false });
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(text).toContain('red & done');
    expect(text).not.toContain('pwned');
    const colored = renderText(hostile, { color: true });
    // Only our own SGR sequences remain.
    expect(colored.replace(/\x1b\[\d+m/g, '')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('stripControlChars removes CSI, OSC, C1 and bidi controls and keeps tabs and newlines', () => {
    expect(stripControlChars('a\x1b[1;31mb\x1b[0m\tc\r\nd\x1b]8;;https://x\x07e\x9b2Jf\u202eg\x00h')).toBe('ab\tc\nde' + 'fgh');
  });
});

describe('the registry a person reads', () => {
  it.each(PROVIDERS)('%s: the text names it; the JSON keeps the provider id', (provider) => {
    const d = catalogDiagnosis(provider, 'permission_denied', 0.9);
    const text = renderText(d, { color: false });
    expect(text).toContain(`confidence 90% · ${CATALOG_REGISTRY_NAMES[provider]} · image ${d.image!.reference} · severity error`);
    expect(text).not.toContain(`provider ${provider}`);
    expect((JSON.parse(renderJson(d)) as Diagnosis).provider).toBe(provider);
    expect(toBatchLine('job-1', d).provider).toBe(provider);
  });

  it('tells ECR Public from ECR by its host', () => {
    const publicEcr: Diagnosis = {
      ...ecrPermissionDenied,
      image: { reference: 'public.ecr.aws/acme/app:1', host: 'public.ecr.aws', provider: 'ecr', account: 'acme', repository: 'acme/app', tag: '1' },
    };
    expect(renderText(publicEcr, { color: false })).toContain('confidence 93% · Amazon ECR Public · image public.ecr.aws/acme/app:1');
  });

  it('names a registry of no known provider by the host the log shows, and says when nothing identified it', () => {
    const fromLog: Diagnosis = { ...noFindings, facts: { host: 'registry.example.com:5000' } };
    expect(renderText(fromLog, { color: false })).toContain('read 14 lines, 812 bytes · registry.example.com:5000\n');
    expect(renderText(noFindings, { color: false })).toContain('read 14 lines, 812 bytes · Unidentified registry\n');
  });
});

describe('renderJson', () => {
  it('is the Diagnosis shape, pretty, in a stable key order', () => {
    const shuffled = JSON.parse(JSON.stringify(ecrPermissionDenied)) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(shuffled).reverse()) as unknown as Diagnosis;
    const a = renderJson(ecrPermissionDenied);
    expect(renderJson(reordered)).toBe(a);
    const parsed = JSON.parse(a) as Diagnosis;
    expect(Object.keys(parsed)).toEqual(['input', 'provider', 'image', 'facts', 'findings', 'probes']);
    expect(Object.keys(parsed.findings[0]!)).toEqual([
      'category', 'title', 'explanation', 'severity', 'confidence', 'evidence', 'remediation', 'docs', 'fixes', 'rules',
    ]);
    expect(parsed).toEqual(ecrPermissionDenied);
    expect(a).toMatch(/^{\n {2}"input": {\n/);
    expect(a.endsWith('}\n')).toBe(true);
  });

  it('golden', async () => {
    await expect(renderJson(acrFirewallWithProbes)).toMatchFileSnapshot('./__snapshots__/json.acr-firewall-with-probes.json');
  });

  it('drops undefined optionals and escapes terminal-unsafe characters without changing the value', () => {
    const d: Diagnosis = { ...noFindings, image: undefined, input: { ...noFindings.input, logExcerpt: 'a\x9b2Jb\u202ec\x1b[0m' } };
    const out = renderJson(d);
    expect(out).not.toContain('"image"');
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    expect((JSON.parse(out) as Diagnosis).input.logExcerpt).toBe('a\x9b2Jb\u202ec\x1b[0m');
    expect(normalizeDiagnosis(d)).toEqual(JSON.parse(out));
  });
});

describe('toBatchLine', () => {
  it('gives id, provider, the top category and the findings', () => {
    const line = toBatchLine('job-1', ecrPermissionDenied);
    expect(Object.keys(line)).toEqual(['id', 'provider', 'category', 'findings']);
    expect(line).toMatchObject({ id: 'job-1', provider: 'ecr', category: 'permission_denied' });
    expect(line.findings).toHaveLength(2);
    expect(toJsonLine(line)).not.toContain('\n');
  });

  it('says other when there is no finding', () => {
    expect(toBatchLine('x', noFindings)).toEqual({ id: 'x', provider: 'other', category: 'other', findings: [] });
  });
});
