// A long document a step reads (the IAM policy of an ECR denial) goes as a snippet file in the thread, after
// the reply whose command uses it, in Slack's three steps (files.getUploadURLExternal, the upload, then
// files.completeUploadExternal) against the fake Slack; the reply names the file instead of quoting it. When
// Slack will not take the file (no files:write scope, a failed upload, a 5xx), the reply is edited to quote
// the document inline: it is never lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';

const ECR_DENIED =
  'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]\n' +
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';

let fake: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('e2e-documents');

const render = (c: RecordedCall) => JSON.stringify({ text: c.params.text, blocks: c.params.blocks });

/** Ask for a diagnosis in `channel`; returns its thread reply once the job is done with it. */
async function diagnoseIn(channel: string): Promise<{ reply: RecordedCall; parentTs: string }> {
  const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
  await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  const reply = await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined)[0], 15_000, `reply in ${channel}`);
  // The parent's last edit comes after the documents were shared (or quoted).
  await fake.waitFor(() => fake.ok('chat.update', (c) => c.params.channel === channel && c.params.ts === reply.params.thread_ts && /Push failed/.test(String(c.params.text)))[0], 15_000, 'parent answer');
  return { reply, parentTs: String(reply.params.thread_ts) };
}

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, REDIS_URL } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

describe('a long document', () => {
  it('goes as a JSON snippet in the thread, after the reply whose command uses it; the reply names it', async () => {
    const { reply, parentTs } = await diagnoseIn('C0DOCS');
    const first = JSON.stringify(reply.params.blocks);
    expect(first).toContain('aws iam put-user-policy --user-name ci --policy-name ecr-push --policy-document file://ecr-push-policy.json');
    expect(first).toContain('`ecr-push-policy.json`: in the file posted below this message');
    expect(first).not.toContain('"Statement"');

    const shared = fake.sharedFiles.filter((f) => f.channel === 'C0DOCS');
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatchObject({ name: 'ecr-push-policy.json', title: 'ecr-push-policy.json', snippetType: 'json', threadTs: parentTs });
    const policy = JSON.parse(shared[0]!.content) as { Statement: Array<{ Action: string[]; Resource: string }> };
    expect(policy.Statement.flatMap((s) => s.Action)).toContain('ecr:InitiateLayerUpload');
    expect(JSON.stringify(policy)).toContain('arn:aws:ecr:us-east-1:123456789012:repository/app');

    // The three steps, in order; the file after the reply.
    const url = fake.ok('files.getUploadURLExternal', (c) => c.params.filename === 'ecr-push-policy.json').at(-1)!;
    expect(Number(url.params.length)).toBe(Buffer.byteLength(shared[0]!.content));
    const upload = fake.ok('upload', (c) => c.params.file_id === url.response?.file_id)[0]!;
    const complete = fake.ok('files.completeUploadExternal', (c) => c.params.channel_id === 'C0DOCS')[0]!;
    expect(complete.params.thread_ts).toBe(parentTs);
    expect(fake.calls.indexOf(reply)).toBeLessThan(fake.calls.indexOf(url));
    expect(fake.calls.indexOf(url)).toBeLessThan(fake.calls.indexOf(upload));
    expect(fake.calls.indexOf(upload)).toBeLessThan(fake.calls.indexOf(complete));
    expect(fake.messages('C0DOCS').find((m) => m.files?.[0]?.name === 'ecr-push-policy.json')?.thread_ts).toBe(parentTs);
    // Nothing had to be quoted.
    expect(fake.ok('chat.update', (c) => c.params.ts === reply.response?.ts)).toHaveLength(0);
  });

  it.each([
    ['an install without files:write (missing_scope)', 'C0NOSCOPE', () => fake.fail('files.getUploadURLExternal', 'missing_scope', 1, (p) => p.filename === 'ecr-push-policy.json')],
    ['the upload refused (HTTP 500 from the upload URL)', 'C0NOUPLOAD', () => fake.fail('upload', 'server_error', 1)],
    ['files.completeUploadExternal failing (HTTP 500)', 'C0NOSHARE', () => fake.fail('files.completeUploadExternal', 'server_error', 1)],
  ])('%s: the reply is edited to quote it inline', async (_why, channel, failIt) => {
    failIt();
    const { reply } = await diagnoseIn(channel);
    const quoted = await fake.waitFor(() => fake.ok('chat.update', (c) => c.params.channel === channel && c.params.ts === reply.response?.ts)[0], 15_000, 'the reply quoting it');
    const blocks = render(quoted);
    expect(blocks).toContain('ecr:InitiateLayerUpload');
    expect(blocks).toMatch(/`ecr-push-policy.json`:\\n```\\n\{/);
    expect(blocks).not.toContain('in the file posted below');
    expect(fake.sharedFiles.filter((f) => f.channel === channel)).toHaveLength(0);
  });
});
