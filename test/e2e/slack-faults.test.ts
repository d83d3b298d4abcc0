// Slack misbehaving beyond a 500: an archived channel, a deactivated workspace token, a rate limit on
// chat.update, a call that never answers. The person who asked still gets the diagnosis, and each problem is
// visible in `/registry status` (in plain words) and in /metrics — never a silent loss.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';

let fake: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('e2e-slack-faults');

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, SLACK_API_TIMEOUT_MS: '1000', JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '50' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

/** Each command from a user of its own (U0 + the channel's tail), so a direct message tells whose answer it is. */
async function command(text: string, channel: string, responseUrl: string): Promise<void> {
  const body = slashCommandBody({ text, channel_id: channel, user_id: `U0${channel.slice(2)}`, response_url: responseUrl });
  expect((await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body })).status).toBe(200);
}

/** Whatever reached the person who asked in `channel`: a response_url post for the command, or a direct message. */
const reachedPerson = (channel: string, responseId: string) =>
  fake.responseUrlPosts.some((p) => p.id === responseId && /ecr:InitiateLayerUpload/.test(JSON.stringify(p.body))) ||
  fake.ok('chat.postMessage', (c) => c.params.channel === `D0${channel.slice(2)}` && /ecr:InitiateLayerUpload/.test(JSON.stringify(c.params))).length > 0;

it('the person gets the diagnosis from an archived channel and with a deactivated token', async () => {
  fake.fail('chat.postMessage', 'channel_is_archived', 100, (p) => p.channel === 'C0ARCHIVED');
  await command(`diagnose ${ECR_DENIED}`, 'C0ARCHIVED', fake.responseUrl('archived'));
  await fake.waitFor(() => reachedPerson('C0ARCHIVED', 'archived'), 20_000, 'the diagnosis from the archived channel');

  // account_inactive on every call (DMs included): response_url needs no token.
  fake.fail('chat.postMessage', 'account_inactive', 100, (p) => p.channel === 'C0INACTIVE' || p.channel === 'D0INACTIVE');
  fake.fail('conversations.open', 'account_inactive', 100);
  await command(`diagnose ${ECR_DENIED}`, 'C0INACTIVE', fake.responseUrl('inactive'));
  await fake.waitFor(() => fake.responseUrlPosts.some((p) => p.id === 'inactive' && /ecr:InitiateLayerUpload/.test(JSON.stringify(p.body))), 40_000, 'the diagnosis through response_url');
}, 90_000);

it('a rate-limited update is retried, and a channel whose posts never answer in time still gets the answer to the person', async () => {
  fake.fail('chat.update', 'ratelimited', 1, (p) => p.channel === 'C0LIMITED');
  await command(`diagnose ${ECR_DENIED}`, 'C0LIMITED', fake.responseUrl('limited'));
  // Never answered in time, whatever the client's retries: the job ends by reaching the person another way.
  fake.delay('chat.postMessage', 3000, 20, (p) => p.channel === 'C0SLOW');
  await command(`diagnose ${ECR_DENIED}`, 'C0SLOW', fake.responseUrl('slow'));
  const replied = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined).length > 0;
  await fake.waitFor(() => replied('C0LIMITED') && reachedPerson('C0SLOW', 'slow'), 60_000, 'both answers');
}, 90_000);

it('/registry status names each problem in plain words, and /metrics counts them', async () => {
  await command('status', 'C0STATUS', fake.responseUrl('status'));
  const status = await fake.waitFor(() => fake.responseUrlPosts.find((p) => p.id === 'status' && /Slack delivery/.test(JSON.stringify(p.body))), 20_000, 'the status answer');
  const text = JSON.stringify(status.body);
  expect(text).toMatch(/channel_is_archived/);
  expect(text).toMatch(/archived: unarchive it/);
  expect(text).toMatch(/account_inactive/);
  expect(text).toMatch(/deactivated workspace/);
  expect(text).toMatch(/ratelimited/);
  expect(text).toMatch(/request_error/);

  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  expect(metrics).toMatch(/registry_doctor_slack_api_errors_total\{method="chat\.postMessage",code="channel_is_archived"\} [1-9]/);
  expect(metrics).toMatch(/registry_doctor_slack_api_errors_total\{method="chat\.postMessage",code="account_inactive"\} [1-9]/);
});
