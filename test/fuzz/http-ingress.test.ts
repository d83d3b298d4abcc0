// Fuzzing the HTTP ingress of the app as `npm start` runs it: correctly signed but random slash commands, form
// submissions, interaction payloads, event callbacks and raw bodies. The process outlives every one, each gets a
// 2xx or a 4xx (never a 5xx or a hang), and no mention or link from the input reaches a Slack call. CI webhooks
// (signed, skewed, forged) and forged GitHub/GitLab deliveries are in the mix.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { ciSignature } from '../fakes/ci-webhook.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { eventBody, signedHeaders, slashCommandBody, viewSubmissionBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const FORBIDDEN = ['<!channel>', '<!here>', '<!everyone>', '<https://evil.example', '<#C0SECRET>'];
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(...FORBIDDEN.map((f) => (f.startsWith('<https') ? `${f}|click>` : f)), '\u0000', '\u202e', '\u001b[31m', '&gt;', '%', '=', '&', '+', 'denied: requested access to the resource is denied'),
      fc.string({ maxLength: 30, unit: 'binary' }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));
const anyJson = fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 4 }));
const slackId = (first: string) => fc.oneof(fc.constant(`${first}0FUZZ`), fc.string({ maxLength: 12 }));

const CI_SECRET = 'fuzz-ci-secret';
/** Requests in flight at once. */
const IN_FLIGHT = 25;

interface Request {
  kind: string;
  body: string;
  contentType?: string;
  /** Default: Slack's events endpoint, signed as Slack signs. */
  path?: string;
  headers?: Record<string, string>;
}

const pipeline = fc.record({ provider: fc.oneof(fc.string(), fc.constant('github')), name: hostile, url: fc.oneof(fc.webUrl(), hostile), run_id: fc.oneof(fc.string(), fc.integer()), commit: fc.string(), branch: hostile }, { requiredKeys: [] });
const ciBody = fc.oneof(
  fc.record({ log: hostile, image: fc.oneof(hostile, fc.constant('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1')), runner_ip: fc.oneof(fc.ipV4(), fc.ipV6(), hostile), channel: fc.oneof(fc.constant('C0FUZZ'), hostile), pipeline }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  anyJson.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
);
/** A CI webhook: mostly correctly signed, sometimes with a skewed clock, a wrong or missing header. */
const ciWebhook: fc.Arbitrary<Request> = fc
  .record({
    body: ciBody,
    skew: fc.oneof(fc.constant(0), fc.integer({ min: -100_000, max: 100_000 })),
    mangle: fc.constantFrom('none', 'none', 'none', 'signature', 'no-timestamp', 'timestamp-text'),
    contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
  })
  .map(({ body, skew, mangle, contentType }) => {
    const ts = Math.floor(Date.now() / 1000) + skew;
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-registry-doctor-timestamp': mangle === 'timestamp-text' ? 'soon' : String(ts),
      'x-registry-doctor-signature': mangle === 'signature' ? 'v1=00' : ciSignature(CI_SECRET, ts, body),
    };
    if (mangle === 'no-timestamp') delete headers['x-registry-doctor-timestamp'];
    return { kind: 'CI webhook', path: '/webhooks/ci', body, headers };
  });
/** GitHub and GitLab webhooks with the wrong secret, or random events: refused or ignored, never a crash. */
const forgeWebhook: fc.Arbitrary<Request> = fc.record({ body: ciBody, where: fc.constantFrom('/webhooks/github', '/webhooks/gitlab'), event: fc.constantFrom('workflow_job', 'push', 'Job Hook', '') }).map(({ body, where, event }) => ({
  kind: 'forge webhook',
  path: where,
  body,
  headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-hub-signature-256': 'sha256=00', 'x-gitlab-event': event, 'x-gitlab-token': 'wrong' },
}));

