// Diagnosis → the Block Kit thread reply. Pure. It leads with the answer and the one step to take first,
// then the evidence, then the rest. Every string that a log, a registry or a user wrote goes through
// escapeCodeBlock (escapeMrkdwn, and no run of backticks); Slack's limits are kept by truncation with a
// pointer to the rest, never by an API error.
import type { ActionsBlock, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { Diagnosis, DocLink, Finding, RemediationStep } from '../../engine/diagnosis.js';
import { registryNameOf } from '../../providers/index.js';
import { oneLine, stripControlChars } from '../sanitize.js';
import { ANSWER_ACTIONS, answerActions } from './actions.js';
import { answerFor, CAUSE_WORDS, causeWords, checkStep, commandLine, NO_FINDING_SENTENCE } from './answer.js';
import { escapeCodeBlock, escapeMrkdwn, TRUNCATION_MARKER, truncate } from './mrkdwn.js';
import { FIX_BLOCK_ID, fixButton } from './fix-messages.js';

export interface SlackMessage {
  /** Notification / fallback text (plain, escaped). */
  text: string;
  blocks: KnownBlock[];
}

export interface DiagnosisBlocksOptions {
  /** Findings shown, the top one included (the rest are counted). Default 5. */
  maxFindings?: number;
  /** The opaque id of the stored diagnosis record: with it, the message gets its buttons. */
  answerId?: string;
  /** The Slack user who asked: mentioned, so the answer notifies them. */
  user?: string;
  /** Blocks about live probes (the probes section); a one-line summary of `d.probes` when absent. */
  probes?: KnownBlock[];
  /**
   * Long documents (see attachedDocuments) are posted as a file after this message: the step names the file
   * instead of quoting it. Without it, every document is inline.
   */
  attachDocuments?: boolean;
}

/** A document longer than this (characters or lines) crowds the thread: it goes as a file when it can. */
const DOCUMENT_INLINE_MAX = { chars: 400, lines: 12 } as const;

const isLongDocument = (doc: { content: string }) => doc.content.length > DOCUMENT_INLINE_MAX.chars || doc.content.split('\n').length > DOCUMENT_INLINE_MAX.lines;

/** The documents the top finding's steps read that are too long to quote: posted as files when attached. */
export function attachedDocuments(d: Diagnosis): Array<{ name: string; content: string }> {
  const docs = (d.findings[0]?.remediation ?? []).flatMap((step) => (step.document && isLongDocument(step.document) ? [step.document] : []));
  return docs.filter((doc, i) => docs.findIndex((other) => other.name === doc.name) === i);
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
  /** `blocks` as sent (JSON): beyond about this Slack answers msg_blocks_too_long. */
  blocksJson: 12_000,
  actionId: 255,
  blockId: 255,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  actionsElements: 25,
  fallbackText: 40_000,
} as const;

const MAX_FIX_BUTTONS = 5;
const MAX_EVIDENCE_ITEMS = 20;
const DEFAULT_MAX_FINDINGS = 5;
/** Alternatives shown first when the top finding is only a possible cause. */
const MAX_ALTERNATIVES = 3;

/** Where the rest is, when the message had to be cut. */
export const MORE_POINTER = '_Cut to fit Slack. The whole redacted excerpt: *Show full evidence*. Everything: `registry-doctor diagnose --log FILE`._';

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
  'helm.sh',
  'oras.land',
  'ko.build',
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


/** The size Slack counts for `blocks` (what msg_blocks_too_long is about). */
export function blocksJsonLength(blocks: readonly KnownBlock[]): number {
  return JSON.stringify(blocks).length;
}

// ---------------------------------------------------------------------------------------------------
// Parts of the message

/**
 * A block made at the largest text size whose JSON fits `maxJson`: JSON escaping (quotes, backslashes)
 * can make a block's wire size much larger than its text, so the text is cut until the block fits.
 */
function fitted(make: (maxText: number) => KnownBlock, maxJson: number, maxText: number = SLACK_LIMITS.sectionText): KnownBlock {
  let size = maxText;
  for (;;) {
    const block = make(size);
    const json = JSON.stringify(block).length;
    if (json <= maxJson || size <= 200) return block;
    size = Math.max(200, Math.floor(size * (maxJson / json) * 0.95));
  }
}

function evidenceBlock(finding: Finding, max: number): SectionBlock | undefined {
  if (finding.evidence.length === 0) return undefined;
  const items = finding.evidence.slice(0, MAX_EVIDENCE_ITEMS);
  const labels = items.map((e) => (e.source === 'probe' ? 'probe' : e.line !== undefined ? `L${e.line}` : 'log'));
  const width = Math.max(...labels.map((l) => l.length));
  let body = items.map((e, i) => `${labels[i]!.padStart(width)}  ${oneLine(e.text)}`).join('\n');
  if (finding.evidence.length > items.length) body += `\n… ${finding.evidence.length - items.length} more lines`;
  const heading = '*Evidence*\n';
  return section(heading + codeBlock(body, max - heading.length));
}

/**
 * A step: its words, its command in a code block, and the file the command reads after it (never before) —
 * quoted, or named when a long one is attached as a file after the message.
 */
function stepText(step: RemediationStep, label: string, max: number, attach = false): string {
  const text = `${label}${mrkdwn(step.text, Math.min(1000, max))}`;
  let out = text;
  const command = step.command?.trim() ? step.command : undefined;
  if (command) {
    const room = max - out.length - 1;
    if (room < 40) return truncate(out, max);
    out += `\n${codeBlock(command, Math.min(room, 1500))}`;
  }
  if (step.document && attach && isLongDocument(step.document)) {
    out += `\n${inlineName(step.document.name)}: in the file posted below this message (${step.document.content.split('\n').length} lines).`;
  } else if (step.document) {
    const name = `${inlineName(step.document.name)}:`;
    const room = max - out.length - name.length - 2;
    if (room >= 80) out += `\n${name}\n${codeBlock(step.document.content, room)}`;
    else out += `\n${name} ${TRUNCATION_MARKER}`;
  }
  return truncate(out, max);
}

function inlineName(name: string): string {
  return `\`${escapeMrkdwn(truncate(oneLine(name), 100)).replace(/`/g, "'")}\``;
}

