// The thread reply of `/registry check IMAGE`: the verdict first, then what the probes found. It mentions the
// person who asked: the reply is a new message that notifies them (the parent's edit does not).
import type { KnownBlock } from '@slack/types';
import type { Diagnosis } from '../../engine/diagnosis.js';
import { renderDiagnosisBlocks, SLACK_LIMITS, type SlackMessage } from './blocks.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

export type PreflightVerdict = 'push_allowed' | 'push_blocked' | 'unknown';

const ICON = { ok: '✅', failed: '❌', error: '⚠️', timeout: '⏱️', skipped: '⏭️' } as const;
const MAX_PROBE_LINES = 20;

export function renderPreflightBlocks(d: Diagnosis, verdict: PreflightVerdict, options: { user?: string } = {}): SlackMessage {
  const image = escapeMrkdwn(d.image?.reference ?? d.input.image ?? 'the image');
  const mention = options.user && /^[UW][A-Z0-9]+$/.test(options.user) ? `<@${options.user}> ` : '';
  if (verdict === 'push_blocked') {
    const message = renderDiagnosisBlocks(d);
    const intro: KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: `${mention}:x: *A push to \`${image}\` would fail now.* The cause, as a diagnosis would name it:` } };
    return { text: `${mention}Preflight: a push would fail: ${message.text}`, blocks: [intro, ...message.blocks].slice(0, SLACK_LIMITS.blocks) };
  }
  const headline =
    mention +
    (verdict === 'push_allowed'
      ? `:white_check_mark: *A push to \`${image}\` would succeed now:* the registry accepted an upload, which was then cancelled (nothing was written).`
      : `:grey_question: *Could not tell whether a push to \`${image}\` would succeed:* no check proved the push right and none found a cause.`);
  const lines = d.probes.slice(0, MAX_PROBE_LINES).map((p) => `${ICON[p.status]} \`${escapeMrkdwn(p.name)}\` ${p.status} (${Math.round(p.durationMs)} ms) — ${escapeMrkdwn(truncate(p.detail.replace(/\s+/g, ' '), 300))}`);
  const checks = lines.length ? `*Checks*${d.probes[0]?.registry ? ` against \`${escapeMrkdwn(d.probes[0].registry)}\`` : ''}\n${lines.join('\n')}` : '*Checks:* none ran';
  return {
    text: `${mention}${verdict === 'push_allowed' ? 'Preflight: a push would succeed' : 'Preflight: could not tell'}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: headline } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(checks, SLACK_LIMITS.sectionText) } },
    ],
  };
}
