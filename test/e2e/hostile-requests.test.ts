// Signed requests that used to stop the process or make duplicates: bodies Bolt chokes on, replays, Slack's
// own retries, and clocks far in the future. The app runs as `npm start` runs it, against real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, drained, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody, slackSignature } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const prefix = uniquePrefix('e2e-hostile');
let fake: FakeSlack;
let app: AppProcess;

async function send(body: string, headers: Record<string, string> = signedHeaders(SIGNING_SECRET, body)) {
  const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text };
}

const json = (body: string) => ({ ...signedHeaders(SIGNING_SECRET, body), 'content-type': 'application/json' });
const parents = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined);
const replies = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined);

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

describe('bodies Bolt cannot take', () => {
  it.each([
    ['payload=null', 'payload=null', undefined],
    ['payload=[]', 'payload=%5B%5D', undefined],
    ['payload that is not JSON', 'payload=%7Bnot', undefined],
    ['a JSON null', 'null', 'json'],
    ['a JSON array', '[1,2]', 'json'],
    ['JSON that does not parse', '{"type":', 'json'],
    ['two text fields', `${slashCommandBody({ text: 'help', channel_id: 'C0HOST' })}&text=status`, undefined],
  ])('%s: a 400 with a JSON message, and the process lives on', async (_name, body, kind) => {
    const res = await send(body, kind === 'json' ? json(body) : signedHeaders(SIGNING_SECRET, body));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('listener input of the wrong shape is answered, not dropped: an interaction without a view, an event without an event', async () => {
    const view = new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission', user: { id: 'U0ALICE' }, view: { callback_id: 'registry_doctor_diagnose' } }) }).toString();
    const answered = await send(view);
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toMatchObject({ response_action: 'errors', errors: { log: expect.stringMatching(/went wrong/) } });
    const event = JSON.stringify({ type: 'event_callback', team_id: 'T0FAKE', api_app_id: 'A0APP', event: null, event_id: 'Ev0NULL', event_time: 1 });
    expect((await send(event, json(event))).status).toBeLessThan(500);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(app.proc.exitCode).toBeNull();
  });

  it('after all of them a real command still works', async () => {
    const res = await send(slashCommandBody({ text: 'diagnose denied: requested access to the resource is denied', channel_id: 'C0AFTER' }));
    expect(res.status).toBe(200);
    await fake.waitFor(() => replies('C0AFTER')[0], 15_000, 'the reply after hostile requests');
  });
});

describe('replays and retries', () => {
  it('the same signed request three times, and a Slack retry of it, make one job and one post', async () => {
    const channel = 'C0REPLAY';
    const body = slashCommandBody({ text: 'diagnose denied: requested access to the resource is denied', channel_id: channel, trigger_id: 'replay.1' });
    const headers = signedHeaders(SIGNING_SECRET, body);
    const acks = [await send(body, headers), await send(body, headers), await send(body, headers)];
    const retried = await send(body, { ...signedHeaders(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) + 1), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    const jobIds = [...acks, retried].map((a) => /job (\w+)/.exec(a.text)?.[1]);
    expect(jobIds[0]).toBeTruthy();
    expect(new Set(jobIds)).toEqual(new Set([jobIds[0]]));
    await fake.waitFor(() => replies(channel)[0], 15_000, 'the reply');
    const counts = await drained(prefix);
    expect((counts.completed ?? 0) + (counts.failed ?? 0)).toBe(2); // this job and the one after the hostile requests
    expect(parents(channel)).toHaveLength(1);
    expect(replies(channel)).toHaveLength(1);
  });
});

describe('clocks', () => {
  it.each([
    ['10 minutes in the future', 10 * 60],
    ['10 minutes in the past', -10 * 60],
  ])('a timestamp %s is refused with 401', async (_name, offset) => {
    const body = slashCommandBody({ text: 'help', channel_id: 'C0CLOCK' });
    const ts = Math.floor(Date.now() / 1000) + offset;
    const res = await send(body, { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body) });
    expect(res.status).toBe(401);
  });
});
