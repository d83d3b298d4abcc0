// One CI log line as a person reads it: no colours, no CI timestamps, no BuildKit step prefix, no
// carriage-return progress redraws.

/** CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks) and two-byte escapes. */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Prefixes CI systems and tools put before what the program printed, removed in this order. */
const PREFIXES: readonly RegExp[] = [
  // GitHub Actions, Azure Pipelines, GitLab (ISO timestamp), then GitLab's stream marker `00O ` / `01E+`.
  /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\s?(?:\d\d[OE]\+?\s?)?/,
  // BuildKit plain progress: `#12 ` and `#12 0.345 `.
  /^#\d+\s(?:\d+\.\d+\s)?/,
];

/** `\u0027` and friends: the printable ASCII a JSON encoder escapes (quotes, `<`, `>`, `&`). */
const JSON_ESCAPE = /\\u00(2[2-7]|3[cCeE])/g;

/** Longest line kept: minified JSON or base64 on one line must not cost more than this. */
const MAX_LINE_LENGTH = 2_000;

export function normalizeLine(raw: string): string {
  let line = raw.length > MAX_LINE_LENGTH * 2 ? raw.slice(0, MAX_LINE_LENGTH * 2) : raw;
  if (line.includes('\x1b')) line = line.replace(ANSI, '');
  if (line.includes('\r')) {
    // A terminal shows only what was drawn after the last carriage return.
    const segments = line.split('\r').filter((segment) => segment.trim() !== '');
    line = segments[segments.length - 1] ?? '';
  }
  for (const prefix of PREFIXES) line = line.replace(prefix, '');
  // Registry error bodies are JSON, and some clients print them with quotes and brackets escaped.
  if (line.includes('\\u00')) line = line.replace(JSON_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  line = line.trim();
  return line.length > MAX_LINE_LENGTH ? line.slice(0, MAX_LINE_LENGTH) : line;
}
