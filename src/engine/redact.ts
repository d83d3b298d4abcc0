// STUB — replaced by the providers/redaction helper.
export function redact(text: string): string {
  return text;
}
