// What Slack would refuse, checked on a rendered message: limits, empty texts, duplicate action ids.
import type { KnownBlock } from '@slack/types';
import { blockTextLength, SLACK_LIMITS, type SlackMessage } from '../../src/render/slack/blocks.js';

export function slackProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  const { blocks } = message;
  if (message.text.length === 0) problems.push('empty fallback text');
  if (blocks.length === 0) problems.push('no blocks');
  if (blocks.length > SLACK_LIMITS.blocks) problems.push(`${blocks.length} blocks`);
  const total = message.text.length + blocks.reduce((n, b) => n + blockTextLength(b), 0);
  if (total > SLACK_LIMITS.totalText) problems.push(`total text ${total}`);
  const blockIds = new Set<string>();
  blocks.forEach((block: KnownBlock, i) => {
    const where = `block ${i} (${block.type})`;
    if ('block_id' in block && block.block_id) {
      if (blockIds.has(block.block_id)) problems.push(`${where}: duplicate block_id`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'header':
        if (!block.text.text.trim()) problems.push(`${where}: empty`);
        if (block.text.text.length > SLACK_LIMITS.headerText) problems.push(`${where}: ${block.text.text.length} chars`);
        break;
      case 'section':
        if (!block.text || !block.text.text.trim()) problems.push(`${where}: empty`);
        else if (block.text.text.length > SLACK_LIMITS.sectionText) problems.push(`${where}: ${block.text.text.length} chars`);
        break;
      case 'context':
        if (block.elements.length === 0 || block.elements.length > SLACK_LIMITS.contextElements) {
          problems.push(`${where}: ${block.elements.length} elements`);
        }
        for (const el of block.elements) {
          if (!('text' in el) || typeof el.text !== 'string' || !el.text.trim()) problems.push(`${where}: empty element`);
          else if (el.text.length > SLACK_LIMITS.contextElementText) problems.push(`${where}: element ${el.text.length} chars`);
        }
        break;
      case 'actions': {
        const ids = new Set<string>();
        if (block.elements.length === 0 || block.elements.length > 25) problems.push(`${where}: ${block.elements.length} elements`);
        for (const el of block.elements) {
          if (el.type !== 'button') continue;
          if (!el.text.text.trim() || el.text.text.length > SLACK_LIMITS.buttonText) problems.push(`${where}: button text`);
          if (!el.value || el.value.length > SLACK_LIMITS.buttonValue) problems.push(`${where}: button value`);
          if (el.action_id && ids.has(el.action_id)) problems.push(`${where}: duplicate action_id ${el.action_id}`);
          if (el.action_id) ids.add(el.action_id);
        }
        break;
      }
      case 'divider':
        break;
      default:
        problems.push(`${where}: unexpected block type`);
    }
  });
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
