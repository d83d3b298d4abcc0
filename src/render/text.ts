// Diagnosis → a terminal report. Pure: no I/O; colour only when asked.
import type { Diagnosis, Finding, ProbeResult } from '../engine/diagnosis.js';
import type { ProbeStatus } from '../engine/vocabulary.js';
import { registryNameOf } from '../providers/index.js';
import { oneLine, stripControlChars } from './sanitize.js';

export { stripControlChars } from './sanitize.js';

export interface TextOptions {
  /** ANSI colour and weight; the CLI passes `process.stdout.isTTY && !NO_COLOR`. */
  color: boolean;
}

/** How many less likely findings are listed after the top one. */
const MAX_OTHER_FINDINGS = 5;
/** Prose is wrapped to this many columns. */
const WIDTH = 100;
/** Evidence lines printed for the top finding. */
const MAX_EVIDENCE_LINES = 12;
/** One evidence line is cut beyond this many characters. */
const MAX_EVIDENCE_CHARS = 400;

type Style = (text: string) => string;
interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  yellow: Style;
  green: Style;
  cyan: Style;
}

function sgr(open: number, close: number): Style {
  return (text) => `\x1b[${open}m${text}\x1b[${close}m`;
}
const identity: Style = (text) => text;
const COLOR: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
};
const PLAIN: Palette = { bold: identity, dim: identity, red: identity, yellow: identity, green: identity, cyan: identity };

