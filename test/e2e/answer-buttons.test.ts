// The buttons under a diagnosis, end to end: `node dist/main.js`, real Redis, the fake Slack Web API, signed
// block_actions sent to the real Bolt receiver. Each button's effect; clicks refused when unsigned, stale,
// or from a message the bot did not post; "Wrong cause?" → `feedback export` → a line `eval` accepts.
import { Queue } from 'bullmq';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelledCase } from '../../src/cli/eval.js';
import { DIAGNOSE_QUEUE, RERUN_JOB } from '../../src/queue/jobs.js';
import { runInProcess } from '../cli/helpers.js';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { blockActionsBody, signedHeaders, slashCommandBody, type BlockActionClick } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';

const ECR_DENIED =
  'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]\n' +
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';

let fake: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('e2e-buttons');
const env = { QUEUE_PREFIX: prefix, REDIS_URL };

async function post(body: string, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

const click = (c: BlockActionClick, timestamp?: number) => {
  const body = blockActionsBody(c);
  return post(body, signedHeaders(SIGNING_SECRET, body, timestamp));
};

interface Answer {
  channel: string;
  parentTs: string;
  reply: RecordedCall;
  id: string;
}

/** Ask for a diagnosis in `channel` and wait for its thread reply; returns where it is and its record id. */
async function diagnoseIn(channel: string): Promise<Answer> {
  const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
  await post(body, signedHeaders(SIGNING_SECRET, body));
  const reply = await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined)[0], 15_000, `reply in ${channel}`);
  await fake.waitFor(() => fake.ok('chat.update', (c) => c.params.channel === channel && /Push failed/.test(String(c.params.text)))[0], 15_000, 'parent answer');
  const id = /"value":"([A-Za-z0-9_-]+)"/.exec(JSON.stringify(reply.params.blocks))![1]!;
  return { channel, parentTs: String(reply.params.thread_ts), reply, id };
}

/** The ts the fake gave the reply. */
const replyTs = (answer: Answer): string => String(answer.reply.response?.ts);

const onAnswer = (a: Answer, action: BlockActionClick['action'], extra: Partial<BlockActionClick> = {}): BlockActionClick => ({
  action,
  channel: a.channel,
  message: { ts: replyTs(a), thread_ts: a.parentTs, bot_id: 'B0BOT', text: String(a.reply.params.text) },
  ...extra,
});

const ephemeralsTo = (user: string, channel: string) => fake.ok('chat.postEphemeral', (c) => c.params.user === user && c.params.channel === channel);

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, ...env, JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '50' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

describe('Show full evidence', () => {
  it('answers only the person who clicked, with the whole redacted excerpt', async () => {
    const a = await diagnoseIn('C0EVID');
    const res = await click(onAnswer(a, { action_id: 'rd.evidence', type: 'button', value: a.id }));
    expect(res.status).toBe(200);
    const eph = await fake.waitFor(() => ephemeralsTo('U0BOB', 'C0EVID')[0], 5000, 'ephemeral');
    const text = JSON.stringify(eph.params.blocks);
    expect(text).toContain('Full evidence');
    expect(text).toContain('is not authorized to perform: ecr:InitiateLayerUpload');
    expect(eph.params.thread_ts).toBe(a.parentTs);
  });
});