/** "Do this first": the one step most likely to fix it (or, when unsure, the check that tells causes apart). */
function firstBlock(top: Finding, confident: boolean, max: number, attach: boolean): SectionBlock | undefined {
  const step = confident ? (top.remediation.find((s) => s.command?.trim()) ?? top.remediation[0]) : checkStep(top);
  if (!step) return undefined;
  const heading = confident ? '*Do this first*\n' : '*Check this first*\n';
  return section(heading + stepText(step, '', max - heading.length, attach));
}

/** The other steps, packed into as few sections as fit, each at most the section limit. */
function restBlocks(top: Finding, skip: RemediationStep | undefined, attach: boolean): SectionBlock[] {
  const steps = top.remediation.filter((s) => s !== skip);
  const blocks: SectionBlock[] = [];
  let current = '*Then, if that was not it*';
  steps.forEach((step, i) => {
    const piece = stepText(step, `${i + 1}. `, SLACK_LIMITS.sectionText, attach);
    if (current.length + 1 + piece.length <= SLACK_LIMITS.sectionText) {
      current += `\n${piece}`;
    } else {
      blocks.push(section(current));
      current = piece;
    }
  });
  if (steps.length > 0) blocks.push(section(current));
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

/** Fix buttons under the top finding, in one actions block; each asks for confirmation, stating the change. */
function fixBlocks(finding: Finding): ActionsBlock[] {
  const buttons = finding.fixes
    .filter((fix) => fix.id.length > 0 && fix.id.length <= SLACK_LIMITS.buttonValue)
    .slice(0, MAX_FIX_BUTTONS)
    .map((fix, index) => fixButton(index, { ...fix, title: line(fix.title, SLACK_LIMITS.buttonText) || 'Apply fix', change: line(fix.change, 280) }));
  return buttons.length > 0 ? [{ type: 'actions', block_id: FIX_BLOCK_ID, elements: buttons }] : [];
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
    `*Registry:* ${line(registryNameOf(d), 200)}`,
    image ? `*Image:* ${line(image, 500)}` : '',
    top ? `*Confidence:* ${percent(top.confidence)}` : '',
    // The vocabulary word, for matching with the CLI's and JSON's output (the answer above says it in plain words).
    top ? `*Category:* \`${top.category}\`` : '',
  ]);
}

