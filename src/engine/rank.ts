// Turns rule hits into ranked causes: direct matches and their alternatives are combined per category,
// and the categories ordered by confidence. Pure.
import type { Evidence } from './diagnosis.js';
import type { RuleHit } from './log-scanner.js';
import type { Category, Provider } from './vocabulary.js';

export interface RankedCause {
  category: Category;
  confidence: number;
  /** Title of the most confident rule that named this category directly, if any. */
  title?: string;
  evidence: Evidence[];
  rules: string[];
}

/** Causes less likely than this are not worth a reader's time. */
const MIN_CONFIDENCE = 0.25;
const MAX_CAUSES = 5;
/** Each further rule agreeing on a category, from lines of its own, adds a little certainty. */
const AGREEMENT_BONUS = 0.02;
const MAX_EVIDENCE = 6;
/** How far below an outranking rule the causes it explains are kept. */
const OUTRANK_MARGIN = 0.02;

export interface RankContext {
  provider: Provider;
  /** The log shows a push: generic wording counts on any line. */
  pushContext: boolean;
}

/** Whether a rule hit counts for this log at all. */
function hitApplies(hit: RuleHit, context: RankContext): boolean {
  const { rule } = hit;
  if (rule.providers && !rule.providers.includes(context.provider)) return false;
  if (rule.needsRegistryContext && !hit.inRegistryContext && !context.pushContext) return false;
  return true;
}

export function rankCauses(hits: readonly RuleHit[], context: RankContext): RankedCause[] {
  const applying = hits.filter((hit) => hitApplies(hit, context));
  // A rule that is a cause only next to another (`onlyWith`) counts when such a rule applies too.
  const standalone = applying.filter((hit) => !hit.rule.onlyWith);
  const applicable = applying.filter(
    (hit) => !hit.rule.onlyWith || standalone.some((other) => hit.rule.onlyWith!.includes(other.rule.category)),
  );
  const specific = applicable.filter((hit) => !hit.rule.fallback);
  const counted = specific.length > 0 ? specific : applicable;

  interface Tally {
    best: number;
    bestDirect: number;
    /** Direct rules that matched lines no earlier direct rule of this category had matched. */
    independentRules: number;
    directLines: Set<number>;
    title?: string;
    evidence: Evidence[];
    rules: string[];
  }
  const tallies = new Map<Category, Tally>();
  const add = (category: Category, confidence: number, hit: RuleHit, direct: boolean): void => {
    let tally = tallies.get(category);
    if (!tally) {
      tally = { best: 0, bestDirect: 0, independentRules: 0, directLines: new Set(), evidence: [], rules: [] };
      tallies.set(category, tally);
    }
    tally.best = Math.max(tally.best, confidence);
    if (direct) {
      const lines = hit.evidence.map((line) => line.line);
      if (lines.some((line) => !tally.directLines.has(line))) tally.independentRules += 1;
      for (const line of lines) tally.directLines.add(line);
      if (confidence > tally.bestDirect) {
        tally.bestDirect = confidence;
        if (hit.rule.title) tally.title = hit.rule.title;
      }
    }
    if (!tally.rules.includes(hit.rule.id)) tally.rules.push(hit.rule.id);
    for (const line of hit.evidence) {
      if (!tally.evidence.some((known) => known.line === line.line)) {
        tally.evidence.push({ source: 'log', line: line.line, text: line.text });
      }
    }
  };

  for (const hit of counted) {
    add(hit.rule.category, hit.rule.confidence, hit, true);
    for (const alternative of hit.rule.alsoMeans ?? []) add(alternative.category, alternative.confidence, hit, false);
  }

  // Wording that explains other causes seen with it keeps them below itself.
  const ceilings = new Map<Category, number>();
  for (const hit of counted) {
    for (const category of hit.rule.outranks ?? []) {
      ceilings.set(category, Math.min(ceilings.get(category) ?? 1, hit.rule.confidence - OUTRANK_MARGIN));
    }
  }

  return [...tallies.entries()]
    .map(([category, tally]) => ({
      category,
      confidence: round(
        Math.min(0.99, ceilings.get(category) ?? 1, tally.best + AGREEMENT_BONUS * Math.max(0, tally.independentRules - 1)),
      ),
      ...(tally.title ? { title: tally.title } : {}),
      evidence: tally.evidence.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).slice(0, MAX_EVIDENCE),
      rules: tally.rules,
    }))
    .filter((cause) => cause.confidence >= MIN_CONFIDENCE)
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, MAX_CAUSES);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
