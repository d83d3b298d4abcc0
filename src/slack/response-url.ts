// POST to a slash command's response_url (valid for 30 minutes and 5 uses): the way to reach the user when
// the bot cannot post in the channel.
import type { SlackText } from '../render/slack/messages.js';

export type ResponseUrlResult = { ok: true } | { ok: false; reason: string };

export async function postToResponseUrl(url: string, message: SlackText, timeoutMs = 5000): Promise<ResponseUrlResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await res.body?.cancel();
    if (res.ok) return { ok: true };
    // 404 / 410: the URL expired (30 min) or was used 5 times.
    return { ok: false, reason: `response_url answered HTTP ${res.status}` };
  } catch (error) {
    return { ok: false, reason: `response_url: ${(error as Error).message}` };
  }
}