/** When unsure: the likely causes with the check that tells each apart, before anything else. */
function alternativesBlock(d: Diagnosis, findings: readonly Finding[]): SectionBlock | undefined {
  if (findings.length < 2) return undefined;
  let text = '*Not sure which: the likely causes, and the check that tells them apart*';
  for (const f of findings.slice(0, MAX_ALTERNATIVES)) {
    const check = checkStep(f);
    const entry = `\n• ${causeWords(d, f)} (${percent(f.confidence)})${check?.command ? ` — check: ${commandLine(check.command)}` : check ? ` — ${mrkdwn(check.text, 200)}` : ''}`;
    if (text.length + entry.length > SLACK_LIMITS.sectionText) break;
    text += entry;
  }
  return section(text);
}

function othersBlock(d: Diagnosis, others: Finding[], hidden: number): SectionBlock | undefined {
  if (others.length === 0) return undefined;
  let text = '*Other possible causes*';
  for (const f of others) {
    const entry = `\n• ${CAUSE_WORDS[f.category]}: ${causeWords(d, f)} (${percent(f.confidence)})`;
    if (text.length + entry.length > SLACK_LIMITS.sectionText - 40) {
      text += `\n• ${TRUNCATION_MARKER}`;
      return section(text);
    }
    text += entry;
  }
  if (hidden > 0) text += `\n… and ${hidden} more`;
  return section(text);
}

function meaningBlock(top: Finding): SectionBlock | undefined {
  const explanation = stripControlChars(top.explanation).trim();
  const heading = '*What it means*\n';
  return explanation ? section(heading + mrkdwn(explanation, SLACK_LIMITS.sectionText - heading.length)) : undefined;
}

// ---------------------------------------------------------------------------------------------------

interface Part {
  block: KnownBlock;
  /** Kept whatever the size (bounded by construction). */
  essential: boolean;
  /** Lower goes in first when the budget is short. */
  priority: number;
}

/** Essentials always; optional parts by priority while the block count and the JSON budget allow; positions kept. */
function withinBudget(parts: Part[], fallbackText: string): { blocks: KnownBlock[]; truncated: boolean } {
  const marker = context([MORE_POINTER]);
  const size = (block: KnownBlock) => JSON.stringify(block).length + 1;
  let blocksLeft = SLACK_LIMITS.blocks - 1;
  let jsonLeft = SLACK_LIMITS.blocksJson - 2 - size(marker);
  let textLeft = SLACK_LIMITS.totalText - fallbackText.length - blockTextLength(marker);
  const keep = new Set<Part>();
  for (const part of parts.filter((p) => p.essential)) {
    keep.add(part);
    blocksLeft -= 1;
    jsonLeft -= size(part.block);
    textLeft -= blockTextLength(part.block);
  }
  let truncated = false;
  for (const part of parts.filter((p) => !p.essential).sort((a, b) => a.priority - b.priority)) {
    const json = size(part.block);
    const text = blockTextLength(part.block);
    if (blocksLeft < 1 || json > jsonLeft || text > textLeft) {
      truncated = true;
      continue;
    }
    keep.add(part);
    blocksLeft -= 1;
    jsonLeft -= json;
    textLeft -= text;
  }
  const blocks = parts.filter((p) => keep.has(p)).map((p) => p.block);
  // A divider with nothing after it says nothing.
  while (blocks.at(-1)?.type === 'divider') blocks.pop();
  return { blocks: truncated ? [...blocks, marker] : blocks, truncated };
}

