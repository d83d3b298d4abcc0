// Diagnosis → JSON for machines: the Diagnosis shape, keys always in the same order.
import type {
  Diagnosis,
  DiagnosisInput,
  DocLink,
  Evidence,
  Facts,
  Finding,
  FixProposal,
  ImageRef,
  PipelineFacts,
  ProbeResult,
  RemediationStep,
} from '../engine/diagnosis.js';
import type { Category, Provider } from '../engine/vocabulary.js';

/** One output line of `diagnose --jsonl`. */
export interface BatchLine {
  id: string;
  provider: Provider;
  /** Category of the top finding; `other` when there is none. */
  category: Category;
  findings: Finding[];
}

/** Copy `source` keeping only `keys`, in that order, and dropping undefined values. */
function pick<T extends object>(source: T, keys: readonly (keyof T)[]): T {
  const out: Partial<T> = {};
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

const INPUT_KEYS = ['logExcerpt', 'logLines', 'logBytes', 'image', 'runnerIp', 'pipeline'] as const satisfies readonly (keyof DiagnosisInput)[];
const PIPELINE_KEYS = ['provider', 'name', 'url', 'runId', 'commit', 'branch'] as const satisfies readonly (keyof PipelineFacts)[];
const IMAGE_KEYS = ['reference', 'host', 'provider', 'registry', 'account', 'region', 'repository', 'tag', 'digest'] as const satisfies readonly (keyof ImageRef)[];
const FACT_KEYS = [
  'image',
  'host',
  'repository',
  'permission',
  'principal',
  'clientIp',
  'httpStatus',
  'ociCode',
  'account',
  'region',
] as const satisfies readonly (keyof Facts)[];
const FINDING_KEYS = [
  'category',
  'title',
  'explanation',
  'severity',
  'confidence',
  'evidence',
  'remediation',
  'docs',
  'fixes',
  'rules',
] as const satisfies readonly (keyof Finding)[];
const EVIDENCE_KEYS = ['source', 'line', 'text'] as const satisfies readonly (keyof Evidence)[];
const STEP_KEYS = ['text', 'command', 'document'] as const satisfies readonly (keyof RemediationStep)[];
const DOC_KEYS = ['title', 'url'] as const satisfies readonly (keyof DocLink)[];
const FIX_KEYS = ['id', 'title'] as const satisfies readonly (keyof FixProposal)[];
const PROBE_KEYS = ['name', 'status', 'durationMs', 'detail', 'registry', 'observations', 'error'] as const satisfies readonly (keyof ProbeResult)[];

export function normalizeFinding(f: Finding): Finding {
  return {
    ...pick(f, FINDING_KEYS),
    evidence: f.evidence.map((e) => pick(e, EVIDENCE_KEYS)),
    remediation: f.remediation.map((s) => pick(s, STEP_KEYS)),
    docs: f.docs.map((doc) => pick(doc, DOC_KEYS)),
    fixes: f.fixes.map((fix) => pick(fix, FIX_KEYS)),
    rules: [...f.rules],
  };
}

/** A copy of the diagnosis with keys in the documented order (DESIGN.md / diagnosis.ts). */
export function normalizeDiagnosis(d: Diagnosis): Diagnosis {
  const input = pick(d.input, INPUT_KEYS);
  if (d.input.pipeline) input.pipeline = pick(d.input.pipeline, PIPELINE_KEYS);
  return {
    input,
    provider: d.provider,
    ...(d.image ? { image: pick(d.image, IMAGE_KEYS) } : {}),
    facts: pick(d.facts, FACT_KEYS),
    findings: d.findings.map(normalizeFinding),
    probes: d.probes.map((probe) => pick(probe, PROBE_KEYS)),
  };
}

// JSON.stringify escapes C0 controls; DEL, C1 controls (0x9b is a CSI on some terminals) and bidi
// overrides are escaped as well, so printing the JSON never drives a terminal. Same value when parsed.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_TERMINAL = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
function escapeUnsafe(json: string): string {
  return json.replace(UNSAFE_IN_TERMINAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Compact one-line JSON with terminal-unsafe characters escaped (for JSON Lines output). */
export function toJsonLine(value: unknown): string {
  return escapeUnsafe(JSON.stringify(value));
}

/** The Diagnosis as pretty JSON (2 spaces, stable key order, newline at the end). */
export function renderJson(d: Diagnosis): string {
  return `${escapeUnsafe(JSON.stringify(normalizeDiagnosis(d), null, 2))}\n`;
}

/** One line of `diagnose --jsonl` output. */
export function toBatchLine(id: string, d: Diagnosis): BatchLine {
  return {
    id,
    provider: d.provider,
    category: d.findings[0]?.category ?? 'other',
    findings: d.findings.map(normalizeFinding),
  };
}
