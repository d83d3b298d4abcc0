import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, REDACTION_PATTERNS, redact, redactDeep } from '../../src/engine/redact.js';
import { corpusFiles, leakedFragment, readWholeCorpus } from '../helpers/secret-corpus.js';

const files = corpusFiles();
const corpus = readWholeCorpus();

describe('redaction corpus', () => {
  it('has a file per secret kind and cases in each', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) expect(corpus.filter((c) => c.file === file).length, file).toBeGreaterThan(0);
  });

  it.each(corpus.map((c) => [`${c.file}:${c.line}`, c] as const))('%s', (_name, c) => {
    const out = redact(c.input);
    for (const secret of c.secrets) expect(leakedFragment(out, secret, c.input), `part of a secret still visible: ${secret}`).toBeUndefined();
    for (const evidence of c.evidence) expect(out, `evidence lost: ${evidence}`).toContain(evidence);
    if (c.secrets.length > 0) expect(out).toContain(REDACTED);
    else expect(out).toBe(c.input);
    // Redacting twice changes nothing more.
    expect(redact(out)).toBe(out);
  });
});

describe('the leak check', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  it('catches a redactor that keeps any 8 characters of a secret, not only the whole secret', () => {
    expect(leakedFragment(`key=[REDACTED]${secret.slice(4)}`, secret)).toBe(secret.slice(4, 12));
    expect(leakedFragment(`key=${secret.slice(0, 8)}[REDACTED]`, secret)).toBe(secret.slice(0, 8));
    expect(leakedFragment('key=[REDACTED]', secret)).toBeUndefined();
  });

  it('does not count text that also stands outside the secret', () => {
    expect(leakedFragment('host harbor.example.com, password [REDACTED]', 'harbor.example.com-pw', 'host harbor.example.com, password harbor.example.com-pw')).toBeUndefined();
  });
});

describe('redact', () => {
  it('keeps the key name and replaces only the value', () => {
    expect(redact('aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe('aws_secret_access_key=[REDACTED]');
    expect(redact('"token": "abc123def456"')).toBe('"token": "[REDACTED]"');
    expect(redact('https://user:pass@host/x')).toBe('https://user:[REDACTED]@host/x');
  });

  it('leaves text without secrets untouched', () => {
    const text = 'error parsing HTTP 403 response body: unexpected end of JSON input: ""\nretrying in 5 seconds';
    expect(redact(text)).toBe(text);
    expect(redact('')).toBe('');
  });

  it('keeps digests, hex ids, ARNs and IPs whatever surrounds them', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-f0-9]{64}$/),
        fc.stringMatching(/^[0-9]{12}$/),
        fc.ipV4(),
        fc.constantFrom('pushed', 'digest:', 'denied:', 'from', 'to', 'resource:'),
        (hex, account, ip, word) => {
          const line = `${word} sha256:${hex} ${hex.slice(0, 12)} arn:aws:ecr:eu-west-1:${account}:repository/app ${ip}`;
          expect(redact(line)).toBe(line);
        },
      ),
    );
  });

  it('lists its patterns as data, each global and documented', () => {
    expect(REDACTION_PATTERNS.length).toBeGreaterThan(15);
    for (const rule of REDACTION_PATTERNS) {
      expect(rule.pattern.global, rule.id).toBe(true);
      expect(rule.description.length, rule.id).toBeGreaterThan(5);
    }
    expect(new Set(REDACTION_PATTERNS.map((r) => r.id)).size).toBe(REDACTION_PATTERNS.length);
  });

  it('gives the same answer on repeated calls (no regex state leaks between calls)', () => {
    const line = 'docker login -u AWS -p abcdefSECRET123 host; AKIAIOSFODNN7EXAMPLE';
    const first = redact(line);
    expect(redact(line)).toBe(first);
    expect(redact(line)).toBe(first);
  });
});

describe('redact on hostile input', () => {
  // Inputs that make a careless pattern quadratic. No timing is asserted: a quadratic pattern takes
  // minutes on these and trips the test timeout; the linear ones take milliseconds.
  it.each([
    ['a long secret-ish word', 'token'.repeat(40_000)],
    ['the same, quoted, as a YAML key, as a flag', `"${'token'.repeat(20_000)}" ${'token'.repeat(20_000)}: x --${'token'.repeat(20_000)}=x`],
    ['many login words on one line', 'docker login '.repeat(20_000)],
    ['many echo pipes', 'echo x | '.repeat(20_000)],
    ['PEM headers without an end', '-----BEGIN PRIVATE KEY-----\n'.repeat(10_000)],
    ['URL userinfo without an @', 'https://a:'.repeat(20_000)],
    ['curl -u and creds flags before many unquoted words', `curl -u a:${'word '.repeat(20_000)} --dest-creds u:${'word '.repeat(20_000)}`],
    ['escaped quotes without an end', '\\"password\\":\\"'.repeat(20_000)],
  ])('%s', (_name, input) => {
    expect(typeof redact(input)).toBe('string');
  });
});

describe('redactDeep', () => {
  it('redacts strings inside objects and arrays and whole values under secret-ish keys', () => {
    const input = {
      log: ['docker login -p hunter2hunter2 registry.example.com', 'ok'],
      password: 'plainword',
      client_secret: 12345,
      token_type: 'Bearer',
      nested: { accessToken: 'abc', image: 'ghcr.io/acme/app:1.0', count: 3, flag: true, none: null },
    };
    const out = redactDeep(input);
    expect(out).toEqual({
      log: ['docker login -p [REDACTED] registry.example.com', 'ok'],
      password: '[REDACTED]',
      client_secret: '[REDACTED]',
      token_type: 'Bearer',
      nested: { accessToken: '[REDACTED]', image: 'ghcr.io/acme/app:1.0', count: 3, flag: true, none: null },
    });
    expect(input.password).toBe('plainword'); // a copy, not in place
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { secret: 'x1y2z3' };
    a.self = a;
    const out = redactDeep(a) as Record<string, unknown>;
    expect(out.secret).toBe(REDACTED);
    expect(out.self).toBe(out);
  });
});

describe('redact across lines', () => {
  it('never takes the next line for a value', () => {
    const text = 'Authorization:\nnext-line-evidence\ntoken =\n  sha256-evidence-word\n"password":\n"kept"';
    expect(redact(text)).toBe(text);
  });
});
