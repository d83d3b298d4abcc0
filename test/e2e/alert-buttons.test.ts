// The buttons of a CI alert's diagnosis, end to end: `node dist/main.js`, real Redis, the fake Slack Web API,
// signed webhooks and signed block_actions sent to the real Bolt receiver. The diagnosis in an alert's thread
// has Re-run (the latest failure's log), Resolved (the alert resolved and closed, its mute "until resolved"
// ended), Wrong cause? (a labelled case `eval` reads) and Show full evidence, next to the alert's mute
// buttons; clicks are refused when unsigned, stale or from a message the bot did not post.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelledCase } from '../../src/cli/eval.js';
import { DIAGNOSE_QUEUE, RERUN_JOB } from '../../src/queue/jobs.js';
import { runInProcess } from '../cli/helpers.js';
import { SIGNING_SECRET, startApp, type AppProcess } from '../fakes/app-process.js';
import { postCi } from '../fakes/ci-webhook.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { blockActionsBody, signedHeaders, type BlockActionClick } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';
import { slackProblems } from '../render/slack-limits.js';

const CI_SECRET = 'ci-webhook-secret-for-alert-buttons-0123';
const CHANNEL = 'C0ALERTBTN';
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** An ECR denial; `user` is the IAM user named in it (the fingerprint does not depend on it). */
const ecrDenied = (user: string) =>
  [
    `+ export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
    `The push refers to repository [${ECR}/shop/api]`,
    `denied: User: arn:aws:iam::123456789012:user/${user} is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/shop/api`,
    'Error: Process completed with exit code 1.',
  ].join('\n');
const ciBody = (log: string, name: string, run: string) => JSON.stringify({ log, pipeline: { provider: 'jenkins', name, run_id: run, url: `https://ci.example.com/${name}/${run}` } });

let slack: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('e2e-alert-buttons');

const render = (c: RecordedCall) => JSON.stringify({ text: c.params.text, blocks: c.params.blocks });
const tsOf = (c: RecordedCall) => String(c.response?.ts);
const parents = () => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts === undefined);
const thread = (ts: string) => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts === ts);
const ephemeralsTo = (user: string) => slack.ok('chat.postEphemeral', (c) => c.params.user === user && c.params.channel === CHANNEL);
function latestParent(ts: string): string {
  const last = slack.ok('chat.update', (c) => c.params.channel === CHANNEL && c.params.ts === ts).at(-1);
  return last ? render(last) : render(parents().find((c) => tsOf(c) === ts)!);
}
const actionIds = (c: RecordedCall) => [...render(c).matchAll(/"action_id":"(rd\.[a-z_.0-9]+)"/g)].map((m) => m[1]);

async function post(body: string, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}
const click = (c: BlockActionClick, timestamp?: number) => {
  const body = blockActionsBody(c);
  return post(body, signedHeaders(SIGNING_SECRET, body, timestamp));
};

/** A click on the diagnosis reply `reply` of the alert whose parent is `parentTs`. */
const onReply = (reply: RecordedCall, action: BlockActionClick['action'], extra: Partial<BlockActionClick> = {}): BlockActionClick => ({
  action,
  channel: CHANNEL,
  message: { ts: tsOf(reply), thread_ts: String(reply.params.thread_ts), bot_id: 'B0BOT', text: String(reply.params.text) },
  ...extra,
});
/** The record id the buttons of a reply carry (the Re-run button's value). */
function idOf(reply: RecordedCall): string {
  const blocks = reply.params.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>;
  return blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'rd.rerun')?.value ?? '';
}

/** Wait until the diagnose worker has finished a re-run job (its parent edits, had there been any, are made). */
async function rerunFinished(): Promise<void> {
  const queue = new Queue(DIAGNOSE_QUEUE, { connection: { url: REDIS_URL }, prefix });
  try {
    const deadline = Date.now() + 15_000;
    while (!(await queue.getJobs(['completed'])).some((j) => j.name === RERUN_JOB)) {
      if (Date.now() > deadline) throw new Error('the re-run job did not finish');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await queue.close();
  }
}

let parent: RecordedCall;
let diagnosis: RecordedCall;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  app = await startApp({
    env: {
      SLACK_API_URL: slack.apiUrl,
      QUEUE_PREFIX: prefix,
      CI_WEBHOOK_SECRET: CI_SECRET,
      ALERT_CHANNEL: CHANNEL,
      ALERT_UPDATE_INTERVAL_MS: '300',
      ALERT_REPLY_INTERVAL_MS: '1000',
      JOB_BACKOFF_MS: '50',
    },
  });
  expect((await postCi(app.url, CI_SECRET, ciBody(ecrDenied('ci'), 'api-release', '1'))).status).toBe(202);
  parent = await slack.waitFor(() => parents()[0], 15_000, 'the alert');
  diagnosis = await slack.waitFor(() => thread(tsOf(parent))[0], 15_000, 'its diagnosis');
}, 60_000); // the app's start and the first alert's whole thread

