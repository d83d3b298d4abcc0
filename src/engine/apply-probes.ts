// Ranking with probe evidence: what the registry showed confirms a finding (confidence up, evidence added),
// refutes one (ranked down, with the reason), or adds one the log could not show. Pure.
import { toFinding } from './diagnose.js';
import type { Diagnosis, Finding, Observation, ProbeResult } from './diagnosis.js';
import type { Category } from './vocabulary.js';

/** A confirmed cause is at least this likely: the registry itself shows it. */
const CONFIRMED_FLOOR = 0.9;
const CONFIRMED_BONUS = 0.05;
/** A cause the log did not show, found by a probe. */
const ADDED_CONFIDENCE = 0.85;
/** A refuted cause keeps this share of its confidence: still listed, below the others, with the reason. */
const REFUTED_FACTOR = 0.3;
const MAX_CONFIDENCE = 0.99;

/** The diagnosis with its probe results and the findings re-ranked by what they observed. */
export function applyProbeResults(diagnosis: Diagnosis, probes: readonly ProbeResult[]): Diagnosis {
  const confirmed = new Map<Category, ProbeEvidence[]>();
  const refuted = new Map<Category, ProbeEvidence[]>();
  for (const probe of probes) {
    for (const observation of probe.observations ?? []) {
      const into = observation.kind === 'confirm' ? confirmed : refuted;
      const list = into.get(observation.category) ?? [];
      list.push({ probe: probe.name, observation });
      into.set(observation.category, list);
    }
  }

  const findings: Finding[] = diagnosis.findings.map((finding) => {
    const confirms = confirmed.get(finding.category);
    if (confirms) return confirm(finding, confirms);
    const refutes = refuted.get(finding.category);
    if (refutes) return refute(finding, refutes);
    return finding;
  });
  for (const [category, confirms] of confirmed) {
    if (findings.some((finding) => finding.category === category)) continue;
    const cause = { category, confidence: ADDED_CONFIDENCE, evidence: [], rules: [] };
    findings.push(confirm(toFinding(cause, diagnosis.provider, diagnosis.image, diagnosis.facts), confirms, ADDED_CONFIDENCE));
  }

  // Stable: equal confidence keeps the log's order.
  const ranked = findings.map((finding, index) => ({ finding, index }));
  ranked.sort((a, b) => b.finding.confidence - a.finding.confidence || a.index - b.index);
  return { ...diagnosis, findings: ranked.map(({ finding }) => finding), probes: [...probes] };
}

interface ProbeEvidence {
  probe: string;
  observation: Observation;
}

function confirm(finding: Finding, confirms: readonly ProbeEvidence[], base = finding.confidence): Finding {
  const confidence = Math.min(MAX_CONFIDENCE, Math.max(base, CONFIRMED_FLOOR) + (base >= CONFIRMED_FLOOR ? CONFIRMED_BONUS : 0));
  return {
    ...finding,
    confidence: round(confidence),
    evidence: [...confirms.map(({ probe, observation }) => ({ source: 'probe' as const, text: `${probe}: ${observation.evidence}` })), ...finding.evidence],
  };
}

function refute(finding: Finding, refutes: readonly ProbeEvidence[]): Finding {
  return {
    ...finding,
    confidence: round(finding.confidence * REFUTED_FACTOR),
    evidence: [
      ...refutes.map(({ probe, observation }) => ({ source: 'probe' as const, text: `Unlikely (${probe}): ${observation.evidence}` })),
      ...finding.evidence,
    ],
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
