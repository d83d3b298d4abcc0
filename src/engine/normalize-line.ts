// One CI log line as a person reads it: no colours, no CI timestamps, no BuildKit step prefix, no
// carriage-return progress redraws.

/** CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks) and two-byte escapes. */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/**
 * Prefixes CI systems and tools put before what the program printed, each written `^…`. They are
 * stripped while one matches (a Tekton step name before a BuildKit step number, a gutter before a
 * timestamp).
 */
const PREFIXES: readonly RegExp[] = [
  // GitHub Actions, Azure Pipelines, GitLab (ISO timestamp), then GitLab's stream marker `00O ` / `01E+`.
  /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\s?(?:\d\d[OE]\+?\s?)?/,
  // BuildKit plain progress: `#12 ` and `#12 0.345 `.
  /^#\d+\s(?:\d+\.\d+\s)?/,
  // AWS CodeBuild: the console's line-number gutter `244 | `, then `[Container] 2024/01/02 03:04:05.678 `.
  /^\d{1,7}\s?\|\s?/,
  /^\[Container\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)?\s/,
  // Jenkins: the timestamper's `[2024-01-02T03:04:05.678Z] ` and the plain `03:04:05 ` / `[03:04:05] `.
  /^\[\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?Z?\]\s?/,
  /^\[?\d\d:\d\d:\d\d(?:\.\d+)?\]?\s/,
  // Go's log package `2024/01/02 03:04:05 ` (crane, ko, kaniko's go-containerregistry lines).
  /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)?\s/,
  // klog: `E0102 03:04:05.678901   12345 file.go:123] `.
  /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [\w.-]+:\d+\]\s/,
  // Tekton (`tkn logs`): `[build-and-push] ` or `[task : step] `; Argo (`argo logs`): `<pod-name>: `.
  /^\[[a-z0-9][\w-]*(?: : [\w-]+)?\]\s/,
  /^[a-z0-9][a-z0-9.-]*-\d{6,}(?:-\d+)?:\s/,
];
const MAX_PREFIX_PASSES = 4;
/** All of them as one alternation, so a line costs one match per prefix it has. */
const ANY_PREFIX = new RegExp(`^(?:${PREFIXES.map((prefix) => prefix.source.slice(1)).join('|')})`);

/** `\u0027` and friends: the printable ASCII a JSON encoder escapes (quotes, `<`, `>`, `&`). */
const JSON_ESCAPE = /\\u00(2[2-7]|3[cCeE])/g;

/** A quote escaped once or more (`\"`, `\\\"`). */
const ESCAPED_QUOTE = /\\+"/g;

const SMART_QUOTE = /[\u2018\u2019\u201c\u201d]/;
const SMART_SINGLE = /[\u2018\u2019]/g;
const SMART_DOUBLE = /[\u201c\u201d]/g;

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
  line = stripPrefixes(line.trimStart());
  // Registry error bodies are JSON, and tools print them inside their own messages or log fields with
  // quotes escaped (`\"code\":\"DENIED\"`, `\\\"`, `\u0022`): read them as the registry wrote them.
  if (line.includes('\\u00')) line = line.replace(JSON_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  if (line.includes('\\"')) line = line.replace(ESCAPED_QUOTE, '"');
  // Logs pasted through a web page or a chat come back with typographic quotes.
  if (SMART_QUOTE.test(line)) line = line.replace(SMART_SINGLE, "'").replace(SMART_DOUBLE, '"');
  line = line.trim();
  return line.length > MAX_LINE_LENGTH ? line.slice(0, MAX_LINE_LENGTH) : line;
}

function stripPrefixes(text: string): string {
  let line = text;
  for (let pass = 0; pass < MAX_PREFIX_PASSES; pass += 1) {
    const prefix = ANY_PREFIX.exec(line);
    if (!prefix || prefix[0] === '') break;
    line = line.slice(prefix[0].length).trimStart();
  }
  return line;
}
