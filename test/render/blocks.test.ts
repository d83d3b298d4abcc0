import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { CATEGORIES, PROBE_STATUSES, PROVIDERS, SEVERITIES } from '../../src/engine/vocabulary.js';
import { attachedDocuments, blocksJsonLength, docLink, MORE_POINTER, renderDiagnosisBlocks, renderPlainAnswer, SLACK_LIMITS } from '../../src/render/slack/blocks.js';
import { snippetType } from '../../src/slack/share-documents.js';
import { actionKind } from '../../src/render/slack/actions.js';
import { answerFor } from '../../src/render/slack/answer.js';
import { renderParentMessage } from '../../src/render/slack/messages.js';
import { escapeCodeBlock } from '../../src/render/slack/mrkdwn.js';
import { catalogDiagnosis, CATALOG_IMAGES, CATALOG_REGISTRY_NAMES } from './catalog-diagnoses.js';
import { acrFirewallWithProbes, ecrPermissionDenied, hostile, huge, noFindings } from './fixtures.js';
import { allTexts, mrkdwnProblems, slackProblems } from './slack-limits.js';

const snapshot = (name: string) => `./__snapshots__/blocks.${name}.json`;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const ID = 'dg_0123456789abcdef';
const render = (d: Diagnosis, extra: Parameters<typeof renderDiagnosisBlocks>[1] = {}) => renderDiagnosisBlocks(d, { answerId: ID, user: 'U0ALICE', ...extra });

