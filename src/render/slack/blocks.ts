// STUB — replaced by the renderers helper.
import type { KnownBlock } from '@slack/types';
import type { Diagnosis } from '../../engine/diagnosis.js';
import { escapeMrkdwn } from './mrkdwn.js';

export interface SlackMessage {
  /** Notification / fallback text (plain, escaped). */
  text: string;
  blocks: KnownBlock[];
}

/** The thread reply for a diagnosis: findings, evidence, remediation, docs, probe context. */
export function renderDiagnosisBlocks(diagnosis: Diagnosis): SlackMessage {
  const top = diagnosis.findings[0];
  const text = top ? `${top.category}: ${escapeMrkdwn(top.title)}` : 'No registry failure found in the log';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
