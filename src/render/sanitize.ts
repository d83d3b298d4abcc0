// Text that came from a log (or from a registry) is stripped of anything that could drive a terminal
// or hide what it says before a renderer prints it.

// ANSI / VT sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ST`), DCS/SOS/PM/APC strings, and
// two-character escapes. Removed whole, so no half sequence is left behind.
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][\s\S]*?(?:\x07|\x1b\\|$)|\x9b[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]?/g;

// C0 controls except TAB and LF, DEL, C1 controls, and Unicode bidi overrides/isolates ("trojan source").
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** Remove escape sequences and control characters; keep TAB and LF. A CR (as in CRLF) is dropped. */
export function stripControlChars(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** As `stripControlChars`, and fold every line break and tab into one space: for one-line fields. */
export function oneLine(text: string): string {
  return stripControlChars(text).replace(/[\t\n]+/g, ' ').trim();
}