describe('Resolved', () => {
  it('marks the parent with who and when, says so in the thread, and only once', async () => {
    const a = await diagnoseIn('C0RESOLVE');
    await click(onAnswer(a, { action_id: 'rd.resolve', type: 'button', value: a.id }));
    const update = await fake.waitFor(() => fake.ok('chat.update', (c) => c.params.channel === 'C0RESOLVE' && JSON.stringify(c.params.blocks).includes('Resolved'))[0], 5000, 'resolved parent');
    expect(update.params.ts).toBe(a.parentTs);
    expect(JSON.stringify(update.params.blocks)).toMatch(/:white_check_mark: \*Resolved\* by <@U0BOB> <!date\^\d+\^/);
    expect(JSON.stringify(update.params.blocks)).toContain('user `ci` may not push to `app`'); // the answer stays
    await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.thread_ts === a.parentTs && /Marked resolved by <@U0BOB>/.test(String(c.params.text)))[0], 5000, 'thread note');

    await click(onAnswer(a, { action_id: 'rd.resolve', type: 'button', value: a.id }, { user: 'U0CAROL' }));
    const again = await fake.waitFor(() => ephemeralsTo('U0CAROL', 'C0RESOLVE')[0], 5000, 'already resolved');
    expect(String(again.params.text)).toMatch(/Already marked resolved by <@U0BOB>/);
    expect(fake.ok('chat.update', (c) => c.params.channel === 'C0RESOLVE' && JSON.stringify(c.params.blocks).includes('Resolved'))).toHaveLength(1);

    // App Home shows it resolved, with a link to its thread.
    const home = JSON.stringify({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0HOME', tab: 'home', event_ts: '1.1' });
    const event = JSON.stringify({ token: 't', team_id: 'T0FAKE', api_app_id: 'A0APP', type: 'event_callback', event_id: 'EvHOME1', event_time: 1, event: JSON.parse(home) });
    await post(event, { ...signedHeaders(SIGNING_SECRET, event), 'content-type': 'application/json' });
    const view = await fake.waitFor(() => fake.ok('views.publish', (c) => c.params.user_id === 'U0ALICE').at(-1), 5000, 'home');
    const json = JSON.stringify(view.params.view);
    expect(json).toContain(`<https://fake.slack.com/archives/C0RESOLVE/p${a.parentTs.replace('.', '')}|Open the thread>`);
    expect(json).toMatch(/resolved by <@U0BOB>/);
  });
});

describe('Re-run', () => {
  it('queues a re-run job of its own kind and answers again in the same thread', async () => {
    const a = await diagnoseIn('C0RERUN');
    await click(onAnswer(a, { action_id: 'rd.rerun', type: 'button', value: a.id }));
    const replies = await fake.waitFor(() => {
      const r = fake.ok('chat.postMessage', (c) => c.params.channel === 'C0RERUN' && c.params.thread_ts === a.parentTs && Array.isArray(c.params.blocks));
      return r.length >= 2 ? r : undefined;
    }, 15_000, 'second answer');
    expect(String(replies[1]!.params.text)).toMatch(/^<@U0BOB> :red_circle: \*Push failed:\*/);
    expect(fake.ok('chat.postMessage', (c) => c.params.channel === 'C0RERUN' && c.params.thread_ts === undefined)).toHaveLength(1);
    const queue = new Queue(DIAGNOSE_QUEUE, { connection: { url: REDIS_URL }, prefix });
    try {
      const jobs = await queue.getJobs(['completed', 'active', 'waiting']);
      expect(jobs.map((j) => j.name)).toContain(RERUN_JOB);
    } finally {
      await queue.close();
    }
  });
});

describe('Wrong cause?', () => {
  it('stores the answer with the redacted log; feedback export writes a labelled line eval accepts', async () => {
    const a = await diagnoseIn('C0WRONG');
    await click(onAnswer(a, { action_id: 'rd.wrong_cause', type: 'static_select', selected: `${a.id}:auth_expired` }));
    const thanks = await fake.waitFor(() => ephemeralsTo('U0BOB', 'C0WRONG')[0], 5000, 'thanks');
    expect(String(thanks.params.text)).toContain('*Registry login expired*');

    const dir = mkdtempSync(join(tmpdir(), 'rd-feedback-'));
    const out = join(dir, 'cases.jsonl');
    const exported = await runInProcess(['feedback', 'export', '--out', out], { env: { REDIS_URL, QUEUE_PREFIX: prefix } });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/1 labelled case exported/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const labelled = LabelledCase.parse(JSON.parse(lines[0]!));
    expect(labelled).toMatchObject({ id: `slack-${a.id}`, provider: 'ecr', category: 'auth_expired', decidable: true });
    expect(labelled.log).toContain('ecr:InitiateLayerUpload');
    const evaluated = await runInProcess(['eval', '--format', 'json', out]);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ cases: 1, misses: { category: [{ id: `slack-${a.id}`, expected: 'auth_expired', got: 'permission_denied' }] } });
  });
});

