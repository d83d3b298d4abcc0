// The redaction corpus (test/fixtures/secrets/, format in its README) and the leak check every secret test uses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CORPUS = fileURLToPath(new URL('../fixtures/secrets/', import.meta.url));

export interface CorpusCase {
  file: string;
  line: number;
  input: string;
  secrets: string[];
  evidence: string[];
}

export const corpusFiles = (): string[] => readdirSync(CORPUS).filter((f) => f.endsWith('.txt'));

export function readCorpus(file: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  let current: CorpusCase | undefined;
  const lines = readFileSync(join(CORPUS, file), 'utf8').split('\n');
  lines.forEach((raw, index) => {
    if (raw.trim() === '') {
      current = undefined;
      return;
    }
    const kind = raw.charAt(0);
    const text = raw.slice(2);
    if (kind === '#') return;
    if (!current) {
      current = { file, line: index + 1, input: '', secrets: [], evidence: [] };
      cases.push(current);
    }
    if (kind === '>') current.input = current.input === '' ? text : `${current.input}\n${text}`;
    else if (kind === '-') current.secrets.push(text);
    else if (kind === '+') current.evidence.push(text);
    else throw new Error(`${file}:${index + 1}: unknown line kind ${JSON.stringify(kind)}`);
  });
  return cases;
}

export const readWholeCorpus = (): CorpusCase[] => corpusFiles().flatMap(readCorpus);

/** Shortest piece of a secret that counts as a leak: long enough not to occur by chance in ordinary text. */
export const LEAK_FRAGMENT = 8;

/**
 * The first piece of `secret` (8 characters or more) still visible in `out`, unless that piece also occurs in
 * `context` outside the secret (a host name next to it, say). A redactor that keeps any part of a secret fails.
 */
export function leakedFragment(out: string, secret: string, context = ''): string | undefined {
  const around = context.split(secret).join('\u0000');
  if (secret.length < LEAK_FRAGMENT) return out.includes(secret) && !around.includes(secret) ? secret : undefined;
  for (let i = 0; i + LEAK_FRAGMENT <= secret.length; i += 1) {
    const piece = secret.slice(i, i + LEAK_FRAGMENT);
    if (out.includes(piece) && !around.includes(piece)) return piece;
  }
  return undefined;
}

/**
 * Every place in a (large) text where a piece of 8+ characters of a corpus secret shows, in one pass over the
 * text; pieces that `around` (the corpus outside its secrets) also holds are not leaks.
 */
export function findLeaks(text: string, cases: readonly CorpusCase[], around: string): string[] {
  const owner = new Map<string, CorpusCase>();
  for (const c of cases) {
    for (const secret of c.secrets) {
      if (secret.length < LEAK_FRAGMENT) continue;
      for (let i = 0; i + LEAK_FRAGMENT <= secret.length; i += 1) {
        const piece = secret.slice(i, i + LEAK_FRAGMENT);
        if (!around.includes(piece)) owner.set(piece, c);
      }
    }
  }
  const leaks: string[] = [];
  for (let i = 0; i + LEAK_FRAGMENT <= text.length; i += 1) {
    const c = owner.get(text.slice(i, i + LEAK_FRAGMENT));
    if (c) {
      leaks.push(`${c.file}:${c.line}: …${text.slice(Math.max(0, i - 60), i + 30)}…`);
      i += LEAK_FRAGMENT;
    }
  }
  return leaks;
}

/** Leaks of any corpus secret in each named place (`slack`, `logs`, `redis`, …), as `place: where`. */
export function leaksByPlace(places: Record<string, string>, cases: readonly CorpusCase[]): string[] {
  // A fragment that the corpus also has outside any secret (a host name, a key name) is not a leak.
  const around = cases.map((c) => c.secrets.reduce((text, s) => text.split(s).join('\u0000'), c.input)).join('\n');
  return Object.entries(places).flatMap(([place, text]) => findLeaks(text, cases, around).map((leak) => `${place}: ${leak}`));
}
