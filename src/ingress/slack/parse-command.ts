// `/registry <subcommand> …` → what to do. Pure: no Slack, no Redis.
import { parseImageRef, readImageRef } from '../../engine/image-ref.js';
import { redactAndCut } from '../../engine/cut-log.js';
import { redact } from '../../engine/redact.js';
import { MAX_JOB_IMAGE_CHARS, MAX_JOB_LOG_CHARS } from '../../queue/jobs.js';

export const DEFAULT_AUDIT_COUNT = 10;
export const MAX_AUDIT_COUNT = 50;

export type ParsedCommand =
  | { kind: 'diagnose'; log: string; image?: string; private?: true }
  | { kind: 'diagnose-modal'; private?: true }
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'check'; image: string }
  | { kind: 'check-usage'; given?: string }
  /** The last `count` fix attempts (fixers only). */
  | { kind: 'audit'; count: number }
  | { kind: 'mute'; fingerprint: string; duration: '1h' | '24h' | 'resolved' }
  | { kind: 'unmute'; fingerprint: string }
  | { kind: 'mute-usage'; unmute: boolean }
  | { kind: 'usage'; unknown?: string };

/** Metrics label for a parsed command. */
export function subcommandLabel(parsed: ParsedCommand): string {
  if (parsed.kind === 'mute-usage') return parsed.unmute ? 'unmute' : 'mute';
  return parsed.kind === 'diagnose-modal' ? 'diagnose_modal' : parsed.kind === 'check-usage' ? 'check' : parsed.kind;
}

/** A token that reads like an image reference (has a host or path and parses as one). */
export function asImageRef(token: string): string | undefined {
  if (token.length > 500 || !/[./]/.test(token) || /^[a-z]+:\/\//i.test(token)) return undefined;
  const parsed = parseImageRef(token);
  return parsed.ok ? parsed.ref.reference : undefined;
}

/**
 * Split `diagnose` text into an image reference and a log: a lone token that parses as an image reference is
 * the image; a leading one followed by more text is the image and the rest the log; anything else is the log.
 * Everything returned is redacted and the log bounded.
 */
export function parseDiagnoseText(text: string): { log: string; image?: string } {
  const trimmed = text.trim();
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  let image: string | undefined;
  let log = trimmed;
  if (match?.[1]) {
    const candidate = asImageRef(match[1]);
    if (candidate !== undefined) {
      image = candidate;
      log = match[2] ?? '';
    }
  }
  // Over the limit, the part around the failure (near the end, where push errors are) is kept, not the head.
  log = redactAndCut(log, MAX_JOB_LOG_CHARS);
  return image !== undefined ? { log, image: redact(image) } : { log };
}

/**
 * The form's image field, read as the CLI reads `--image`: masked parts (`***`, `<account>`, `$AWS_ACCOUNT_ID`)
 * are unknown, not wrong, and a reference Docker would refuse (upper case, an empty tag) is itself a finding of
 * the diagnosis, so neither blocks it. Only a value too long for the job is refused. `raw` is redacted.
 */
export function readFormImage(raw: string): { image?: string; error?: string } {
  const text = raw.trim();
  if (text === '') return {};
  if (text.length > MAX_JOB_IMAGE_CHARS) return { error: `Too long for an image reference (${text.length} characters; at most ${MAX_JOB_IMAGE_CHARS}).` };
  // Read in full, it is passed on in its normal form; one Docker would refuse goes on as pasted, so the
  // diagnosis can quote it and say why.
  const reading = readImageRef(text);
  return { image: reading.ref && !reading.invalid ? reading.ref.reference : text };
}

/**
 * Slack sends a slash command's text with `&`, `<` and `>` escaped as entities: undo that once, so the log is
 * read as it was pasted (the renderers escape again, once, on the way out).
 */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function parseCommand(text: string): ParsedCommand {
  const trimmed = text.trim();
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!match?.[1]) return { kind: 'usage' };
  const sub = match[1].toLowerCase();
  const rest = match[2]?.trim() ?? '';
  switch (sub) {
    case 'diagnose': {
      // `--private` (first word after diagnose): answer only the person who asked, in a direct message.
      const flag = /^--private(?:\s+|$)/i.exec(rest);
      const text = flag ? rest.slice(flag[0].length) : rest;
      const only = flag ? { private: true as const } : {};
      return text === '' ? { kind: 'diagnose-modal', ...only } : { kind: 'diagnose', ...parseDiagnoseText(text), ...only };
    }
    case 'help':
      return { kind: 'help' };
    case 'status':
      return { kind: 'status' };
    case 'check': {
      const image = /^\S+$/.test(rest) ? asImageRef(rest) : undefined;
      return image !== undefined ? { kind: 'check', image: redact(image) } : { kind: 'check-usage', ...(rest ? { given: redact(rest.split(/\s/)[0]!) } : {}) };
    }
    case 'audit': {
      if (rest === '') return { kind: 'audit', count: DEFAULT_AUDIT_COUNT };
      const count = /^\d{1,3}$/.test(rest) ? Number(rest) : NaN;
      return count >= 1 && count <= MAX_AUDIT_COUNT ? { kind: 'audit', count } : { kind: 'usage', unknown: `audit ${redact(rest).slice(0, 20)}` };
    }
    case 'mute':
    case 'unmute': {
      // `mute <fingerprint> [1h|24h|resolved]` (1 h when not said); the fingerprint is shown on every alert.
      const [fingerprint = '', duration = '1h', extra] = rest.toLowerCase().split(/\s+/);
      const durations = { '1h': '1h', '24h': '24h', '1d': '24h', resolved: 'resolved', 'until-resolved': 'resolved' } as const;
      const d = durations[duration as keyof typeof durations];
      if (!/^[0-9a-f]{20}$/.test(fingerprint) || extra !== undefined || (sub === 'unmute' && rest.split(/\s+/).length > 1) || d === undefined) {
        return { kind: 'mute-usage', unmute: sub === 'unmute' };
      }
      return sub === 'mute' ? { kind: 'mute', fingerprint, duration: d } : { kind: 'unmute', fingerprint };
    }
    default:
      // Only the (redacted) first word is echoed back.
      return { kind: 'usage', unknown: redact(match[1]) };
  }
}
