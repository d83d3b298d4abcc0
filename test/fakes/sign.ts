// Slack request signing (v0): what Slack sends with every request to /slack/events.
import { createHmac } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
}

export interface SlashCommand {
  text: string;
  channel_id?: string;
  user_id?: string;
  response_url?: string;
  trigger_id?: string;
  command?: string;
}

export function slashCommandBody(cmd: SlashCommand): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: cmd.channel_id ?? 'C0TEST',
    channel_name: 'builds',
    user_id: cmd.user_id ?? 'U0ALICE',
    user_name: 'alice',
    command: cmd.command ?? '/registry',
    text: cmd.text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: cmd.response_url ?? 'https://hooks.slack.com/commands/T0FAKE/1/abc',
    // Slack gives every invocation its own trigger_id, so no two commands have the same body.
    trigger_id: cmd.trigger_id ?? `${Date.now()}.${Math.random().toString(36).slice(2)}`,
  }).toString();
}

/** A `view_submission` interaction as Slack POSTs it (`payload=<json>`). */
export function viewSubmissionBody(view: Record<string, unknown>, user = 'U0ALICE'): string {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: user, username: 'alice', name: 'alice', team_id: 'T0FAKE' },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    trigger_id: `${Date.now()}.${Math.random().toString(36).slice(2)}`,
    view: { id: 'V0MODAL', team_id: 'T0FAKE', type: 'modal', hash: '1.abc', app_id: 'A0APP', bot_id: 'B0BOT', ...view },
    response_urls: [],
    is_enterprise_install: false,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** An Events API callback as Slack POSTs it (JSON). */
export function eventBody(event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    api_app_id: 'A0APP',
    event,
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0FAKE', user_id: 'U0BOT', is_bot: true }],
  });
}

export interface BlockActionClick {
  /** The element clicked: a button (value) or a static_select (selected value). */
  action: { action_id: string; type: 'button'; value: string } | { action_id: string; type: 'static_select'; selected: string };
  user?: string;
  channel: string;
  /** The message the element sits on, as Slack sends it back (bot_id absent: a person posted it). */
  message: { ts: string; thread_ts?: string; bot_id?: string; text?: string };
}

/** A `block_actions` interaction as Slack POSTs it (`payload=<json>`). */
export function blockActionsBody(click: BlockActionClick): string {
  const { action } = click;
  const element =
    action.type === 'button'
      ? { type: 'button', action_id: action.action_id, block_id: 'rd.answer', value: action.value, text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` }
      : {
          type: 'static_select',
          action_id: action.action_id,
          block_id: 'rd.answer',
          selected_option: { text: { type: 'plain_text', text: 'x' }, value: action.selected },
          placeholder: { type: 'plain_text', text: 'Wrong cause?' },
          action_ts: `${Date.now() / 1000}`,
        };
  const payload = {
    type: 'block_actions',
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: click.user ?? 'U0BOB', username: 'bob', name: 'bob', team_id: 'T0FAKE' },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: click.message.ts, channel_id: click.channel, is_ephemeral: false, ...(click.message.thread_ts ? { thread_ts: click.message.thread_ts } : {}) },
    trigger_id: `${Date.now()}.${Math.random().toString(36).slice(2)}`,
    channel: { id: click.channel, name: 'builds' },
    message: { type: 'message', text: click.message.text ?? '', ts: click.message.ts, ...(click.message.thread_ts ? { thread_ts: click.message.thread_ts } : {}), ...(click.message.bot_id ? { bot_id: click.message.bot_id, user: 'U0BOT' } : { user: 'U0MALLORY' }) },
    response_url: 'https://hooks.slack.com/actions/T0FAKE/1/abc',
    actions: [element],
    state: { values: {} },
    is_enterprise_install: false,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