const request: fc.Arbitrary<Request> = fc.oneof(
  fc.record({ text: hostile, channel: slackId('C'), user: slackId('U') }).map(({ text, channel, user }) => ({
    kind: 'command',
    body: slashCommandBody({ text: `diagnose ${text}`, channel_id: channel, user_id: user }),
  })),
  fc.record({ text: hostile, sub: fc.constantFrom('', 'help', 'status', 'check', 'diagnose', 'mute', 'audit', 'x'.repeat(300)) }).map(({ text, sub }) => ({
    kind: 'command',
    body: slashCommandBody({ text: `${sub} ${text}` }),
  })),
  fc.record({ values: anyJson, meta: fc.oneof(hostile, fc.constant('{"channel":"C0FUZZ"}')), callback: fc.oneof(fc.string(), fc.constant('diagnose')) }).map(({ values, meta, callback }) => ({
    kind: 'view_submission',
    body: viewSubmissionBody({ callback_id: callback, private_metadata: meta, state: { values } }),
  })),
  fc.record({ actions: anyJson, message: anyJson }).map(({ actions, message }) => ({
    kind: 'block_actions',
    body: new URLSearchParams({
      payload: JSON.stringify({ type: 'block_actions', user: { id: 'U0FUZZ' }, team: { id: 'T0FAKE' }, api_app_id: 'A0APP', token: 't', actions, message, channel: { id: 'C0FUZZ' }, container: { type: 'message' } }),
    }).toString(),
  })),
  fc.record({ event: fc.oneof(anyJson, fc.constant({ type: 'app_home_opened', user: 'U0FUZZ', tab: 'home' })) }).map(({ event }) => ({
    kind: 'event',
    body: eventBody(event as Record<string, unknown>),
    contentType: 'application/json',
  })),
  fc.record({ payload: fc.oneof(fc.constantFrom('null', '[]', '"x"', '{}', '{"type":"view_submission"}'), fc.string()) }).map(({ payload }) => ({
    kind: 'raw payload',
    body: new URLSearchParams({ payload }).toString(),
  })),
  fc.record({ body: fc.oneof(fc.constantFrom('null', '[]', '1', 'text=a&text=b&command=%2Fregistry'), fc.string({ maxLength: 200 })), contentType: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data') }).map(
    ({ body, contentType }) => ({ kind: 'raw body', body, contentType }),
  ),
  ciWebhook,
  forgeWebhook,
);

let fake: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('fuzz-http');

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', CI_WEBHOOK_SECRET: CI_SECRET, ALERT_CHANNEL: 'C0FUZZALERT' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

it('survives random signed requests, answering each with 2xx or 4xx and leaking no mention or link', async () => {
  const requests = fc.sample(request, { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) });
  const statuses = new Map<string, number[]>();
  // A pool of senders rather than batches: a request no listener takes waits Bolt's 3 s before its 404, and
  // with batches nearly every batch would wait on one.
  const queue = requests.values();
  const send = async () => {
    for (const r of queue) {
      const headers = r.headers ?? { ...signedHeaders(SIGNING_SECRET, r.body), ...(r.contentType ? { 'content-type': r.contentType } : {}) };
      const res = await fetch(`${app.url}${r.path ?? '/slack/events'}`, { method: 'POST', headers, body: r.body, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      statuses.set(r.kind, [...(statuses.get(r.kind) ?? []), res.status]);
      expect(res.status, `${r.kind}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, send));
  process.stdout.write(`fuzz (HTTP ingress): ${requests.length} signed requests — ${[...statuses].map(([k, v]) => `${k} ${v.length}`).join(', ')}\n`);

  expect(app.proc.exitCode).toBeNull();
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  // Let the worker post what was queued, then read every Slack call the bot made.
  await fake.waitFor(() => fake.calls.length > 0, 10_000, 'some Slack calls');
  const sent = JSON.stringify(fake.calls.map((c) => c.params));
  for (const forbidden of FORBIDDEN) expect(sent).not.toContain(forbidden);
  expect(app.output()).not.toMatch(/unhandled|"level":(50|60)/);
}, 180_000);
