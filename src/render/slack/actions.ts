// Buttons and menus under a diagnosis. One scheme for every interactive element: `action_id` is
// `rd.<kind>`, or `rd.<kind>.<n>` where one message holds several of a kind (action ids must differ); one
// listener routes them all, and fixes and mutes plug in as new kinds. The value is an
// opaque id of a record kept server-side — nothing in a payload names a registry, a job or a user.
import type { ActionsBlock, Button, PlainTextOption, StaticSelect } from '@slack/types';
import { CATEGORIES, type Category } from '../../engine/vocabulary.js';
import { CAUSE_WORDS } from './answer.js';

export const ACTION_PREFIX = 'rd.';

/** The kinds this renderer draws; other modules add theirs (fix, mute) under the same prefix. */
export const ANSWER_ACTIONS = {
  rerun: 'rd.rerun',
  resolve: 'rd.resolve',
  wrongCause: 'rd.wrong_cause',
  evidence: 'rd.evidence',
  fix: 'rd.fix',
} as const;

/** An opaque id: letters, digits, `_` and `-`, bounded (Slack allows 2,000 in a value; we need far less). */
export const OPAQUE_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Every action id of ours. */
export const ACTION_ID = /^rd\.([a-z_]+)(?:\.\d{1,2})?$/;

/** The kind of an action id of ours (`rd.rerun` → `rerun`, `rd.fix.2` → `fix`), or undefined. */
export function actionKind(actionId: string): string | undefined {
  return ACTION_ID.exec(actionId)?.[1];
}

/** A "Wrong cause?" menu option carries the record id and the category the person picked. */
export function wrongCauseValue(id: string, category: Category): string {
  return `${id}:${category}`;
}

export function parseWrongCauseValue(value: string): { id: string; category: Category } | undefined {
  const [id = '', category = '', ...rest] = value.split(':');
  if (rest.length > 0 || !OPAQUE_ID.test(id) || !(CATEGORIES as readonly string[]).includes(category)) return undefined;
  return { id, category: category as Category };
}

const button = (actionId: string, text: string, value: string, style?: 'primary' | 'danger'): Button => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text, emoji: true },
  value,
  ...(style ? { style } : {}),
});

/** Re-run, Resolved, Wrong cause? and Show full evidence: none of them changes a registry. */
export function answerActions(id: string, top: Category | undefined): ActionsBlock {
  const options: PlainTextOption[] = CATEGORIES.filter((c) => c !== top).map((category) => ({
    text: { type: 'plain_text', text: CAUSE_WORDS[category], emoji: true },
    value: wrongCauseValue(id, category),
  }));
  const menu: StaticSelect = {
    type: 'static_select',
    action_id: ANSWER_ACTIONS.wrongCause,
    placeholder: { type: 'plain_text', text: 'Wrong cause?', emoji: true },
    options,
  };
  return {
    type: 'actions',
    block_id: `rd.answer`,
    elements: [
      button(ANSWER_ACTIONS.rerun, ':repeat: Re-run', id),
      button(ANSWER_ACTIONS.resolve, ':white_check_mark: Resolved', id, 'primary'),
      menu,
      button(ANSWER_ACTIONS.evidence, ':page_facing_up: Show full evidence', id),
    ],
  };
}
