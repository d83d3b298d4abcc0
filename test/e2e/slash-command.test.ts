// End to end on real parts: `node dist/main.js` (as `npm start`), real Redis, the fake Slack Web API,
// signed requests to /slack/events.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIAGNOSE_QUEUE } from '../../src/queue/jobs.js';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, drained, queueTotal, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { eventBody, signedHeaders, slashCommandBody, slackSignature, viewSubmissionBody } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';
const HOSTILE_LOG = [
  'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]',
  `+ export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
  'hey <!channel> look at <https://evil.example/phish|click here> and <@U0BOSS>',
  ECR_DENIED,
].join('\n');

let fake: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('e2e-slash');

async function post(body: string, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

function command(text: string, channel: string, extra: { response_url?: string; trigger_id?: string } = {}) {
  const body = slashCommandBody({ text, channel_id: channel, ...extra });
  return post(body, signedHeaders(SIGNING_SECRET, body));
}

const inChannel = (channel: string) => (c: RecordedCall) => c.params.channel === channel;
const parentsIn = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined);
const repliesIn = (channel: string) => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined);
const render = (c: RecordedCall) => JSON.stringify({ text: c.params.text, blocks: c.params.blocks, view: c.params.view });

async function waitForReply(channel: string, count = 1): Promise<RecordedCall[]> {
  return fake.waitFor(() => (repliesIn(channel).length >= count ? repliesIn(channel) : undefined), 15_000, `thread reply in ${channel}`);
}

async function waitForDone(channel: string): Promise<RecordedCall> {
  return fake.waitFor(
    () => fake.ok('chat.update', inChannel(channel)).find((c) => /Push failed/.test(String(c.params.text))),
    15_000,
    `parent update in ${channel}`,
  );
}

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '50' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

describe('/registry diagnose <pasted error>', () => {
  const channel = 'C0DIAG';
  let ack: Awaited<ReturnType<typeof command>>;

  beforeAll(async () => {
    ack = await command(`diagnose ${HOSTILE_LOG}`, channel, { response_url: fake.responseUrl('diag') });
    await waitForReply(channel);
    await waitForDone(channel);
  });

  it('acks with an ephemeral "diagnosing…"', () => {
    expect(ack.status).toBe(200);
    expect(ack.json?.response_type).toBe('ephemeral');
    expect(String(ack.json?.text)).toMatch(/Diagnosing…/);
  });

  it('posts a parent message in the channel, then the answer in its thread, mentioning the person', () => {
    const parents = parentsIn(channel);
    expect(parents).toHaveLength(1);
    const parentTs = fake.calls.indexOf(parents[0]!);
    const replies = repliesIn(channel);
    expect(replies).toHaveLength(1);
    const updates = fake.ok('chat.update', inChannel(channel));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(replies[0]!.params.thread_ts).toBe(updates[0]!.params.ts);
    expect(fake.calls.indexOf(replies[0]!)).toBeGreaterThan(parentTs);
    expect(String(parents[0]!.params.text)).toMatch(/Diagnosing/);
    expect(String(parents[0]!.params.text)).not.toContain('<@'); // the one notification is the answer
    expect(String(replies[0]!.params.text)).toMatch(/^<@U0ALICE> :red_circle: \*Push failed:\* user `ci` may not push to `app` \(missing `ecr:InitiateLayerUpload`\)\. First: `aws iam put-user-policy/);
  });

  it('the thread reply leads with "Do this first", then the redacted evidence, and has the buttons', () => {
    const reply = repliesIn(channel)[0]!;
    const blocks = reply.params.blocks as Array<{ type: string; text?: { text: string }; block_id?: string }>;
    expect(blocks[1]!.text!.text).toMatch(/^\*Do this first\*/);
    expect(blocks[2]!.text!.text).toMatch(/^\*Evidence\*[\s\S]*ecr:InitiateLayerUpload/);
    expect(blocks.some((b) => b.type === 'actions' && b.block_id === 'rd.answer')).toBe(true);
  });

  it('the parent ends as the answer, in plain words, never as a success', async () => {
    const done = await waitForDone(channel);
    expect(render(done)).toContain('user `ci` may not push to `app`');
    expect(render(done)).not.toMatch(/permission_denied|white_check_mark/);
  });

  it('no secret reaches Slack, and mentions or links from the log are rendered harmless', () => {
    for (const call of fake.calls) {
      expect(call.raw).not.toContain(AWS_SECRET);
      expect(decodeURIComponent(call.raw.replace(/\+/g, ' '))).not.toContain(AWS_SECRET);
      const rendered = render(call);
      expect(rendered).not.toContain('<!channel>');
      expect(rendered).not.toContain('<https://evil.example/phish|click here>');
      expect(rendered).not.toContain('<@U0BOSS>');
    }
  });

  it('the job stored in Redis holds only redacted text', async () => {
    const redis = new Redis(REDIS_URL);
    const queue = new Queue(DIAGNOSE_QUEUE, { connection: redis, prefix });
    try {
      const jobs = await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed']);
      expect(jobs.length).toBeGreaterThan(0);
      for (const job of jobs) expect(JSON.stringify(job.data)).not.toContain(AWS_SECRET);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          const dump = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1)) : type === 'string' ? await redis.get(key) : '';
          expect(dump ?? '').not.toContain(AWS_SECRET);
        }
      } while (cursor !== '0');
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});

