import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { CATEGORIES, PROBE_STATUSES, PROVIDERS, SEVERITIES } from '../../src/engine/vocabulary.js';
import { docLink, renderDiagnosisBlocks, SLACK_LIMITS } from '../../src/render/slack/blocks.js';
import { escapeCodeBlock, TRUNCATION_MARKER } from '../../src/render/slack/mrkdwn.js';
import { acrFirewallWithProbes, ecrPermissionDenied, hostile, huge, noFindings } from './fixtures.js';
import { allTexts, slackProblems } from './slack-limits.js';

const snapshot = (name: string) => `./__snapshots__/blocks.${name}.json`;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('renderDiagnosisBlocks: golden', () => {
  it.each([
    ['ecr-permission-denied', ecrPermissionDenied],
    ['acr-firewall-with-probes', acrFirewallWithProbes],
    ['no-findings', noFindings],
    ['hostile', hostile],
  ] as const)('%s', async (name, diagnosis) => {
    const message = renderDiagnosisBlocks(diagnosis);
    expect(slackProblems(message)).toEqual([]);
    await expect(json(message)).toMatchFileSnapshot(snapshot(name));
  });
});

describe('renderDiagnosisBlocks: content', () => {
  it('leads with the top category and title in the header and fallback text', () => {
    const message = renderDiagnosisBlocks(ecrPermissionDenied);
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    expect(message.text).toContain('permission_denied');
    const header = message.blocks[0]!;
    expect(header.type === 'header' && header.text.text).toMatch(/^permission_denied: gha-deployer may not push/);
  });

  it('puts remediation commands in code blocks and links only catalog docs', () => {
    const texts = allTexts(renderDiagnosisBlocks(ecrPermissionDenied)).join('\n');
    expect(texts).toContain('```\naws iam put-role-policy');
    expect(texts).toContain('<https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push.html|Amazon ECR: pushing an image (required IAM permissions)>');
    expect(texts).toContain('no probes run');
  });

  it('renders fix buttons carrying only the fix id, one per actions block', () => {
    const message = renderDiagnosisBlocks(acrFirewallWithProbes);
    const actions = message.blocks.filter((b) => b.type === 'actions');
    expect(actions).toHaveLength(1);
    expect(actions[0]).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'fix',
          value: 'fx_7Hc2kQ9',
          text: { type: 'plain_text', text: 'Allow 20.84.112.37 through the contosoprod firewall', emoji: true },
        },
      ],
    });
  });

  it('shows probe results with timings in the context block', () => {
    const context = renderDiagnosisBlocks(acrFirewallWithProbes).blocks.find((b) => b.type === 'context');
    const text = JSON.stringify(context);
    expect(text).toContain('acr.network-rules failed (212 ms)');
    expect(text).toContain('oci.ping ok (48 ms)');
    expect(text).toContain('*Provider:* acr');
    expect(text).toContain('*Confidence:* 97%');
  });

  it('says clearly when there is no registry failure', () => {
    const message = renderDiagnosisBlocks(noFindings);
    expect(message.text).toBe('No registry failure found');
    expect(allTexts(message).join('\n')).toContain('read 14 lines');
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('honours maxFindings', () => {
    const many: Diagnosis = {
      ...ecrPermissionDenied,
      findings: Array.from({ length: 8 }, (_, i) => ({ ...ecrPermissionDenied.findings[0]!, title: `cause ${i}` })),
    };
    const texts = allTexts(renderDiagnosisBlocks(many, { maxFindings: 3 })).join('\n');
    expect(texts).toContain('cause 1');
    expect(texts).toContain('cause 2');
    expect(texts).not.toContain('cause 3');
    expect(texts).toContain('and 5 more');
  });
});