/** The thread reply for a diagnosis: the answer, "Do this first", evidence, the rest, and its buttons. */
export function renderDiagnosisBlocks(d: Diagnosis, options: DiagnosisBlocksOptions = {}): SlackMessage {
  const maxFindings = Math.max(1, Math.floor(options.maxFindings ?? DEFAULT_MAX_FINDINGS));
  const mention = options.user && /^[UW][A-Z0-9]+$/.test(options.user) ? `<@${options.user}> ` : '';
  const [top, ...rest] = d.findings;
  const actions = options.answerId ? answerActions(options.answerId, top?.category) : undefined;
  const probes = options.probes ?? [context([probeSummary(d)])];

  if (!top) {
    const sentence = `${mention}${NO_FINDING_SENTENCE}`;
    const parts: Part[] = [
      { block: section(sentence), essential: true, priority: 0 },
      {
        block: section(
          `Read ${d.input.logLines} lines, ${d.input.logBytes} bytes. If the push still failed, the error may be outside the part of the log given: ` +
            'paste the full job log, or give the image reference so the registry can be probed.',
        ),
        essential: true,
        priority: 0,
      },
      ...probes.map((block) => ({ block, essential: false, priority: 1 })),
      ...(actions ? [{ block: actions as KnownBlock, essential: true, priority: 0 }] : []),
      { block: contextBlock(d, undefined), essential: true, priority: 0 },
    ];
    return { text: sentence, blocks: withinBudget(parts, sentence).blocks };
  }

  const answer = answerFor(d)!;
  const sentence = `${mention}${answer.sentence}`;
  const firstMax = 2600;
  const attach = options.attachDocuments === true;
  const first = fitted((max) => firstBlock(top, answer.confident, max, attach) ?? section(sentence), 3400, firstMax);
  const skip = answer.confident ? (top.remediation.find((s) => s.command?.trim()) ?? top.remediation[0]) : checkStep(top);
  const evidence = evidenceBlock(top, SLACK_LIMITS.sectionText);
  const alternatives = answer.confident ? undefined : alternativesBlock(d, d.findings);
  const shown = rest.slice(0, maxFindings - 1);
  const others = answer.confident ? othersBlock(d, shown, rest.length - shown.length) : undefined;
  const meaning = meaningBlock(top);
  const docs = docsBlock(top);
  const part = (block: KnownBlock | undefined, essential: boolean, priority: number): Part[] => (block ? [{ block, essential, priority }] : []);

  const parts: Part[] = [
    ...part(fitted((max) => section(truncate(sentence, max)), 1200, 1000), true, 0),
    ...part(alternatives && fitted((max) => section(truncate(alternatives.text!.text, max)), 2400, 2200), true, 0),
    ...(firstBlock(top, answer.confident, firstMax, attach) ? part(first, true, 0) : []),
    ...part(evidence && fitted((max) => evidenceBlock(top, max)!, 2600), false, 1),
    ...probes.flatMap((block) => part(block, false, 2)),
    ...part(meaning, false, 4),
    ...restBlocks(top, skip, attach).flatMap((block) => part(block, false, 5)),
    ...part(docs, false, 6),
    ...(others ? [...part({ type: 'divider' }, false, 7), ...part(others, false, 7)] : []),
    ...fixBlocks(top).flatMap((block) => part(block, false, 3)),
    ...part(actions, true, 0),
    ...part(contextBlock(d, top), true, 0),
  ];
  return { text: sentence, blocks: withinBudget(parts, sentence).blocks };
}

/**
 * The same answer as plain text, for when Slack refuses the blocks (msg_blocks_too_long, invalid_blocks)
 * or only a short message can get through: the sentence, the first step's command, the evidence.
 */
export function renderPlainAnswer(d: Diagnosis, options: { user?: string; max?: number } = {}): string {
  const max = options.max ?? 3500;
  const mention = options.user && /^[UW][A-Z0-9]+$/.test(options.user) ? `<@${options.user}> ` : '';
  const top = d.findings[0];
  if (!top) return truncate(`${mention}${NO_FINDING_SENTENCE}`, max);
  const answer = answerFor(d)!;
  const parts = [`${mention}${answer.sentence}`];
  const step = answer.confident ? (top.remediation.find((s) => s.command?.trim()) ?? top.remediation[0]) : checkStep(top);
  if (step) parts.push(`${answer.confident ? 'Do this first' : 'Check this first'}: ${stepText(step, '', 1600)}`);
  const evidence = top.evidence.slice(0, 6).map((e) => oneLine(e.text));
  if (evidence.length > 0) parts.push(`Evidence:\n${codeBlock(evidence.join('\n'), 1200)}`);
  parts.push('More: `registry-doctor diagnose --log FILE`.');
  return truncate(parts.join('\n'), max);
}