describe('renderDiagnosisBlocks: golden', () => {
  it.each([
    ['ecr-permission-denied', ecrPermissionDenied],
    ['acr-firewall-with-probes', acrFirewallWithProbes],
    ['no-findings', noFindings],
    ['hostile', hostile],
  ] as const)('%s', async (name, diagnosis) => {
    const message = render(diagnosis);
    expect(slackProblems(message)).toEqual([]);
    await expect(json(message)).toMatchFileSnapshot(snapshot(name));
  });

  // A real thread, as the worker posts it for examples/ecr-push-denied.log — the parent, the reply, and the
  // policy the reply's command reads shared as a snippet after it: the README's picture is drawn from this.
  it('the thread for examples/ecr-push-denied.log', async () => {
    const log = readFileSync(new URL('../../examples/ecr-push-denied.log', import.meta.url), 'utf8');
    const d = diagnose({ log });
    const files = attachedDocuments(d).map((doc) => ({ ...doc, snippetType: snippetType(doc.name) }));
    expect(files.map((f) => f.name)).toEqual(['ecr-push-policy.json']);
    const reply = render(d, { attachDocuments: true });
    const parent = renderParentMessage({ status: 'done', user: 'U0ALICE', jobId: 'mfz3k2a1b2c3', source: 'command', answer: answerFor(d)!.sentence });
    expect(slackProblems(reply)).toEqual([]);
    expect(slackProblems(parent)).toEqual([]);
    expect(JSON.stringify(reply)).toContain('`ecr-push-policy.json`: in the file posted below this message');
    expect(JSON.stringify(reply)).not.toContain('Statement');
    await expect(json({ parent, reply, files })).toMatchFileSnapshot('./__snapshots__/thread.example-ecr-push-denied.json');
  });

  it('quotes every document inline unless told to attach the long ones; short ones stay inline either way', () => {
    const log = readFileSync(new URL('../../examples/ecr-push-denied.log', import.meta.url), 'utf8');
    const d = diagnose({ log });
    expect(JSON.stringify(render(d))).toContain('Statement');
    const short = { ...d, findings: d.findings.map((f, i) => (i > 0 ? f : { ...f, remediation: f.remediation.map((s) => (s.document ? { ...s, document: { name: 'p.json', content: '{"Version":"2012-10-17"}' } } : s)) })) };
    expect(attachedDocuments(short)).toEqual([]);
    expect(JSON.stringify(render(short, { attachDocuments: true }))).toContain('2012-10-17');
  });

  // Every category the catalog knows, on every provider: the answer line and the first step, golden; the whole
  // message checked against Slack's limits (the full JSON of each is exercised by the validator, not stored).
  it.each(PROVIDERS)('every category on %s', async (provider) => {
    const lines: string[] = [`# Answers on ${provider} (${CATALOG_IMAGES[provider]})`, ''];
    for (const category of CATEGORIES) {
      for (const confidence of [0.92, 0.45]) {
        const message = render(catalogDiagnosis(provider, category, confidence));
        expect(slackProblems(message), `${provider} ${category} ${confidence}`).toEqual([]);
        expect(message.text).not.toMatch(/\b[a-z]+_[a-z_]+\b(?![^`]*`)/); // no snake_case category outside code
        const first = message.blocks[1];
        lines.push(`## ${category} (${confidence * 100}%)`, '', `text: ${message.text}`, '', `${first?.type === 'section' ? first.text?.text : first?.type}`, '');
      }
    }
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot(`./__snapshots__/answers.${provider}.md`);
  });
});

describe('renderDiagnosisBlocks: content', () => {
  it('the first line is the answer: plain words, who, which permission and repository, the first command; the person mentioned', () => {
    const message = render(ecrPermissionDenied);
    const expected =
      '<@U0ALICE> :red_circle: *Push failed:* role `gha-deployer` may not push to `payments-api` (missing `ecr:InitiateLayerUpload`). ' +
      'First: `aws iam put-role-policy --role-name gha-deployer --policy-name ecr-push-payments-api …`';
    expect(message.text).toBe(expected);
    expect(message.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: expected } });
    expect(JSON.stringify(message)).not.toContain('white_check_mark: done');
  });

  it('the thread leads with "Do this first", then the evidence, then the rest; a policy document after the command that uses it', () => {
    const d = diagnose({
      log:
        'The push refers to repository [123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api]\n' +
        'denied: User: arn:aws:sts::123456789012:assumed-role/gha-deployer/GitHubActions is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/payments-api',
    });
    const texts = render(d).blocks.map((b) => (b.type === 'section' ? b.text?.text ?? '' : b.type));
    expect(texts[1]).toMatch(/^\*Do this first\*\n/);
    const command = texts[1]!.indexOf('aws iam put-role-policy --role-name gha-deployer');
    const policy = texts[1]!.indexOf('"ecr:InitiateLayerUpload"');
    expect(command).toBeGreaterThan(0);
    expect(policy).toBeGreaterThan(command);
    expect(texts[2]).toMatch(/^\*Evidence\*/);
    expect(texts.findIndex((t) => t.startsWith('*Then, if that was not it*'))).toBeGreaterThan(2);
  });

  it('below the confidence threshold: "possible cause", the alternatives and the check that tells them apart come first', () => {
    const unsure: Diagnosis = {
      ...ecrPermissionDenied,
      findings: [
        { ...ecrPermissionDenied.findings[0]!, confidence: 0.55 },
        { ...catalogDiagnosis('ecr', 'auth_expired', 0.4).findings[0]! },
      ],
    };
    const message = render(unsure);
    expect(message.text).toMatch(/^<@U0ALICE> :large_yellow_circle: \*Push failed — possible cause:\*/);
    const second = message.blocks[1]!;
    expect(second.type === 'section' && second.text?.text).toMatch(/^\*Not sure which: the likely causes, and the check that tells them apart\*\n• role `gha-deployer` may not push .* \(55%\) — check: [^\n]*\n• the registry login for .* has expired \(40%\) — check: `aws/s);
    const third = message.blocks[2]!;
    expect(third.type === 'section' && third.text?.text).toMatch(/^\*Check this first\*/);
  });

  it('every diagnosis has Re-run, Resolved, Wrong cause? and Show full evidence, carrying only the opaque id', () => {
    for (const d of [ecrPermissionDenied, noFindings, hostile]) {
      const actions = render(d).blocks.find((b) => b.type === 'actions' && b.block_id === 'rd.answer');
      expect(actions?.type === 'actions' && actions.elements.map((e) => ('action_id' in e ? e.action_id : ''))).toEqual(['rd.rerun', 'rd.resolve', 'rd.wrong_cause', 'rd.evidence']);
      const values = JSON.stringify(actions).match(/"value":"[^"]*"/g) ?? [];
      for (const v of values) expect(v).toMatch(new RegExp(`^"value":"${ID}(:[a-z_]+)?"$`));
    }
    const menu = JSON.stringify(render(ecrPermissionDenied).blocks);
    expect(menu).not.toContain(`${ID}:permission_denied`); // the category it gave is not offered as "wrong"
    expect(menu).toContain(`"text":"Tag already exists and may not move"`);
  });

  it('fix buttons carry only the fix id, under the one action prefix', () => {
    const actions = render(acrFirewallWithProbes).blocks.filter((b) => b.type === 'actions' && b.block_id !== 'rd.answer');
    expect(actions).toEqual([
      {
        type: 'actions',
        block_id: 'rd.fixes',
        elements: [
          {
            type: 'button',
            action_id: 'rd.fix.0',
            value: 'fx_7Hc2kQ9',
            text: { type: 'plain_text', text: 'Allow 20.84.112.37 through the contosoprod firewall', emoji: true },
            // Every mutating button asks first, stating the exact change.
            confirm: {
              title: { type: 'plain_text', text: 'Change the registry?' },
              text: { type: 'plain_text', text: 'Add 20.84.112.37/32 to the IP rules of contosoprod (every existing rule kept).' },
              confirm: { type: 'plain_text', text: 'Apply' },
              deny: { type: 'plain_text', text: 'Cancel' },
              style: 'danger',
            },
          },
        ],
      },
    ]);
    expect([actionKind('rd.fix.0'), actionKind('rd.rerun'), actionKind('rd.'), actionKind('fix')]).toEqual(['fix', 'rerun', undefined, undefined]);
  });

  it('keeps a slot for the probes section', () => {
    const probes = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '*Probes* pushed a blob: refused' } }];
    const texts = JSON.stringify(render(acrFirewallWithProbes, { probes }).blocks);
    expect(texts).toContain('*Probes* pushed a blob: refused');
    expect(JSON.stringify(render(acrFirewallWithProbes).blocks)).toContain('acr.network-rules failed (212 ms)');
  });

  it('says plainly when there is no registry failure, never as a success', () => {
    const message = render(noFindings);
    expect(message.text).toMatch(/^<@U0ALICE> :grey_question: \*Push failure not recognised:\*/);
    expect(allTexts(message).join('\n')).toContain('Read 14 lines');
  });

  it.each(PROVIDERS)('%s: names the registry as people know it, not by the provider id', (provider) => {
    const texts = allTexts(render(catalogDiagnosis(provider, 'permission_denied', 0.9)));
    expect(texts).toContain(`*Registry:* ${CATALOG_REGISTRY_NAMES[provider]}`);
    expect(texts.join('\n')).not.toContain('*Provider:*');
  });

  it('names a registry of no known provider by the host the log shows, or says nothing identified it', () => {
    expect(allTexts(render({ ...noFindings, facts: { host: 'registry.example.com:5000' } }))).toContain('*Registry:* registry.example.com:5000');
    expect(allTexts(render(noFindings))).toContain('*Registry:* Unidentified registry');
  });

  it('honours maxFindings', () => {
    const many: Diagnosis = {
      ...ecrPermissionDenied,
      findings: Array.from({ length: 8 }, (_, i) => ({ ...ecrPermissionDenied.findings[0]!, category: CATEGORIES[i]!, title: `cause ${i}` })),
    };
    const texts = allTexts(render(many, { maxFindings: 3 })).join('\n');
    expect(texts).toContain('Registry login expired');
    expect(texts).toContain('Not allowed to push there');
    expect(texts).not.toContain('Repository does not exist:');
    expect(texts).toContain('and 5 more');
  });

  it('the plain-text fallback carries the same answer and the first command', () => {
    const plain = renderPlainAnswer(ecrPermissionDenied, { user: 'U0ALICE' });
    expect(plain.startsWith(render(ecrPermissionDenied).text)).toBe(true);
    expect(plain).toContain('```\naws iam put-role-policy');
    expect(mrkdwnProblems(plain)).toEqual([]);
  });
});

