// STUB — replaced by the providers/redaction helper.
import type { ImageRef } from './diagnosis.js';

export type ImageRefResult = { ok: true; ref: ImageRef } | { ok: false; error: string };

export function parseImageRef(input: string): ImageRefResult {
  return { ok: false, error: `not implemented: ${input}` };
}