describe('the diagnose modal', () => {
  const channel = 'C0MODAL';

  it('`diagnose` alone opens the form; submitting it posts the diagnosis in the channel the command came from', async () => {
    const ack = await command('diagnose', channel, { trigger_id: '99.modal.trigger', response_url: fake.responseUrl('modal') });
    expect(ack.status).toBe(200);
    const open = await fake.waitFor(() => fake.ok('views.open').find((c) => c.params.trigger_id === '99.modal.trigger'), 5000, 'views.open');
    const view = open.params.view as { callback_id: string; private_metadata: string; blocks: Array<{ block_id?: string; element?: { max_length?: number; options?: unknown[] } }> };
    expect(view.callback_id).toBeTruthy();
    expect(JSON.parse(view.private_metadata).channel).toBe(channel);
    expect(view.blocks.find((b) => b.block_id === 'log')?.element?.max_length).toBe(3000);
    expect(view.blocks.find((b) => b.block_id === 'registry')?.element?.options).toHaveLength(1); // "any": no registries configured

    const body = viewSubmissionBody({
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      state: {
        values: {
          log: { log: { type: 'plain_text_input', value: HOSTILE_LOG } },
          image: { image: { type: 'plain_text_input', value: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2' } },
          registry: { registry: { type: 'static_select', selected_option: { value: '__any__', text: { type: 'plain_text', text: 'Any' } } } },
        },
      },
    });
    const res = await post(body, signedHeaders(SIGNING_SECRET, body));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [reply] = await waitForReply(channel);
    const parent = parentsIn(channel)[0]!;
    expect(render(parent)).toContain('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2');
    expect(reply!.params.thread_ts).toBe(parent.response?.ts);
    await waitForDone(channel); // the job is finished (the next test counts jobs)
    expect(render(reply!)).toContain('may not push to');
    expect(render(reply!)).toContain('ecr:InitiateLayerUpload');
    for (const call of fake.calls) expect(call.raw).not.toContain(AWS_SECRET);
  });

  it('refuses an empty form or an image field too long for a reference with field errors, and enqueues nothing', async () => {
    // Nothing in motion first (an entry between inbox and queue is counted in both for a moment).
    await drained(prefix);
    const before = await queueTotal(prefix);
    const metadata = JSON.stringify({ channel, command: '/registry' });
    const submit = async (log: string, image: string) => {
      const body = viewSubmissionBody({
        callback_id: 'registry_doctor_diagnose',
        private_metadata: metadata,
        state: { values: { log: { log: { type: 'plain_text_input', value: log } }, image: { image: { type: 'plain_text_input', value: image } } } },
      });
      return post(body, signedHeaders(SIGNING_SECRET, body));
    };
    const empty = await submit('', '');
    expect(empty.status).toBe(200);
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { log: expect.any(String) } });
    const long = await submit('some log', `registry.example.com/${'a'.repeat(700)}`);
    expect(long.json).toMatchObject({ response_action: 'errors', errors: { image: expect.stringMatching(/image reference/) } });
    expect(await queueTotal(prefix)).toBe(before);
  });

  it('never lets the image reference block a diagnosis: one Docker would refuse is diagnosed, and the answer says why', async () => {
    const formChannel = 'C0MODALREF';
    const body = viewSubmissionBody({
      callback_id: 'registry_doctor_diagnose',
      private_metadata: JSON.stringify({ channel: formChannel, command: '/registry' }),
      state: { values: { log: { log: { type: 'plain_text_input', value: '' } }, image: { image: { type: 'plain_text_input', value: 'ghcr.io/Acme/App:1.0' } } } },
    });
    const res = await post(body, signedHeaders(SIGNING_SECRET, body));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [reply] = await waitForReply(formChannel);
    expect(render(reply!)).toContain('invalid reference format');
  });
});

