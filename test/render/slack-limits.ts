// What Slack would refuse or mangle in a rendered message, written from Slack's documentation:
// - Block Kit reference (api.slack.com/reference/block-kit/blocks): 50 blocks a message; section text 3,000
//   characters, 10 fields of 2,000; header plain_text 150; context up to 10 elements; actions up to 25
//   elements; block_id and action_id 255.
// - Block elements: button text 75, value 2,000, url 3,000; static_select up to 100 options, placeholder 150;
//   option objects: text 75, value 150.
// - chat.postMessage: `text` up to 40,000 characters (cut beyond 4,000 for display); `msg_blocks_too_long`
//   when the blocks are too large — about 12,000 characters of blocks JSON in practice, our budget.
// - "Formatting text for app surfaces": in mrkdwn, `&`, `<` and `>` are control characters and must be sent
//   as `&amp;`, `&lt;`, `&gt;` — even inside code — except in the markup we write on purpose (a user or
//   channel mention, a date, a link).
import type { KnownBlock } from '@slack/types';
import { blocksJsonLength, SLACK_LIMITS, type SlackMessage } from '../../src/render/slack/blocks.js';

/** Markup we write on purpose in mrkdwn; anything else with `<` or `>` is a control character left unescaped. */
const OUR_MARKUP = /<@[UW][A-Z0-9]+>|<#[CGD][A-Z0-9]+>|<!date\^\d+\^\{[a-z_]+\}(?: \{[a-z_]+\})?\|[^<>|]+>|<https:\/\/[^\s<>|]+\|[^<>]+>/g;

/** Problems of one mrkdwn string: `<`, `>` outside our own markup, `&` that does not start an entity. */
export function mrkdwnProblems(text: string): string[] {
  const problems: string[] = [];
  const bare = text.replace(OUR_MARKUP, '');
  if (/[<>]/.test(bare)) problems.push(`unescaped < or > in ${JSON.stringify(bare.slice(Math.max(0, bare.search(/[<>]/) - 20), bare.search(/[<>]/) + 20))}`);
  if (/&(?!amp;|lt;|gt;)/.test(bare)) problems.push(`unescaped & in ${JSON.stringify(bare.slice(Math.max(0, bare.search(/&(?!amp;|lt;|gt;)/) - 20), bare.search(/&(?!amp;|lt;|gt;)/) + 20))}`);
  return problems;
}

interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
}

function textProblems(where: string, t: TextObject | undefined, max: number): string[] {
  if (!t) return [`${where}: no text`];
  const problems: string[] = [];
  if (!t.text.trim()) problems.push(`${where}: empty`);
  if (t.text.length > max) problems.push(`${where}: ${t.text.length} chars > ${max}`);
  if (t.type === 'mrkdwn') problems.push(...mrkdwnProblems(t.text).map((p) => `${where}: ${p}`));
  return problems;
}

export function blockProblems(blocks: readonly KnownBlock[], maxBlocks: number = SLACK_LIMITS.blocks): string[] {
  const problems: string[] = [];
  if (blocks.length === 0) problems.push('no blocks');
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks > ${maxBlocks}`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  blocks.forEach((block: KnownBlock, i) => {
    const where = `block ${i} (${block.type})`;
    if ('block_id' in block && block.block_id) {
      if (blockIds.has(block.block_id)) problems.push(`${where}: duplicate block_id`);
      if (block.block_id.length > SLACK_LIMITS.blockId) problems.push(`${where}: block_id too long`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'header':
        problems.push(...textProblems(where, block.text, SLACK_LIMITS.headerText));
        break;
      case 'section':
        if (!block.text && !block.fields?.length) problems.push(`${where}: neither text nor fields`);
        if (block.text) problems.push(...textProblems(where, block.text as TextObject, SLACK_LIMITS.sectionText));
        if ((block.fields?.length ?? 0) > 10) problems.push(`${where}: ${block.fields!.length} fields`);
        for (const field of block.fields ?? []) problems.push(...textProblems(`${where} field`, field as TextObject, 2000));
        break;
      case 'context':
        if (block.elements.length === 0 || block.elements.length > SLACK_LIMITS.contextElements) problems.push(`${where}: ${block.elements.length} elements`);
        for (const el of block.elements) {
          if (!('text' in el) || typeof el.text !== 'string') problems.push(`${where}: element without text`);
          else problems.push(...textProblems(`${where} element`, el as TextObject, SLACK_LIMITS.contextElementText));
        }
        break;
      case 'actions':
        if (block.elements.length === 0 || block.elements.length > SLACK_LIMITS.actionsElements) problems.push(`${where}: ${block.elements.length} elements`);
        for (const el of block.elements) {
          if (!('action_id' in el) || !el.action_id) problems.push(`${where}: element without action_id`);
          else {
            if (el.action_id.length > SLACK_LIMITS.actionId) problems.push(`${where}: action_id too long`);
            if (actionIds.has(el.action_id)) problems.push(`${where}: duplicate action_id ${el.action_id}`);
            actionIds.add(el.action_id);
          }
          if (el.type === 'button') {
            problems.push(...textProblems(`${where} button`, el.text as TextObject, SLACK_LIMITS.buttonText));
            if (!el.value || el.value.length > SLACK_LIMITS.buttonValue) problems.push(`${where}: button value`);
          } else if (el.type === 'static_select') {
            const options = el.options ?? [];
            if (options.length === 0 || options.length > SLACK_LIMITS.selectOptions) problems.push(`${where}: ${options.length} options`);
            if (el.placeholder) problems.push(...textProblems(`${where} placeholder`, el.placeholder as TextObject, 150));
            for (const o of options) {
              problems.push(...textProblems(`${where} option`, o.text as TextObject, SLACK_LIMITS.optionText));
              if (!o.value || o.value.length > SLACK_LIMITS.optionValue) problems.push(`${where}: option value ${o.value?.length}`);
            }
          } else problems.push(`${where}: unexpected element ${el.type}`);
        }
        break;
      case 'divider':
        break;
      default:
        problems.push(`${where}: unexpected block type`);
    }
  });
  return problems;
}

/** Everything Slack would refuse (or show garbled) in a chat message we send. */
export function slackProblems(message: SlackMessage): string[] {
  const problems = blockProblems(message.blocks);
  if (message.text.length === 0) problems.push('empty fallback text');
  if (message.text.length > 4000) problems.push(`fallback text ${message.text.length} chars (Slack cuts beyond 4,000)`);
  problems.push(...mrkdwnProblems(message.text).map((p) => `text: ${p}`));
  const json = blocksJsonLength(message.blocks);
  if (json > SLACK_LIMITS.blocksJson) problems.push(`blocks JSON ${json} chars > ${SLACK_LIMITS.blocksJson} (msg_blocks_too_long)`);
  return problems;
}

/** Every mrkdwn/plain text string of a message, fallback included. */
export function allTexts(message: SlackMessage): string[] {
  const texts: string[] = [message.text];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'text' && typeof inner === 'string') texts.push(inner);
        else visit(inner);
      }
    }
  };
  visit(message.blocks);
  return texts;
}
