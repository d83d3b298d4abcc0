// Fuzzing the pure boundaries with fast-check: whatever arrives — random bytes, huge lines, deep nesting, NUL,
// ANSI, right-to-left text — the engine, the image-reference parser, the command parser, the config parser and
// the Block Kit renderer return (or refuse with their own error type) and never let a mention or link through.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/load-config.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { redact } from '../../src/engine/redact.js';
import { parseCommand } from '../../src/ingress/slack/parse-command.js';
import { renderDiagnosisBlocks } from '../../src/render/slack/blocks.js';

const runs = new Map<string, number>();
const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1);
afterAll(() => {
  const total = [...runs.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`fuzz (pure boundaries): ${total} cases — ${[...runs].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
});

// Pieces that make hostile text: Slack control sequences, ANSI, bidi overrides, NUL, CR redraws, registry wording.
const hostilePiece = fc.constantFrom(
  '<!channel>', '<!here>', '<!everyone>', '<https://evil.example/phish|click>', '<@U0BOSS>', '<#C0SECRET>', '&lt;!channel&gt;',
  '\u001b[31m', '\u001b[0m', '\u202e', '\u200f', '\u0000', '\r', '\r\n', '\t', '\ufffd', '💥',
  'denied: requested access to the resource is denied', 'unauthorized: authentication required', 'name unknown',
  'toomanyrequests', '{"errors":[{"code":"DENIED","message":"x"}]}', 'client with IP 1.2.3.4 is not allowed access',
  '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1', 'myreg.azurecr.io/x', 'us-docker.pkg.dev/p/r/i', ' ',
  'AKIAIOSFODNN7EXAMPLE', 'docker login -p hunter2hunter2 registry.example',
);
const hostileText = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength, unit: 'binary' }),
    fc.array(fc.oneof(hostilePiece, fc.string({ maxLength: 40, unit: 'grapheme' })), { maxLength: Math.max(1, Math.floor(maxLength / 20)) }).map((parts) => parts.join('')),
    fc.uint8Array({ maxLength }).map((bytes) => new TextDecoder().decode(bytes)),
  );
const nested = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.constant(null), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 4 })),
})).node;

const FORBIDDEN = ['<!channel>', '<!here>', '<!everyone>', '<https://evil.example', '<#C0SECRET>'];

describe('fuzz: pure boundaries', () => {
  it('the engine diagnoses any text, and its Block Kit carries no mention or link from the input', () => {
    fc.assert(
      fc.property(hostileText(4000), fc.option(hostileText(200), { nil: undefined }), (log, image) => {
        count('diagnose');
        const d = diagnose({ log, ...(image !== undefined ? { image } : {}) });
        expect(Array.isArray(d.findings)).toBe(true);
        const rendered = JSON.stringify(renderDiagnosisBlocks(d));
        for (const forbidden of FORBIDDEN) expect(rendered).not.toContain(forbidden);
      }),
      { numRuns: 400 },
    );
  });

  it('huge single lines, many short lines and deep JSON in a log finish and stay bounded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 1, max: 5000 }), (lineLength, lines, depth) => {
        count('huge logs');
        const log = `${'x'.repeat(lineLength)}\n${'denied: requested access to the resource is denied\n'.repeat(Math.min(lines, 2000))}${'['.repeat(depth)}${']'.repeat(depth)}`;
        const d = diagnose({ log });
        expect(d.input.logExcerpt.length).toBeLessThan(20_000);
      }),
      { numRuns: 20 },
    );
  });

  it('image references: any string parses or is refused, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(300), fc.webUrl(), fc.domain().map((d) => `${d}/a/b:${'t'.repeat(200)}`)), (text) => {
        count('image refs');
        const result = parseImageRef(text);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('slash-command text: any text gives a command or a usage answer', () => {
    fc.assert(
      fc.property(hostileText(3000), (text) => {
        count('command text');
        expect(parseCommand(text)).toHaveProperty('kind');
      }),
      { numRuns: 1000 },
    );
  });

  it('config YAML: any text or structure is a config or a ConfigError naming what is wrong', () => {
    const yamlish = fc.oneof(
      hostileText(500),
      nested.map((value) => JSON.stringify(value)),
      fc.constant('a: &a [*a, *a]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]'),
      fc.constantFrom('registries: *no-such-anchor', 'registries: 3', 'registries:\n  - name: X\n    provider: nope', 'routing: [{channel: "#general"}]', '- a\n- b', '!!js/function "x"'),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        count('config yaml');
        try {
          expect(parseConfigText(text)).toHaveProperty('registries');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('redaction is idempotent and never lets a secret through, wherever it stands among other text', () => {
    // Secrets stand apart from their neighbours in real output (a space, a quote, `=`, a line break).
    const separated = fc
      .array(fc.tuple(fc.oneof(hostilePiece, fc.string({ maxLength: 40, unit: 'grapheme' })), fc.constantFrom(' ', '\n', '"', '=', ': ', '\t', "'")), { maxLength: 60 })
      .map((parts) => parts.flat().join(''));
    fc.assert(
      fc.property(separated, (text) => {
        count('redact');
        const once = redact(text);
        expect(redact(once)).toBe(once);
        expect(once).not.toContain('hunter2hunter2');
        expect(once).not.toContain('AKIAIOSFODNN7EXAMPLE');
      }),
      { numRuns: 500 },
    );
  });
});