describe('renderDiagnosisBlocks: hostile log text renders harmlessly', () => {
  const message = renderDiagnosisBlocks(hostile);
  const texts = allTexts(message);

  it('has no live mention, broadcast or link that we did not make', () => {
    for (const text of texts) {
      expect(text).not.toMatch(/<[!@#]/);
      expect(text).not.toContain('<https://evil.example');
      expect(text).not.toMatch(/(^|[^\u200b])@(channel|here|everyone)\b/);
    }
    // The only links are ours: an https documentation link whose label is escaped.
    const links = texts.join('\n').match(/<[^>]*>/g) ?? [];
    expect(links).toEqual([
      '<https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry|a &lt;b&gt;|c&lt;/b&gt;>',
    ]);
  });

  it('cannot close a code block early', () => {
    for (const text of texts) {
      // Fences only at the starts and ends of code blocks: every ``` is at a line start or line end.
      for (const match of text.matchAll(/```/g)) {
        const before = text[match.index - 1];
        const after = text[match.index + 3];
        expect(before === undefined || before === '\n' || after === undefined || after === '\n').toBe(true);
      }
    }
    expect(escapeCodeBlock('`````')).not.toMatch(/``/);
  });

  it('drops terminal escapes and control characters', () => {
    for (const text of texts) expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('shows non-catalog or non-https doc URLs as text, not links', () => {
    expect(docLink({ title: 'not ours', url: 'https://evil.example/phish' })).toBe('not ours (https://evil.example/phish)');
    expect(docLink({ title: 'x', url: 'http://docs.github.com/a' })).not.toMatch(/^</);
    expect(docLink({ title: 'x', url: 'javascript:alert(1)' })).not.toMatch(/^</);
    expect(docLink({ title: 'x', url: 'https://user:pw@docs.github.com/a' })).not.toMatch(/^</);
    expect(docLink({ title: 'x', url: 'https://docs.docker.com/a?b=1&c=2' })).toBe('<https://docs.docker.com/a?b=1&amp;c=2|x>');
  });
});

describe('renderDiagnosisBlocks: limits', () => {
  it('keeps a 100-finding, 1 MB-evidence diagnosis within every Slack limit', () => {
    const message = renderDiagnosisBlocks(huge(), { maxFindings: 100 });
    expect(slackProblems(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(allTexts(message).join('')).toContain(TRUNCATION_MARKER);
    // The essentials survive truncation: header, evidence, fix buttons, context.
    const types = message.blocks.map((b) => b.type);
    expect(types[0]).toBe('header');
    expect(types).toContain('context');
    expect(types).toContain('actions');
  });

  it('never produces an invalid message for arbitrary diagnoses (property)', () => {
    const text = fc.string({ maxLength: 400, unit: 'binary' });
    const finding = fc.record({
      category: fc.constantFrom(...CATEGORIES),
      title: text,
      explanation: fc.oneof(text, fc.string({ minLength: 2000, maxLength: 6000 })),
      severity: fc.constantFrom(...SEVERITIES),
      confidence: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(Number.NaN)),
      evidence: fc.array(
        fc.record({ source: fc.constantFrom('log' as const, 'probe' as const), line: fc.option(fc.nat(), { nil: undefined }), text }),
        { maxLength: 30 },
      ),
      remediation: fc.array(fc.record({ text, command: fc.option(fc.string({ maxLength: 4000 }), { nil: undefined }) }), { maxLength: 8 }),
      docs: fc.array(fc.record({ title: text, url: fc.oneof(fc.webUrl(), text) }), { maxLength: 8 }),
      fixes: fc.array(fc.record({ id: fc.string({ maxLength: 40 }), title: text }), { maxLength: 8 }),
      rules: fc.array(fc.string(), { maxLength: 2 }),
    });
    const diagnosis = fc.record({
      input: fc.record({ logExcerpt: text, logLines: fc.nat(), logBytes: fc.nat(), image: fc.option(text, { nil: undefined }) }),
      provider: fc.constantFrom(...PROVIDERS),
      facts: fc.constant({}),
      findings: fc.array(finding, { maxLength: 12 }),
      probes: fc.array(
        fc.record({ name: text, status: fc.constantFrom(...PROBE_STATUSES), durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }), detail: text }),
        { maxLength: 12 },
      ),
    }) as fc.Arbitrary<Diagnosis>;
    fc.assert(
      fc.property(diagnosis, fc.integer({ min: 1, max: 20 }), (d, maxFindings) => {
        expect(slackProblems(renderDiagnosisBlocks(d, { maxFindings }))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('renderDiagnosisBlocks: documentation links from the catalog', () => {
  it('every doc the engine gives for the corpus and the examples renders as a link', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { diagnose } = await import('../../src/engine/diagnose.js');
    const corpus = new URL('../fixtures/corpus/dev.jsonl', import.meta.url);
    const examples = new URL('../../examples/', import.meta.url);
    const logs = [
      ...readFileSync(corpus, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { log: string }).log),
      ...readdirSync(examples).filter((f) => f.endsWith('.log')).map((f) => readFileSync(new URL(f, examples), 'utf8')),
    ];
    const notLinked = new Set<string>();
    let seen = 0;
    for (const log of logs) {
      for (const finding of diagnose({ log }).findings) {
        for (const doc of finding.docs) {
          seen += 1;
          if (!docLink(doc).startsWith('<https://')) notLinked.add(doc.url);
        }
      }
    }
    expect(seen).toBeGreaterThan(0);
    expect([...notLinked]).toEqual([]);
  });
});