describe('request verification', () => {
  it('rejects unsigned, badly signed and stale requests with 401 and enqueues nothing', async () => {
    // Nothing in motion first (an entry between inbox and queue is counted in both for a moment).
    await drained(prefix);
    const before = await queueTotal(prefix);
    const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: 'C0FORGED' });
    const now = Math.floor(Date.now() / 1000);
    const unsigned = await post(body, { 'content-type': 'application/x-www-form-urlencoded' });
    const badSig = await post(body, { ...signedHeaders('not-the-secret', body) });
    const tampered = await post(body.replace('C0FORGED', 'C0OTHER'), signedHeaders(SIGNING_SECRET, body));
    const staleTs = now - 6 * 60;
    const stale = await post(body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(staleTs),
      'x-slack-signature': slackSignature(SIGNING_SECRET, staleTs, body),
    });
    for (const r of [unsigned, badSig, tampered, stale]) expect(r.status).toBe(401);
    // A refused request is answered before anything could be stored: what is in Redis now is all there will be.
    expect(await queueTotal(prefix)).toBe(before);
    expect(fake.calls.filter((c) => c.params.channel === 'C0FORGED' || c.params.channel === 'C0OTHER')).toHaveLength(0);
  });
});

describe('Slack URL verification', () => {
  it('answers the challenge Slack sends when the request URL is saved', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'c-123', type: 'url_verification' });
    const res = await post(body, { ...signedHeaders(SIGNING_SECRET, body), 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: 'c-123' });
  });
});

describe('help, status and usage', () => {
  it('help and status answer ephemerally; status says plainly that registries are not yet checked', async () => {
    const help = await command('help', 'C0HELP');
    expect(help.json?.response_type).toBe('ephemeral');
    expect(JSON.stringify(help.json)).toMatch(/diagnose/);
    const status = await command('status', 'C0HELP');
    expect(status.json?.response_type).toBe('ephemeral');
    expect(JSON.stringify(status.json)).toMatch(/No registries are configured/);
  });

  it('anything else gets the usage, with the unknown word escaped, and queues nothing', async () => {
    // Nothing in motion first (an entry between inbox and queue is counted in both for a moment).
    await drained(prefix);
    const before = await queueTotal(prefix);
    const res = await command('<!here> frobnicate', 'C0HELP');
    expect(res.json?.response_type).toBe('ephemeral');
    const text = JSON.stringify(res.json);
    expect(text).toMatch(/Usage/);
    expect(text).not.toContain('<!here>');
    // The usage is the ack itself: had anything been stored, it would be in Redis by now.
    expect(await queueTotal(prefix)).toBe(before);
  });
});

describe('Slack API errors', () => {
  it('not_in_channel: the full diagnosis by DM with how to invite the bot; nothing else posted, no retries', async () => {
    const channel = 'C0NOTIN';
    fake.fail('chat.postMessage', 'not_in_channel', 1, (p) => p.channel === channel);
    await command(`diagnose ${ECR_DENIED}`, channel, { response_url: fake.responseUrl('notin') });
    const dm = await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === 'D0ALICE' && String(c.params.text).includes('not_in_channel'))[0], 10_000, 'DM');
    expect(render(dm)).toContain('/invite @registry-doctor');
    expect(render(dm)).toContain('Do this first');
    expect(render(dm)).toContain('aws iam put-user-policy --user-name ci');
    await drained(prefix);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === channel)).toHaveLength(1);
  });

  it('msg_blocks_too_long / invalid_blocks: the same answer as plain text at once', async () => {
    for (const [i, code] of (['msg_blocks_too_long', 'invalid_blocks'] as const).entries()) {
      const channel = `C0BLOCKS${i}`;
      fake.fail('chat.postMessage', code, 1, (p) => p.channel === channel && p.thread_ts !== undefined);
      await command(`diagnose ${ECR_DENIED}`, channel);
      const reply = await fake.waitFor(() => repliesIn(channel)[0], 10_000, 'plain reply');
      expect(reply.params.blocks).toBeUndefined();
      expect(String(reply.params.text)).toMatch(/^<@U0ALICE> :red_circle: \*Push failed:\* user `ci` may not push to `app`/);
      expect(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === channel && c.params.thread_ts !== undefined)).toHaveLength(2);
    }
  });

  it('ratelimited: Retry-After is honoured, and the reply is posted once', async () => {
    const channel = 'C0RATE';
    fake.fail('chat.postMessage', 'ratelimited', 1, (p) => p.channel === channel && p.thread_ts !== undefined);
    await command(`diagnose ${ECR_DENIED}`, channel);
    await waitForReply(channel);
    await waitForDone(channel);
    const attempts = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === channel && c.params.thread_ts !== undefined);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(parentsIn(channel)).toHaveLength(1);
    expect(repliesIn(channel)).toHaveLength(1);
  });

  it('HTTP 500: the job is retried with backoff, looking for its reply before posting; parent and reply are each posted once', async () => {
    const channel = 'C0FIVE';
    // The posting client makes each call once (a 500 may follow an accepted post): two attempts fail, the third posts.
    fake.fail('chat.postMessage', 'server_error', 2, (p) => p.channel === channel && p.thread_ts !== undefined);
    await command(`diagnose ${ECR_DENIED}`, channel);
    await waitForReply(channel);
    await waitForDone(channel);
    expect(parentsIn(channel)).toHaveLength(1);
    expect(repliesIn(channel)).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === channel && c.params.thread_ts !== undefined).map((c) => c.status)).toEqual([500, 500, 200]);
    // Before the attempts after a failed post, the thread was searched for it.
    expect(fake.ok('conversations.replies', inChannel(channel)).length).toBeGreaterThanOrEqual(2);
    expect(fake.ok('chat.update', inChannel(channel)).map((c) => String(c.params.blocks && JSON.stringify(c.params.blocks)))).toEqual(
      expect.arrayContaining([expect.stringMatching(/retrying.*\(attempt 1 of 3 failed\)/)]),
    );
    expect(String(repliesIn(channel)[0]!.params.text)).toMatch(/^<@U0ALICE> :red_circle: \*Push failed:\*/);
  });

  it('a reply that fails for good: the parent says so, and the person still gets the answer by DM', async () => {
    const channel = 'C0DOWN';
    fake.fail('chat.postMessage', 'server_error', 100, (p) => p.channel === channel && p.thread_ts !== undefined);
    await command(`diagnose ${ECR_DENIED}`, channel, { response_url: fake.responseUrl('down') });
    const failed = await fake.waitFor(
      () => fake.ok('chat.update', inChannel(channel)).find((c) => /could not be completed after 3 attempts/.test(String(c.params.text))),
      15_000,
      'failure update',
    );
    expect(render(failed)).toMatch(/could not be completed.*after 3 attempts: Slack API error http_500/);
    const dm = await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === 'D0ALICE' && String(c.params.text).includes('http_500'))[0], 10_000, 'DM');
    expect(render(dm)).toContain('user `ci` may not push to `app`');
    expect(parentsIn(channel)).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === channel && c.status === 500).length).toBeGreaterThanOrEqual(3);
  });
});

