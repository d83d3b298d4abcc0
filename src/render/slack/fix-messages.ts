// What people read about fixes: the confirmation dialog, the outcome in the thread, refusals, the audit list.
// Pure: text and blocks only. Targets and states come from the clouds, so they are escaped.
import type { Button, ConfirmationDialog, KnownBlock } from '@slack/types';
import { escapeMrkdwn } from './mrkdwn.js';

/** The actions block of fix buttons; its buttons are `rd.fix.<n>` (the action router's `fix` kind). */
export const FIX_BLOCK_ID = 'rd.fixes';

const plain = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function fixConfirm(change: string, dryRun: boolean): ConfirmationDialog {
  return {
    title: { type: 'plain_text', text: dryRun ? 'Dry run' : 'Change the registry?' },
    text: { type: 'plain_text', text: plain(dryRun ? `Dry run: would ${change.charAt(0).toLowerCase()}${change.slice(1)}. Nothing will be changed.` : `${change}.`, 300) },
    confirm: { type: 'plain_text', text: dryRun ? 'Show me' : 'Apply' },
    deny: { type: 'plain_text', text: 'Cancel' },
    ...(dryRun ? {} : { style: 'danger' as const }),
  };
}

export function fixButton(index: number, fix: { id: string; title: string; change: string; dryRun?: boolean }): Button {
  return {
    type: 'button',
    action_id: `rd.fix.${index}`,
    value: fix.id,
    text: { type: 'plain_text', text: plain(fix.title, 75), emoji: true },
    confirm: fixConfirm(fix.change, fix.dryRun === true),
  };
}

export interface FixOutcomeLine {
  result: 'applied' | 'already' | 'dry_run' | 'changed' | 'failed' | 'refused';
  user: string;
  target: string;
  change: string;
  done: string;
  seconds?: number;
  detail?: string;
}

const lower = (text: string) => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;

/** One line for the thread (and for the message whose buttons it replaces). */
export function fixOutcomeText(line: FixOutcomeLine): string {
  const who = `<@${line.user}>`;
  const target = escapeMrkdwn(line.target);
  const detail = line.detail ? escapeMrkdwn(line.detail) : '';
  switch (line.result) {
    case 'applied':
      return `:white_check_mark: ${who} ${escapeMrkdwn(line.done)} — done in ${(line.seconds ?? 0).toFixed(1)} s`;
    case 'already':
      return `:white_check_mark: Already fixed: ${target} is already as this fix would leave it; nothing was changed (${who} clicked).`;
    case 'dry_run':
      return `:test_tube: Dry run for ${who}: would ${escapeMrkdwn(lower(line.change))}. Nothing was changed.`;
    case 'changed':
      return `:warning: Not applied: ${target} changed since this fix was planned (${detail}). Nothing was changed; run the diagnosis again for a new plan.`;
    case 'refused':
      return `:no_entry: Not applied for ${who}: ${detail} Nothing was changed.`;
    case 'failed':
      return `:x: ${who} could not ${escapeMrkdwn(lower(line.change))}: ${detail}`;
  }
}

/** The message's blocks with the fix buttons replaced by the outcome. */
export function replaceFixButtons(blocks: readonly Record<string, unknown>[], outcome: string): KnownBlock[] {
  const out: KnownBlock[] = [];
  let replaced = false;
  for (const block of blocks) {
    if (block.block_id === FIX_BLOCK_ID) {
      if (!replaced) out.push({ type: 'context', block_id: FIX_BLOCK_ID, elements: [{ type: 'mrkdwn', text: plain(outcome, 2900) }] });
      replaced = true;
      continue;
    }
    out.push(block as unknown as KnownBlock);
  }
  return out;
}

export function notAllowedText(askOneOf: readonly string[]): string {
  return askOneOf.length > 0
    ? `:no_entry: Not allowed: only the fixers of this registry may apply its fixes. Ask one of ${askOneOf.join(', ')}.`
    : ':no_entry: Not allowed: nobody may apply fixes to this registry (its `fixers` list is empty in the configuration).';
}

export function alreadyClaimedText(user: string, outcome: string | undefined): string {
  return outcome ? `:lock: Already done by <@${user}>: ${escapeMrkdwn(outcome)}` : `:lock: Already done by <@${user}>: it is being applied now; the result will appear in the thread.`;
}

export interface AuditLine {
  at: number;
  user: string;
  result: string;
  target?: string;
  change?: string;
  reason?: string;
  registry?: string;
}

export function renderAudit(entries: readonly AuditLine[]): string {
  if (entries.length === 0) return 'No fix attempts recorded yet.';
  const lines = entries.map((entry) => {
    const when = `<!date^${Math.floor(entry.at / 1000)}^{date_short_pretty} {time_secs}|${new Date(entry.at).toISOString()}>`;
    const what = entry.change ? escapeMrkdwn(entry.change) : entry.target ? escapeMrkdwn(entry.target) : 'a fix';
    const why = entry.reason ? ` — ${escapeMrkdwn(entry.reason)}` : '';
    return `• ${when} <@${entry.user}> *${entry.result}*: ${what}${entry.registry ? ` (${escapeMrkdwn(entry.registry)})` : ''}${why}`;
  });
  return plain(`*Last ${entries.length} fix attempt${entries.length === 1 ? '' : 's'}*, newest first\n${lines.join('\n')}`, 3900);
}
