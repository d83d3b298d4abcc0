// Diagnosis → the Block Kit thread reply. Pure. Every string that a log, a registry or a user wrote goes
// through escapeCodeBlock (escapeMrkdwn, and no run of backticks); Slack limits kept by truncation, never by an API error.
import type { ActionsBlock, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { Diagnosis, DocLink, Finding, RemediationStep } from '../../engine/diagnosis.js';
import { oneLine, stripControlChars } from '../sanitize.js';
import { escapeCodeBlock, TRUNCATION_MARKER, truncate } from './mrkdwn.js';

export interface SlackMessage {
  /** Notification / fallback text (plain, escaped). */
  text: string;
  blocks: KnownBlock[];
}

export interface DiagnosisBlocksOptions {
  /** Findings shown, the top one included (the rest are counted). Default 5. */
  maxFindings?: number;
}

/** Slack's limits (Block Kit reference) that this renderer keeps. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  contextElementText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  /** Sum of every text in the message, fallback text included. */
  totalText: 40_000,
} as const;

/** Fix buttons under the top finding; each sits in its own actions block (action ids are unique per block). */
const MAX_FIX_BUTTONS = 5;
const MAX_EVIDENCE_ITEMS = 20;
const MAX_FALLBACK_TEXT = 300;
const DEFAULT_MAX_FINDINGS = 5;

/**
 * Hosts whose documentation the catalog links to. Only an https URL on one of these becomes a Slack
 * link; anything else is shown as escaped text, so a link's label can never disguise its target.
 */
export const DOC_HOSTS: readonly string[] = [
  'docs.aws.amazon.com',
  'repost.aws',
  'cloud.google.com',
  'learn.microsoft.com',
  'docs.microsoft.com',
  'docs.docker.com',
  'docs.github.com',
  'github.com',
  'goharbor.io',
  'distribution.github.io',
  'docs.quay.io',
  'docs.podman.io',
  'kubernetes.io',
  'nginx.org',
];

// ---------------------------------------------------------------------------------------------------
// Text helpers

/** Escape then cut, so that the escaped text (entities and all) fits `max`, marker included. */
function fitEscaped(raw: string, escape: (text: string) => string, max: number): string {
  const whole = escape(raw);
  if (whole.length <= max) return whole;
  let keep = Math.min(raw.length, Math.max(0, max - TRUNCATION_MARKER.length));
  for (;;) {
    // Never leave half a surrogate pair at the cut.
    const code = raw.charCodeAt(keep - 1);
    if (keep > 0 && code >= 0xd800 && code <= 0xdbff) keep -= 1;
    const cut = escape(raw.slice(0, keep)) + TRUNCATION_MARKER;
    if (cut.length <= max || keep === 0) return cut.length <= max ? cut : truncate(TRUNCATION_MARKER, max);
    keep = Math.max(0, keep - (cut.length - max));
  }
}

// Prose is escaped as for a code block too: a ``` in a log line must not open a code block in our text.
function mrkdwn(raw: string, max: number): string {
  return fitEscaped(stripControlChars(raw), escapeCodeBlock, max);
}

function line(raw: string, max: number): string {
  return fitEscaped(oneLine(raw), escapeCodeBlock, max);
}

/** A ``` block holding `raw`, the whole thing (fences included) at most `max` characters. */
function codeBlock(raw: string, max: number): string {
  const open = '```\n';
  const close = '\n```';
  const body = stripControlChars(raw).replace(/\s+$/, '');
  return open + fitEscaped(body.length > 0 ? body : ' ', escapeCodeBlock, max - open.length - close.length) + close;
}

function percent(confidence: number): string {
  const value = Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0;
  return `${Math.round(value * 100)}%`;
}

/** `<url|title>` for an https URL on a documentation host we link to; escaped plain text otherwise. */
export function docLink(doc: DocLink): string {
  const title = oneLine(doc.title) || oneLine(doc.url);
  let url: URL | undefined;
  try {
    url = new URL(doc.url.trim());
  } catch {
    url = undefined;
  }
  const safe =
    url !== undefined &&
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    DOC_HOSTS.includes(url.hostname.toLowerCase()) &&
    /^[!#-;=?-[\]_a-z~%]+$/i.test(url.href); // no spaces, quotes, <, >, |, backslash, backtick, braces
  if (!safe || url === undefined) {
    return `${escapeCodeBlock(truncate(title, 200))} (${escapeCodeBlock(truncate(oneLine(doc.url), 300))})`;
  }
  return `<${url.href.replace(/&/g, '&amp;')}|${escapeCodeBlock(truncate(title, 200))}>`;
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

function context(texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .filter((t) => t.length > 0)
      .slice(0, SLACK_LIMITS.contextElements)
      .map((t) => ({ type: 'mrkdwn' as const, text: truncate(t, SLACK_LIMITS.contextElementText) })),
  };
}

/** Sum of the text a block carries (what Slack counts against its message size). */
export function blockTextLength(block: KnownBlock): number {
  let n = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if ((key === 'text' || key === 'value') && typeof inner === 'string') n += inner.length;
        else visit(inner);
      }
    }
  };
  visit(block);
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Parts of the message

