// The whole redaction corpus, pasted every way a user can reach the bot (slash command, the form, a button
// interaction) and through the error paths (an image reference the form refuses, an unknown subcommand, a
// channel the bot is not in, a Slack that keeps failing): no piece of any secret (8 characters or more) may
// reach a Slack call, an answer, a log line or any Redis value under the app's prefix.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody, viewSubmissionBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';
import { redisValues, strings } from '../helpers/leak-scan.js';
import { leaksByPlace, readWholeCorpus } from '../helpers/secret-corpus.js';

const corpus = readWholeCorpus().filter((c) => c.secrets.length > 0);
const prefix = uniquePrefix('e2e-secrets');
let fake: FakeSlack;
let app: AppProcess;
const answers: string[] = [];

const pending: string[] = [];
const post = (body: string) => void pending.push(body);

const send = async (body: string) => {
  const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  answers.push(await res.text());
};

/** Send what was queued, 16 at a time. */
async function sendAll(): Promise<void> {
  while (pending.length) await Promise.all(pending.splice(0, 16).map(send));
}

beforeAll(async () => {
  fake = await new FakeSlack().start();
  // Hundreds of posts in a handful of channels: per-channel and workspace-wide pacing (Slack's limits, tested in
  // test/slack/slack-pacer.test.ts and the alert storm) are off here.
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'debug', JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '20', SLACK_CHANNEL_INTERVAL_MS: '0', SLACK_UPDATES_PER_MINUTE: '0' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

it('no piece of any corpus secret reaches Slack, an answer, a log line or Redis', async () => {
  fake.fail('chat.postMessage', 'not_in_channel', 1_000, (p) => p.channel === 'C0SECNOTIN');
  fake.fail('chat.postMessage', 'server_error', 1_000, (p) => p.channel === 'C0SECDOWN');
  // No DM either, so the answers of those two channels go through response_url (the last way to the person).
  fake.fail('conversations.open', 'cannot_dm_bot', 1_000);
  const jobs = { C0SECCMD: 0, C0SECFORM: 0 };
  const interactions: string[] = [];
  for (const [i, c] of corpus.entries()) {
    post(slashCommandBody({ text: `diagnose ${c.input}`, channel_id: 'C0SECCMD', trigger_id: `t.${i}` }));
    jobs.C0SECCMD += 1;
    const form = (log: string, image: string) =>
      viewSubmissionBody({
        callback_id: 'registry_doctor_diagnose',
        private_metadata: JSON.stringify({ channel: 'C0SECFORM', command: '/registry', responseUrl: fake.responseUrl(`form${i}`) }),
        state: { values: { log: { log: { type: 'plain_text_input', value: log } }, image: { image: { type: 'plain_text_input', value: image } } } },
      });
    post(form(c.input, ''));
    jobs.C0SECFORM += 1;
    // The image field: read leniently and diagnosed (never refused for its content), so it travels as a job too.
    post(form('log', c.input.split('\n')[0]!.slice(0, 400)));
    jobs.C0SECFORM += 1;
    // Error path: an unknown subcommand is echoed in the usage.
    post(slashCommandBody({ text: c.input.split('\n')[0]!, channel_id: 'C0SECCMD', trigger_id: `u.${i}` }));
    const interaction = {
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', team_id: 'T0FAKE' },
      team: { id: 'T0FAKE', domain: 'fake' },
      channel: { id: 'C0SECCMD', name: 'builds' },
      container: { type: 'message', message_ts: '1700000000.000001', channel_id: 'C0SECCMD' },
      message: { ts: '1700000000.000001', text: c.input },
      actions: [{ type: 'button', action_id: 'registry_doctor_unknown', block_id: 'b', value: c.input.slice(0, 2000), action_ts: '1700000001.1' }],
      response_url: fake.responseUrl(`act${i}`),
      trigger_id: `a.${i}`,
      api_app_id: 'A0APP',
      token: 'deprecated-verification-token',
    };
    interactions.push(new URLSearchParams({ payload: JSON.stringify(interaction) }).toString());
  }
  // The bot cannot post, or Slack keeps failing: the answer with the invite hint or the failure note are the error paths.
  for (const channel of ['C0SECNOTIN', 'C0SECDOWN']) {
    for (const c of corpus.slice(0, 12)) post(slashCommandBody({ text: `diagnose ${c.input}`, channel_id: channel, response_url: fake.responseUrl(channel) }));
  }
  // No listener takes these buttons yet: each waits Bolt's 3 s, so they go all at once.
  await Promise.all([sendAll(), ...interactions.map(send)]);
  const replies = (channel: string) => fake.ok('chat.postMessage', (call) => call.params.channel === channel && call.params.thread_ts !== undefined).length;
  await fake.waitFor(() => replies('C0SECCMD') >= jobs.C0SECCMD && replies('C0SECFORM') >= jobs.C0SECFORM, 120_000, 'every diagnosis posted');
  await fake.waitFor(() => fake.responseUrlPosts.filter((p) => p.id === 'C0SECNOTIN' || p.id === 'C0SECDOWN').length >= 24, 60_000, 'every error-path note');
  expect(fake.responseUrlPosts.filter((p) => p.id === 'C0SECDOWN').every((p) => /http_500/.test(String(p.body.text)))).toBe(true);

  const places = {
    slack: strings(fake.calls.map((c) => c.params)).join('\n') + fake.calls.map((c) => c.raw).join('\n'),
    response_url: strings(fake.responseUrlPosts.map((p) => p.body)).join('\n'),
    answers: strings(answers).join('\n'),
    logs: strings(app.output().split('\n')).join('\n'),
    redis: strings(await redisValues(prefix)).join('\n'),
  };
  expect(places.logs).toContain('diagnosis posted');
  expect(places.redis.length).toBeGreaterThan(1000);
  expect(leaksByPlace(places, corpus)).toEqual([]);
}, 240_000);