afterAll(async () => {
  await app?.stop();
  await slack?.stop();
  await cleanPrefix(prefix);
});

describe("an alert's diagnosis", () => {
  it('has Re-run, Resolved, Wrong cause? and Show full evidence; the parent keeps its mute buttons; both within Slack limits', () => {
    expect(actionIds(diagnosis)).toEqual(['rd.rerun', 'rd.resolve', 'rd.wrong_cause', 'rd.evidence']);
    expect(actionIds(parent)).toEqual(['rd.mute.1', 'rd.mute.2', 'rd.mute.3']);
    expect(idOf(diagnosis)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    for (const message of [diagnosis, parent]) expect(slackProblems({ text: String(message.params.text), blocks: message.params.blocks as never })).toEqual([]);
  });

  it('Show full evidence answers only the clicker, in the thread, with the redacted excerpt', async () => {
    await click(onReply(diagnosis, { action_id: 'rd.evidence', type: 'button', value: idOf(diagnosis) }, { user: 'U0EVID' }));
    const eph = await slack.waitFor(() => ephemeralsTo('U0EVID')[0], 5000, 'the evidence');
    expect(JSON.stringify(eph.params.blocks)).toContain('user/ci is not authorized to perform: ecr:InitiateLayerUpload');
    expect(JSON.stringify(eph.params.blocks)).not.toContain(AWS_SECRET.slice(0, 8));
    expect(eph.params.thread_ts).toBe(tsOf(parent));
  });

  it('Wrong cause? stores the answer with the redacted log; feedback export writes a line eval accepts', async () => {
    const id = idOf(diagnosis);
    await click(onReply(diagnosis, { action_id: 'rd.wrong_cause', type: 'static_select', selected: `${id}:repo_not_found` }, { user: 'U0LABEL' }));
    const thanks = await slack.waitFor(() => ephemeralsTo('U0LABEL')[0], 5000, 'thanks');
    expect(String(thanks.params.text)).toContain('registry-doctor feedback export');

    const out = join(mkdtempSync(join(tmpdir(), 'rd-alert-feedback-')), 'cases.jsonl');
    const exported = await runInProcess(['feedback', 'export', '--out', out], { env: { REDIS_URL, QUEUE_PREFIX: prefix } });
    expect(exported.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const labelled = LabelledCase.parse(JSON.parse(lines[0]!));
    expect(labelled).toMatchObject({ id: `slack-${id}`, provider: 'ecr', category: 'repo_not_found' });
    expect(labelled.log).toContain('user/ci is not authorized');
    expect(labelled.log).not.toContain(AWS_SECRET.slice(0, 8));
    const evaluated = await runInProcess(['eval', '--format', 'json', out]);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ cases: 1, misses: { category: [{ id: `slack-${id}`, expected: 'repo_not_found', got: 'permission_denied' }] } });
  });

  it('refuses clicks unsigned, stale or from a message the bot did not post: nothing resolved, nothing muted', async () => {
    const resolve = onReply(diagnosis, { action_id: 'rd.resolve', type: 'button', value: idOf(diagnosis) });
    const body = blockActionsBody(resolve);
    expect((await post(body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(401);
    expect((await click(resolve, Math.floor(Date.now() / 1000) - 600)).status).toBe(401);
    await click({ ...resolve, user: 'U0MALLORY', message: { ts: tsOf(diagnosis), thread_ts: tsOf(parent) } });
    const fp = /fingerprint `([0-9a-f]{20})`/.exec(render(parent))![1]!;
    await click({ action: { action_id: 'rd.mute.3', type: 'button', value: `${fp}_resolved` }, user: 'U0TRUDY', channel: CHANNEL, message: { ts: tsOf(parent) } });
    expect(String((await slack.waitFor(() => ephemeralsTo('U0MALLORY')[0], 5000, 'refusal')).params.text)).toMatch(/not on a message I posted/);
    expect(String((await slack.waitFor(() => ephemeralsTo('U0TRUDY')[0], 5000, 'refusal')).params.text)).toMatch(/not on an alert I posted/);
    expect(slack.ok('chat.update', (c) => c.params.channel === CHANNEL)).toHaveLength(0);
  });

  it("Re-run diagnoses the alert's latest failure again, in its thread, and leaves the alert's parent to the alert", async () => {
    expect((await postCi(app.url, CI_SECRET, ciBody(ecrDenied('release-bot'), 'api-nightly', '2'))).status).toBe(202);
    await slack.waitFor(() => latestParent(tsOf(parent)).includes('2 failed pushes · 2 pipelines'), 15_000, 'the counter at 2');
    await click(onReply(diagnosis, { action_id: 'rd.rerun', type: 'button', value: idOf(diagnosis) }, { user: 'U0RERUN' }));
    const rerun = await slack.waitFor(() => thread(tsOf(parent)).find((c) => String(c.params.text).startsWith('<@U0RERUN>')), 15_000, 'the re-run');
    expect(render(rerun)).toContain('user `release-bot`');
    expect(actionIds(rerun)).toEqual(['rd.rerun', 'rd.resolve', 'rd.wrong_cause', 'rd.evidence']);
    // The diagnose worker never turns the alert's parent into a command's answer: none of its edits, once done.
    await rerunFinished();
    for (const update of slack.ok('chat.update', (c) => c.params.ts === tsOf(parent))) expect(render(update)).toContain('failed push');
    expect(parents()).toHaveLength(1);
  });

  it('Resolved resolves the alert: the parent says who and when, the mute "until resolved" ends, the next failure opens a new alert', async () => {
    const ts = tsOf(parent);
    const fp = /fingerprint `([0-9a-f]{20})`/.exec(render(parent))![1]!;
    await click({ action: { action_id: 'rd.mute.3', type: 'button', value: `${fp}_resolved` }, user: 'U0MUTER', channel: CHANNEL, message: { ts, bot_id: 'B0BOT' } });
    await slack.waitFor(() => latestParent(ts).includes('Muted by <@U0MUTER> until resolved'), 15_000, 'the mute');

    await click(onReply(diagnosis, { action_id: 'rd.resolve', type: 'button', value: idOf(diagnosis) }, { user: 'U0FIXER' }));
    await slack.waitFor(() => latestParent(ts).includes('Resolved by <@U0FIXER> <!date^'), 15_000, 'the parent resolved');
    expect(latestParent(ts)).not.toContain('rd.mute');
    expect(latestParent(ts)).not.toContain('Muted by');
    expect(latestParent(ts)).toContain('2 failed pushes · 2 pipelines');
    const note = await slack.waitFor(() => thread(ts).find((c) => String(c.params.text).includes('Marked resolved by <@U0FIXER>')), 5000, 'the note');
    expect(String(note.params.text)).toContain('the mute "until resolved" has ended');

    // Had the mute lasted, this failure would have been counted silently; had the group stayed open, counted into it.
    expect((await postCi(app.url, CI_SECRET, ciBody(ecrDenied('ci'), 'api-release', '3'))).status).toBe(202);
    const second = await slack.waitFor(() => parents()[1], 15_000, 'a new alert');
    expect(render(second)).toContain('1 failed push · 1 pipeline');
    expect(render(second)).toContain('rd.mute.3');
    await slack.waitFor(() => thread(tsOf(second))[0], 15_000, 'its diagnosis');
    expect(latestParent(ts)).toContain('2 failed pushes · 2 pipelines');

    // A second click on the first alert, even from the re-run's answer, is told who resolved it; nothing changes.
    const rerun = thread(ts).find((c) => String(c.params.text).startsWith('<@U0RERUN>'))!;
    const updates = slack.ok('chat.update', (c) => c.params.ts === ts).length;
    await click(onReply(rerun, { action_id: 'rd.resolve', type: 'button', value: idOf(rerun) }, { user: 'U0LATE' }));
    expect(String((await slack.waitFor(() => ephemeralsTo('U0LATE')[0], 5000, 'already')).params.text)).toMatch(/Already marked resolved by <@U0FIXER>/);
    expect(slack.ok('chat.update', (c) => c.params.ts === ts)).toHaveLength(updates);
  });
});