function evidenceBlock(finding: Finding): SectionBlock | undefined {
  if (finding.evidence.length === 0) return undefined;
  const items = finding.evidence.slice(0, MAX_EVIDENCE_ITEMS);
  const labels = items.map((e) => (e.source === 'probe' ? 'probe' : e.line !== undefined ? `L${e.line}` : 'log'));
  const width = Math.max(...labels.map((l) => l.length));
  let body = items.map((e, i) => `${labels[i]!.padStart(width)}  ${oneLine(e.text)}`).join('\n');
  if (finding.evidence.length > items.length) body += `\n… ${finding.evidence.length - items.length} more lines`;
  const heading = '*Evidence*\n';
  return section(heading + codeBlock(body, SLACK_LIMITS.sectionText - heading.length));
}

function stepText(step: RemediationStep, n: number, max: number): string {
  const text = `${n}. ${mrkdwn(step.text, Math.min(1000, max))}`;
  const command = step.command?.trim() ? step.command : undefined;
  if (!command) return truncate(text, max);
  const room = max - text.length - 1;
  if (room < 40) return truncate(text, max);
  return `${text}\n${codeBlock(command, room)}`;
}

/** Remediation steps packed into as few sections as fit, each at most the section limit. */
function remediationBlocks(finding: Finding): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let current = '*How to fix*';
  finding.remediation.forEach((step, i) => {
    const piece = stepText(step, i + 1, SLACK_LIMITS.sectionText);
    if (current.length + 1 + piece.length <= SLACK_LIMITS.sectionText) {
      current += `\n${piece}`;
    } else {
      blocks.push(section(current));
      current = piece;
    }
  });
  if (finding.remediation.length > 0) blocks.push(section(current));
  return blocks;
}

function docsBlock(finding: Finding): SectionBlock | undefined {
  if (finding.docs.length === 0) return undefined;
  let text = '*Documentation*';
  for (const doc of finding.docs) {
    const entry = `\n• ${docLink(doc)}`;
    if (text.length + entry.length > SLACK_LIMITS.sectionText - TRUNCATION_MARKER.length - 3) {
      text += `\n• ${TRUNCATION_MARKER}`;
      break;
    }
    text += entry;
  }
  return section(text);
}

function fixBlocks(finding: Finding): ActionsBlock[] {
  return finding.fixes
    .filter((fix) => fix.id.length > 0 && fix.id.length <= SLACK_LIMITS.buttonValue)
    .slice(0, MAX_FIX_BUTTONS)
    .map((fix) => ({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'fix',
          value: fix.id,
          text: { type: 'plain_text', text: line(fix.title, SLACK_LIMITS.buttonText) || 'Apply fix', emoji: true },
        },
      ],
    }));
}

function probeSummary(d: Diagnosis): string {
  if (d.probes.length === 0) return '*Probes:* no probes run';
  const icon = { ok: '✅', failed: '❌', error: '⚠️', timeout: '⏱️', skipped: '⏭️' } as const;
  const parts = d.probes.map((p) => {
    const detail = oneLine(p.detail);
    return `${icon[p.status] ?? ''} ${line(p.name, 80)} ${p.status} (${Math.round(p.durationMs)} ms)${detail ? ` — ${line(detail, 200)}` : ''}`;
  });
  let text = '*Probes:*';
  for (const part of parts) {
    const next = `${text}${text.endsWith(':*') ? ' ' : ' · '}${part}`;
    if (next.length > SLACK_LIMITS.contextElementText - TRUNCATION_MARKER.length - 3) return `${text} · ${TRUNCATION_MARKER}`;
    text = next;
  }
  return text;
}

