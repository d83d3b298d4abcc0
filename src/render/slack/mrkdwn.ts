// Everything a user, a log or a registry wrote passes through here before it reaches Slack mrkdwn.

const ZERO_WIDTH_SPACE = '\u200b';

/**
 * Escape text for a mrkdwn field: `&`, `<`, `>` become entities, so `<!channel>`, `<@U123>` and
 * `<https://evil|click>` show as plain text; bare `@here`/`@channel`/`@everyone` are broken with a
 * zero-width space so no client turns them into a mention.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(here|channel|everyone)\b/gi, `@${ZERO_WIDTH_SPACE}$1`);
}

/**
 * Escape text for the inside of a ``` code block: as above, and no way to close the block early. A
 * zero-width space goes between any two adjacent backticks, so no run of backticks (three, four, five…)
 * survives to end the block.
 */
export function escapeCodeBlock(text: string): string {
  return escapeMrkdwn(text).replace(/`(?=`)/g, `\`${ZERO_WIDTH_SPACE}`);
}

export const TRUNCATION_MARKER = '… (truncated)';

/** Cut text to at most `max` characters, ending with the truncation marker when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - TRUNCATION_MARKER.length)) + TRUNCATION_MARKER;
}
