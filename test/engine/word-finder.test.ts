// The scanner's prefilter finds the same lines a case-insensitive regular expression of its words finds.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANDIDATE_WORDS } from '../../src/engine/log-scanner.js';
import { wordFinder } from '../../src/engine/word-finder.js';

/** The words as a regular expression's alternation, each matched literally. */
const alternation = (words: readonly string[]) => words.map((word) => word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');

/** Where the first word ends at or after `from`, by brute force, each place compared by a regular expression ignoring case. */
function byRegExp(words: readonly string[], text: string, from: number): number {
  const whole = new RegExp(`^(?:${alternation(words)})$`, 'i');
  for (let end = from; end < text.length; end += 1) {
    for (const word of words) {
      const start = end - word.length + 1;
      if (start >= from && whole.test(text.slice(start, end + 1))) return end;
    }
  }
  return -1;
}

describe('wordFinder', () => {
  it('finds the first word ignoring case, where a word ends, also one inside another or overlapping it', () => {
    const finder = wordFinder(['denied', 'nied: re', 'x509', '##[', 'error']);
    expect(finder.find('access DENIED', 0)).toBe(12);
    expect(finder.find('tls: X509: certificate', 0)).toBe(8);
    expect(finder.find('  ##[error]', 0)).toBe(4);
    expect(finder.find('was denied: requested', 11)).toBe(-1);
    expect(finder.find('no word here', 0)).toBe(-1);
  });

  it('reads a character outside ASCII, or NUL, as part of no word', () => {
    const finder = wordFinder(['denied']);
    expect(finder.find('deni\u0000ed', 0)).toBe(-1);
    expect(finder.find('deni\u00e9d denied', 0)).toBe(12);
    expect(finder.find('\u212aeep denied', 0)).toBe(10);
  });

  it('refuses a word that is empty or not ASCII', () => {
    expect(() => wordFinder([''])).toThrow(/non-empty ASCII/);
    expect(() => wordFinder(['refusé'])).toThrow(/non-empty ASCII/);
  });

  it('agrees with a regular expression ignoring case on random texts', () => {
    const letters = fc.constantFrom(...'aAbBdDeEiInN:/ #[\u0000\u00e9\u0130\n');
    const word = fc.string({ unit: fc.constantFrom(...'abdein:/ #['), minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 8 }), fc.string({ unit: letters, maxLength: 60 }), fc.nat(60), (words, text, from) => {
        expect(wordFinder(words).find(text, from)).toBe(byRegExp(words, text, from));
      }),
      { numRuns: 5000 },
    );
  });

  it("finds, in every labelled log, the same candidate lines as the scanner's former regular expression", () => {
    const finder = wordFinder(CANDIDATE_WORDS);
    const pattern = new RegExp(alternation(CANDIDATE_WORDS), 'i');
    for (const file of ['wild', 'fresh', 'blind3', 'blind4', 'public', 'cases']) {
      for (const line of readFileSync(new URL(`../fixtures/logs/${file}.jsonl`, import.meta.url), 'utf8').split('\n').filter(Boolean)) {
        for (const logLine of (JSON.parse(line) as { log: string }).log.split('\n')) {
          expect(finder.find(logLine, 0) !== -1, logLine).toBe(pattern.test(logLine));
        }
      }
    }
  });
});