function contextBlock(d: Diagnosis, top: Finding | undefined): ContextBlock {
  const image = d.image?.reference ?? d.input.image ?? d.facts.image;
  return context([
    `*Provider:* ${d.provider}`,
    image ? `*Image:* ${line(image, 500)}` : '',
    top ? `*Confidence:* ${percent(top.confidence)}` : '',
    probeSummary(d),
  ]);
}

function othersBlock(others: Finding[], hidden: number): SectionBlock | undefined {
  if (others.length === 0) return undefined;
  let text = '*Other possible causes*';
  for (const f of others) {
    const entry = `\n• \`${f.category}\` ${line(f.title, 300)} (${percent(f.confidence)})`;
    if (text.length + entry.length > SLACK_LIMITS.sectionText - 40) {
      text += `\n• ${TRUNCATION_MARKER}`;
      return section(text);
    }
    text += entry;
  }
  if (hidden > 0) text += `\n… and ${hidden} more`;
  return section(text);
}

// ---------------------------------------------------------------------------------------------------

/** The thread reply for a diagnosis: findings, evidence, remediation, docs, fix buttons, probe context. */
export function renderDiagnosisBlocks(d: Diagnosis, options: DiagnosisBlocksOptions = {}): SlackMessage {
  const maxFindings = Math.max(1, Math.floor(options.maxFindings ?? DEFAULT_MAX_FINDINGS));
  const [top, ...rest] = d.findings;

  if (!top) {
    const bytes = d.input.logBytes;
    const text = 'No registry failure found';
    const blocks: KnownBlock[] = [
      { type: 'header', text: { type: 'plain_text', text, emoji: true } },
      section(
        `*No registry failure found* in this log (read ${d.input.logLines} lines, ${bytes} bytes).\n` +
          'If the push still failed, the error may be outside the part of the log given: paste the full job ' +
          'log, or give the image reference so the registry can be probed.',
      ),
      contextBlock(d, undefined),
    ];
    return { text, blocks };
  }

  const title = oneLine(top.title);
  const fallback = line(`${top.category}: ${title}`, MAX_FALLBACK_TEXT);
  const header: KnownBlock = {
    type: 'header',
    text: { type: 'plain_text', text: line(`${top.category}: ${title}`, SLACK_LIMITS.headerText), emoji: true },
  };
  const explanation = stripControlChars(top.explanation).trim();
  const heading = '*What it means*\n';
  const meaning = explanation ? section(heading + mrkdwn(explanation, SLACK_LIMITS.sectionText - heading.length)) : undefined;
  const evidence = evidenceBlock(top);
  const fixes = fixBlocks(top);
  const ctx = contextBlock(d, top);

  // Essentials are bounded by construction (a few sections and a context block); the optional parts
  // (remediation, docs, other findings) take what is left of the block and text budgets.
  const head: KnownBlock[] = [header, ...(meaning ? [meaning] : []), ...(evidence ? [evidence] : [])];
  const tail: KnownBlock[] = [...fixes, ctx];
  const marker = context([`_${TRUNCATION_MARKER}_`]);
  const used = (blocks: KnownBlock[]) => blocks.reduce((n, b) => n + blockTextLength(b), 0);
  let blocksLeft = SLACK_LIMITS.blocks - head.length - tail.length - 1;
  let textLeft = SLACK_LIMITS.totalText - fallback.length - used(head) - used(tail) - blockTextLength(marker);

  const shown = rest.slice(0, maxFindings - 1);
  const optionalBefore: KnownBlock[] = [...remediationBlocks(top)];
  const docs = docsBlock(top);
  if (docs) optionalBefore.push(docs);
  const optionalAfter: KnownBlock[] = [];
  const others = othersBlock(shown, rest.length - shown.length);
  if (others) optionalAfter.push({ type: 'divider' }, others);

  let truncated = false;
  const take = (candidates: KnownBlock[]): KnownBlock[] => {
    const out: KnownBlock[] = [];
    for (const block of candidates) {
      const size = blockTextLength(block);
      if (truncated || blocksLeft < 1 || size > textLeft) {
        truncated = true;
        break;
      }
      out.push(block);
      blocksLeft -= 1;
      textLeft -= size;
    }
    return out;
  };
  const before = take(optionalBefore);
  const after = take(optionalAfter);
  // A divider with nothing after it says nothing.
  if (after.length === 1 && after[0]!.type === 'divider') after.pop();

  const blocks: KnownBlock[] = [...head, ...before, ...tail, ...after, ...(truncated ? [marker] : [])];
  return { text: fallback, blocks };
}
