// What makes two failures "the same alert", and whether a diagnosis is an alert at all. Pure.
import { createHash } from 'node:crypto';
import type { Diagnosis } from '../engine/diagnosis.js';

export interface Fingerprint {
  /** Short stable id of (host, repository, category). */
  id: string;
  host: string;
  repository: string;
  category: string;
}

/**
 * The fingerprint of a diagnosed failure, or undefined when it is no alert: the log shows no registry
 * failure, or names no registry at all (an error worded like a denial — an OIDC role assumption, a cloud CLI
 * call — in a job that pushes nothing is not a push failure).
 */
export function alertFingerprint(diagnosis: Diagnosis): Fingerprint | undefined {
  const top = diagnosis.findings[0];
  if (!top) return undefined;
  const host = diagnosis.image?.host ?? diagnosis.facts.host;
  if (!host) return undefined;
  const repository = diagnosis.image?.repository ?? diagnosis.facts.repository ?? '';
  const id = createHash('sha256').update(`${host}\n${repository}\n${top.category}`).digest('hex').slice(0, 20);
  return { id, host, repository, category: top.category };
}