export function formatPercent(confidence: number): string {
  const value = Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0;
  return `${Math.round(value * 100)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Word-wrap prose to `width` columns (long words are left whole). */
export function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .map((paragraph) => {
      const lines: string[] = [];
      let current = '';
      for (const word of paragraph.split(/ +/)) {
        if (current && current.length + 1 + word.length > width) {
          lines.push(current);
          current = word;
        } else current = current ? `${current} ${word}` : word;
      }
      lines.push(current);
      return lines.join('\n');
    })
    .join('\n');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? prefix + line : line))
    .join('\n');
}

function severityStyle(finding: Finding, p: Palette): Style {
  switch (finding.severity) {
    case 'critical':
    case 'error':
      return p.red;
    case 'warning':
      return p.yellow;
    default:
      return p.cyan;
  }
}

function probeStyle(status: ProbeStatus, p: Palette): Style {
  switch (status) {
    case 'ok':
      return p.green;
    case 'failed':
    case 'error':
      return p.red;
    case 'timeout':
      return p.yellow;
    default:
      return p.dim;
  }
}

function subject(d: Diagnosis): string {
  const parts = [oneLine(registryNameOf(d))];
  const image = d.image?.reference ?? d.input.image ?? d.facts.image;
  if (image) parts.push(`image ${oneLine(image)}`);
  return parts.join(' · ');
}

function renderProbes(probes: ProbeResult[], p: Palette): string[] {
  if (probes.length === 0) return [];
  const width = Math.max(...probes.map((probe) => oneLine(probe.name).length));
  const lines = [p.bold('Probes')];
  for (const probe of probes) {
    const status = probeStyle(probe.status, p)(probe.status.padEnd(7));
    const ms = `${Math.round(probe.durationMs)} ms`.padStart(8);
    const detail = oneLine(probe.detail);
    lines.push(`  ${status} ${oneLine(probe.name).padEnd(width)} ${p.dim(ms)}${detail ? `  ${detail}` : ''}`);
  }
  return lines;
}

function renderTopFinding(d: Diagnosis, top: Finding, p: Palette): string[] {
  const out: string[] = [];
  const mark = severityStyle(top, p)('✖');
  out.push(`${mark} ${p.bold(severityStyle(top, p)(top.category))}  ${p.bold(oneLine(top.title))}`);
  out.push(p.dim(`  confidence ${formatPercent(top.confidence)} · ${subject(d)} · severity ${top.severity}`));

  const explanation = stripControlChars(top.explanation).trim();
  if (explanation) {
    out.push('', p.bold('What it means'), indent(wrap(explanation, WIDTH - 2), '  '));
  }

  if (top.evidence.length > 0) {
    out.push('', p.bold('Evidence'));
    const shown = top.evidence.slice(0, MAX_EVIDENCE_LINES);
    const labels = shown.map((e) => (e.source === 'probe' ? 'probe' : e.line !== undefined ? `line ${e.line}` : 'log'));
    const width = Math.max(...labels.map((l) => l.length));
    shown.forEach((e, i) => {
      const text = clip(oneLine(e.text), MAX_EVIDENCE_CHARS);
      out.push(`  ${p.dim(labels[i]!.padStart(width))} │ ${text}`);
    });
    if (top.evidence.length > shown.length) {
      out.push(p.dim(`  … ${top.evidence.length - shown.length} more evidence lines`));
    }
  }

  if (top.remediation.length > 0) {
    out.push('', p.bold('How to fix'));
    top.remediation.forEach((step, i) => {
      const label = `${i + 1}. `;
      const text = wrap(stripControlChars(step.text).trim(), WIDTH - 2 - label.length);
      out.push(`  ${label}${indent(text, ' '.repeat(2 + label.length)).trimStart()}`);
      const command = step.command === undefined ? '' : stripControlChars(step.command).replace(/\s+$/, '');
      if (command.trim()) {
        // Set apart: a blank line either side, indented, nothing else on its lines.
        out.push('', ...command.split('\n').map((line) => (line ? `       ${p.cyan(line)}` : '')), '');
      }
      if (step.document) {
        const content = stripControlChars(step.document.content).replace(/\s+$/, '');
        out.push(`       ${p.dim(`${oneLine(step.document.name)}:`)}`, ...content.split('\n').map((line) => (line ? `       ${line}` : '')), '');
      }
    });
    while (out[out.length - 1] === '') out.pop();
  }

  if (top.docs.length > 0) {
    out.push('', p.bold('Docs'));
    for (const doc of top.docs) out.push(`  - ${oneLine(doc.title)}: ${oneLine(doc.url)}`);
  }

  if (top.fixes.length > 0) {
    out.push('', p.bold('Automatic fixes (from Slack)'));
    for (const fix of top.fixes) out.push(`  - ${oneLine(fix.title)}`);
  }
  return out;
}

/** The probe results alone (a preflight that found nothing to report). */
export function renderProbeList(probes: ProbeResult[], options: TextOptions): string {
  const lines = renderProbes(probes, options.color ? COLOR : PLAIN);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** The terminal report of a diagnosis. */
export function renderText(d: Diagnosis, options: TextOptions): string {
  const p = options.color ? COLOR : PLAIN;
  const out: string[] = [];
  const [top, ...others] = d.findings;

  if (!top) {
    out.push(`${p.green('✔')} ${p.bold('No registry failure found in this log')}`);
    out.push(p.dim(`  read ${d.input.logLines} lines, ${formatBytes(d.input.logBytes)} · ${subject(d)}`));
  } else {
    out.push(...renderTopFinding(d, top, p));
    if (others.length > 0) {
      out.push('', p.bold('Less likely'));
      for (const f of others.slice(0, MAX_OTHER_FINDINGS)) {
        out.push(`  - ${f.category} (${formatPercent(f.confidence)})  ${oneLine(f.title)}`);
      }
      if (others.length > MAX_OTHER_FINDINGS) {
        out.push(p.dim(`  … and ${others.length - MAX_OTHER_FINDINGS} more`));
      }
    }
    out.push('', p.dim(`Read ${d.input.logLines} lines, ${formatBytes(d.input.logBytes)}.`));
  }

  const probes = renderProbes(d.probes, p);
  if (probes.length > 0) out.push('', ...probes);
  return `${out.join('\n')}\n`;
}