describe('refused clicks', () => {
  let a: Answer;
  beforeAll(async () => {
    a = await diagnoseIn('C0REFUSE');
  });
  const resolvedUpdates = () => fake.ok('chat.update', (c) => c.params.channel === 'C0REFUSE' && JSON.stringify(c.params.blocks).includes('Resolved'));

  it('unsigned, badly signed or stale: 401 and no effect', async () => {
    const body = blockActionsBody(onAnswer(a, { action_id: 'rd.resolve', type: 'button', value: a.id }));
    expect((await post(body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(401);
    expect((await post(body, { ...signedHeaders('wrong-secret', body) })).status).toBe(401);
    expect((await click(onAnswer(a, { action_id: 'rd.resolve', type: 'button', value: a.id }), Math.floor(Date.now() / 1000) - 600)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(resolvedUpdates()).toHaveLength(0);
  });

  it('from a message the bot did not post (a person copied the blocks), or another message: refused, no effect', async () => {
    await click(onAnswer(a, { action_id: 'rd.resolve', type: 'button', value: a.id }, { user: 'U0MALLORY', message: { ts: '1800000000.000001', bot_id: undefined as unknown as string } }));
    await fake.waitFor(() => ephemeralsTo('U0MALLORY', 'C0REFUSE')[0], 5000, 'refusal');
    await click(onAnswer(a, { action_id: 'rd.resolve', type: 'button', value: a.id }, { user: 'U0EVE', message: { ts: '1800000000.000002', bot_id: 'B0BOT' } }));
    await click(onAnswer(a, { action_id: 'rd.resolve', type: 'button', value: a.id }, { user: 'U0TRUDY', channel: 'C0ELSEWHERE' }));
    for (const [user, channel] of [['U0MALLORY', 'C0REFUSE'], ['U0EVE', 'C0REFUSE'], ['U0TRUDY', 'C0ELSEWHERE']] as const) {
      const refusal = await fake.waitFor(() => ephemeralsTo(user, channel)[0], 5000, `refusal for ${user}`);
      expect(String(refusal.params.text)).toMatch(/not on a message I posted for this diagnosis/);
    }
    expect(resolvedUpdates()).toHaveLength(0);
  });

  it('an unknown or expired id: says so, no effect', async () => {
    await click(onAnswer(a, { action_id: 'rd.resolve', type: 'button', value: 'AAAAAAAAAAAAAAAA' }, { user: 'U0OLD' }));
    const expired = await fake.waitFor(() => ephemeralsTo('U0OLD', 'C0REFUSE')[0], 5000, 'expired');
    expect(String(expired.params.text)).toMatch(/has expired/);
    expect(resolvedUpdates()).toHaveLength(0);
  });
});

describe('private', () => {
  it('`/registry diagnose --private …` answers only the person, in a DM, with the buttons working there', async () => {
    {
      const body = slashCommandBody({ text: `diagnose --private ${ECR_DENIED}`, channel_id: 'C0PUBLIC', user_id: 'U0DAVE' });
      const ack = await post(body, signedHeaders(SIGNING_SECRET, body));
      expect(JSON.parse(ack.text).text).toMatch(/sent only to you, in a direct message/);
      const reply = await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === 'D0DAVE' && c.params.thread_ts !== undefined)[0], 15_000, 'DM reply');
      expect(String(reply.params.text)).toMatch(/^<@U0DAVE> :red_circle:/);
      expect(fake.calls.filter((c) => c.params.channel === 'C0PUBLIC')).toHaveLength(0);
    }
  });
});