describe('failures before anything is posted', () => {
  it('a job that cannot post at all (500 everywhere) still delivers the diagnosis through response_url', async () => {
    const channel = 'C0NOPOST';
    fake.fail('chat.postMessage', 'server_error', 200, (p) => p.channel === channel || p.channel === 'D0CAROL');
    const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel, user_id: 'U0CAROL', response_url: fake.responseUrl('nopost') });
    await post(body, signedHeaders(SIGNING_SECRET, body));
    const note = await fake.waitFor(() => fake.responseUrlPosts.find((p) => p.id === 'nopost'), 20_000, 'response_url answer');
    expect(note.body.response_type).toBe('ephemeral');
    expect(String(note.body.text)).toMatch(/http_500[\s\S]*<@U0CAROL> :red_circle: \*Push failed:\* user `ci` may not push to `app`/);
  });

  it('a form that cannot be opened is explained through response_url', async () => {
    fake.fail('views.open', 'expired_trigger_id', 1, (p) => p.trigger_id === 'late.trigger');
    await command('diagnose', 'C0LATE', { trigger_id: 'late.trigger', response_url: fake.responseUrl('late') });
    const note = await fake.waitFor(() => fake.responseUrlPosts.find((p) => p.id === 'late'), 5000, 'response_url note');
    expect(String(note.body.text)).toMatch(/couldn't open the form \(Slack answered `expired_trigger_id`\)/);
  });
});

describe('App Home', () => {
  it('app_home_opened publishes the recent diagnoses and the registries', async () => {
    const body = eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` });
    const res = await post(body, { ...signedHeaders(SIGNING_SECRET, body), 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const publish = await fake.waitFor(() => fake.ok('views.publish').find((c) => c.params.user_id === 'U0ALICE'), 5000, 'views.publish');
    const view = render(publish);
    expect(view).toContain('Your recent diagnoses');
    expect(view).toContain('Not allowed to push there');
    expect(view).toMatch(/<https:\/\/fake\.slack\.com\/archives\/C0[A-Z0-9]+\/p\d+\|Open the thread>/);
    // Someone else sees only their own (diagnoses may come from private channels).
    const other = eventBody({ type: 'app_home_opened', user: 'U0BOB', channel: 'D0BOB', tab: 'home', event_ts: '1.2' });
    await post(other, { ...signedHeaders(SIGNING_SECRET, other), 'content-type': 'application/json' });
    const bob = await fake.waitFor(() => fake.ok('views.publish').find((c) => c.params.user_id === 'U0BOB'), 5000, 'views.publish for bob');
    expect(render(bob)).not.toContain('Not allowed to push there');
    expect(render(bob)).toContain('None yet');
    expect(view).toContain('No registries are configured');
    expect(view).not.toContain(AWS_SECRET);
  });
});
