// Slack messages of an alert thread: the parent (what fails, the exact counter, the mute state and buttons)
// and the bounded "new pipelines" reply. Pure; every string from a log or a webhook is escaped.
import type { KnownBlock } from '@slack/types';
import type { SlackText } from '../render/slack/messages.js';
import { escapeMrkdwn, truncate } from '../render/slack/mrkdwn.js';
import type { GroupState, Mute, PipelineRef } from './alert-groups.js';

/** Buttons follow the one scheme of src/render/slack/actions.ts: `rd.mute.<n>` (value `<fingerprint>_<duration>`), `rd.unmute`. */
export const MUTE_DURATIONS = ['1h', '24h', 'resolved'] as const;
export type MuteDuration = (typeof MUTE_DURATIONS)[number];
export const UNMUTE_ACTION = 'rd.unmute';
export const muteValue = (fingerprint: string, duration: MuteDuration) => `${fingerprint}_${duration}`;
export const MUTE_MS: Record<MuteDuration, number | undefined> = { '1h': 3_600_000, '24h': 86_400_000, resolved: undefined };

const SECTION_MAX = 2900;
const MAX_LISTED = 20;
const code = (text: string) => `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
/** A Slack date that every reader sees in their own time zone and that stays current ("2 minutes ago"). */
const slackDate = (ms: number, format: string, fallback: string) => `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;

/** "12 failed pushes · 4 pipelines": the part of the parent that counts, also kept to know when it changed. */
export function counterLine(state: Pick<GroupState, 'count' | 'pipelines'>): string {
  return `${plural(state.count, 'failed push', 'failed pushes')} · ${plural(state.pipelines, 'pipeline', 'pipelines')}`;
}

export function renderAlertParent(state: GroupState, mute: Mute | undefined): SlackText {
  const { fingerprint: fp, title } = state.meta;
  const target = fp.repository ? `${fp.host}/${fp.repository}` : fp.host;
  const counts = `*${counterLine(state)}* · last ${slackDate(state.last, '{ago}', new Date(state.last).toISOString())}`;
  const footer: KnownBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: `Diagnosis in the thread · fingerprint \`${fp.id}\` (\`/registry mute ${fp.id} 24h\`)` }] };
  if (state.resolved) {
    // Closed: nothing more is counted here, so no mute buttons; the fingerprint's next failure opens a new alert.
    const { by, at } = state.resolved;
    const head = `:white_check_mark: *Resolved:* push was failing to ${code(target)}: *${escapeMrkdwn(truncate(title, 300))}* (${escapeMrkdwn(fp.category)})`;
    return {
      text: escapeMrkdwn(truncate(`Resolved: push was failing to ${target}: ${title} — ${counterLine(state)}`, 300)),
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: truncate(head, SECTION_MAX) } },
        { type: 'section', text: { type: 'mrkdwn', text: counts } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Resolved by <@${by}> ${slackDate(at, '{date_short_pretty} {time}', new Date(at).toISOString())}: a new failure of this push opens a new alert.` }] },
        footer,
      ],
    };
  }
  const head = `:rotating_light: *Push failing* to ${code(target)}: *${escapeMrkdwn(truncate(title, 300))}* (${escapeMrkdwn(fp.category)})`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(head, SECTION_MAX) } },
    { type: 'section', text: { type: 'mrkdwn', text: counts } },
  ];
  if (mute) {
    const until = mute.until === undefined ? 'until resolved' : `until ${slackDate(mute.until, '{date_short_pretty} {time}', new Date(mute.until).toISOString())}`;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:mute: Muted by <@${mute.by}> ${until}: failures are counted here, nothing new is posted.` }] });
  }
  blocks.push({
    type: 'actions',
    block_id: 'alert_mute',
    elements: mute
      ? [{ type: 'button', action_id: UNMUTE_ACTION, text: { type: 'plain_text', text: 'Unmute' }, value: fp.id }]
      : [
          { type: 'button', action_id: 'rd.mute.1', text: { type: 'plain_text', text: 'Mute 1 h' }, value: muteValue(fp.id, '1h') },
          { type: 'button', action_id: 'rd.mute.2', text: { type: 'plain_text', text: 'Mute 24 h' }, value: muteValue(fp.id, '24h') },
          { type: 'button', action_id: 'rd.mute.3', text: { type: 'plain_text', text: 'Mute until resolved' }, value: muteValue(fp.id, 'resolved') },
        ],
  });
  blocks.push(footer);
  return { text: escapeMrkdwn(truncate(`Push failing to ${target}: ${title} — ${counterLine(state)}`, 300)), blocks };
}

/** A link whose label is escaped and whose URL cannot close the link early. */
function pipelineLink(p: PipelineRef): string {
  const label = escapeMrkdwn(truncate(`${p.name}${p.runId ? ` #${p.runId}` : ''}`, 200));
  if (!p.url || !/^https?:\/\//.test(p.url)) return label;
  const url = p.url.replace(/[<>|\s]/g, encodeURIComponent);
  return `<${url}|${label}>`;
}

export function renderPipelinesReply(pipelines: readonly PipelineRef[]): SlackText {
  const shown = pipelines.slice(0, MAX_LISTED);
  const more = pipelines.length - shown.length;
  const lines = shown.map((p) => `• ${pipelineLink(p)}`);
  if (more > 0) lines.push(`…and ${more} more`);
  const text = `The same failure in ${plural(pipelines.length, 'more pipeline', 'more pipelines')}:\n${lines.join('\n')}`;
  return { text: escapeMrkdwn(`The same failure in ${plural(pipelines.length, 'more pipeline', 'more pipelines')}`), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } }] };
}

/** The thread note of a Resolved click on an alert's diagnosis. */
export function renderAlertResolvedNote(by: string, at: number, muteEnded: boolean): SlackText {
  const text =
    `:white_check_mark: Marked resolved by <@${by}> ${slackDate(at, '{date_short_pretty} {time}', new Date(at).toISOString())}. ` +
    `The next failure of this push opens a new alert${muteEnded ? '; the mute "until resolved" has ended' : ''}.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The ephemeral answer to a mute (button or command). */
export function renderMuteAck(fingerprint: string, duration: MuteDuration | undefined, threads: number): SlackText {
  const what = `\`${fingerprint}\``;
  const text =
    duration === undefined
      ? `:loud_sound: Unmuted ${what}: new failures are posted again.`
      : `:mute: Muted ${what} ${duration === 'resolved' ? 'until one of its alerts is marked *Resolved* (or `/registry unmute`; 30 days at most)' : `for ${duration === '1h' ? '1 hour' : '24 hours'}`}: failures are still counted on ${threads === 1 ? 'its thread' : `its ${threads} threads`}, nothing new is posted.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
