// The record behind the buttons of an alert's diagnosis (Re-run, Resolved, Wrong cause?, Show full evidence):
// the same record a command's diagnosis has, plus the alert it belongs to. Made once, by the failure that
// opened the alert; the refresh that posts the thread adds where it was posted.
import type { Diagnosis } from '../engine/diagnosis.js';
import { answerFor, NO_FINDING_SENTENCE } from '../render/slack/answer.js';
import type { AnswerRecord } from '../slack/answer-store.js';

export interface AlertAnswerInput {
  id: string;
  jobId: string;
  channel: string;
  group: string;
  fingerprint: string;
  diagnosis: Diagnosis;
  /** The redacted log, bounded as a pasted log is. */
  log: string;
}

export function alertAnswerRecord(input: AlertAnswerInput): AnswerRecord {
  const { diagnosis } = input;
  return {
    id: input.id,
    jobId: input.jobId,
    channel: input.channel,
    user: '',
    private: false,
    log: input.log,
    ...(diagnosis.image ? { image: diagnosis.image.reference } : {}),
    provider: diagnosis.provider,
    categories: diagnosis.findings.map((f) => f.category),
    answer: answerFor(diagnosis)?.sentence ?? NO_FINDING_SENTENCE,
    excerpt: diagnosis.input.logExcerpt,
    createdAt: Date.now(),
    alert: { group: input.group, fingerprint: input.fingerprint },
  };
}