describe('renderDiagnosisBlocks: hostile log text renders harmlessly', () => {
  const message = render(hostile);
  // Our own mention of the person who asked is the one mention allowed.
  const texts = allTexts(message).map((t) => t.replaceAll('<@U0ALICE>', ''));

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
  it('keeps a 100-finding, 1 MB-evidence diagnosis within every Slack limit, with a pointer to the rest', () => {
    const message = render(huge(), { maxFindings: 100 });
    expect(slackProblems(message)).toEqual([]);
    expect(message.blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: MORE_POINTER }] });
    // The essentials survive truncation: the answer, the first step, the buttons, the context.
    const types = message.blocks.map((b) => b.type);
    expect(types[0]).toBe('section');
    expect(types).toContain('actions');
    expect(types).toContain('context');
  });

  it('the largest log of the corpora, and every one of them, renders within budget', () => {
    const corpora = ['../fixtures/corpus/dev.jsonl', '../fixtures/logs/public.jsonl', '../fixtures/logs/cases.jsonl'];
    const logs = corpora.flatMap((f) =>
      readFileSync(new URL(f, import.meta.url), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { log: string; image?: string | null }))
        .map((c) => ({ log: c.log, ...(c.image ? { image: c.image } : {}) })),
    );
    const examples = new URL('../../examples/', import.meta.url);
    logs.push(...readdirSync(examples).filter((f) => f.endsWith('.log')).map((f) => ({ log: readFileSync(new URL(f, examples), 'utf8') })));
    const largest = logs.reduce((a, b) => (b.log.length > a.log.length ? b : a));
    expect(largest.log.length).toBeGreaterThan(2000);
    const big = render(diagnose(largest));
    expect(slackProblems(big)).toEqual([]);
    expect(blocksJsonLength(big.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.blocksJson);
    for (const request of logs) expect(slackProblems(render(diagnose(request))), request.log.slice(0, 80)).toEqual([]);
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
      fixes: fc.array(fc.record({ id: fc.string({ maxLength: 40 }), title: text, change: text }), { maxLength: 8 }),
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
        expect(slackProblems(renderDiagnosisBlocks(d, { maxFindings, answerId: ID, user: 'U0ALICE' }))).toEqual([]);
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
