// CI alerts end to end on real parts: the app as `npm start` runs it, real Redis, the fake Slack Web API, and
// fake GitHub and GitLab APIs serving job logs. Webhooks are signed as each sender signs them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gitlabJob from '../fixtures/webhooks/gitlab-job.json' with { type: 'json' };
import { SIGNING_SECRET, startApp, type AppProcess } from '../fakes/app-process.js';
import { FakeGitHub, FakeGitLab } from '../fakes/ci-apis.js';
import { alertJobOutcome, postCi, postGitHub, postGitLab, storedAlerts, withAlertQueue } from '../fakes/ci-webhook.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { blockActionsBody, signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';

const CI_SECRET = 'ci-webhook-secret-for-tests-0123456789';
const GITHUB_SECRET = 'github-webhook-secret-for-tests';
const GITLAB_SECRET = 'gitlab-webhook-token-for-tests';
const GITHUB_TOKEN = 'ghs_faketokenfortests000000000000000000';
const GITLAB_TOKEN = 'glpat-faketokenfortests0000';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ALERT_CHANNEL = 'C0ALERTS';
const TEAM_A_CHANNEL = 'C0TEAMA';
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

const ecrDenied = (repo: string) =>
  [
    '#12 [build 4/4] RUN make',
    `+ export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
    `The push refers to repository [${ECR}/${repo}]`,
    'a1b2c3d4e5f6: Preparing',
    `denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/${repo}`,
    'Error: Process completed with exit code 1.',
  ].join('\n');
const ghcrUnauthorized = 'The push refers to repository [ghcr.io/acme/web]\nunauthorized: unauthenticated: User cannot be authenticated with the token provided.';
const garNotFound = 'The push refers to repository [us-docker.pkg.dev/acme-prod/images/web]\nname unknown: Repository "images" not found';
const acrFirewall = "The push refers to repository [acme.azurecr.io/billing]\nunauthorized: client with IP '203.0.113.7' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.";

let slack: FakeSlack;
let github: FakeGitHub;
let gitlab: FakeGitLab;
let app: AppProcess;
const prefix = uniquePrefix('e2e-alerts');

const parents = (channel: string) => slack.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts === undefined);
const replies = (channel: string) => slack.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined);
const render = (c: RecordedCall) => JSON.stringify({ text: c.params.text, blocks: c.params.blocks });
const parentMentioning = (channel: string, what: string) => parents(channel).filter((c) => render(c).includes(what));

/** The latest text of the parent posted with ts `ts` (its last update, or the post itself). */
function latestParent(channel: string, ts: string): string {
  const updates = slack.ok('chat.update', (c) => c.params.channel === channel && c.params.ts === ts);
  const last = updates.at(-1);
  return last ? render(last) : render(parents(channel).find((c) => tsOf(c) === ts)!);
}
/** The ts the fake answered a post with. */
function tsOf(call: RecordedCall): string {
  return String(call.response?.ts);
}

function ciBody(log: string, pipeline: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ log, pipeline: { provider: 'jenkins', url: 'https://ci.example.com/job/1', ...pipeline }, ...extra });
}

const jobOutcome = (id: string) => alertJobOutcome(prefix, id, 15_000);

beforeAll(async () => {
  slack = await new FakeSlack().start();
  github = await new FakeGitHub(GITHUB_TOKEN).start();
  gitlab = await new FakeGitLab(GITLAB_TOKEN).start();
  const dir = mkdtempSync(join(tmpdir(), 'rd-alerts-'));
  const config = join(dir, 'registry-doctor.yml');
  writeFileSync(
    config,
    [
      'registries:',
      '  - name: prod-ecr',
      '    provider: ecr',
      `    host: ${ECR}`,
      'routing:',
      '  - registry: prod-ecr',
      "    repository: 'team-a/**'",
      `    channel: ${TEAM_A_CHANNEL}`,
      '',
    ].join('\n'),
  );
  app = await startApp({
    env: {
      SLACK_API_URL: slack.apiUrl,
      QUEUE_PREFIX: prefix,
      REGISTRY_DOCTOR_CONFIG: config,
      CI_WEBHOOK_SECRET: CI_SECRET,
      ALERT_CHANNEL,
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
      GITLAB_WEBHOOK_TOKEN: GITLAB_SECRET,
      GITLAB_TOKEN,
      GITLAB_URL: gitlab.url,
      // Small limits, so "cut" and "refused" are cheap to show.
      CI_LOG_LIMIT_MB: '0.05',
      WEBHOOK_BODY_LIMIT_MB: '0.5',
      ALERT_UPDATE_INTERVAL_MS: '300',
      // One "new pipelines" reply a second at most (5 minutes in production), so the listing shows here.
      ALERT_REPLY_INTERVAL_MS: '1000',
      JOB_BACKOFF_MS: '50',
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([slack?.stop(), github?.stop(), gitlab?.stop()]);
  await cleanPrefix(prefix);
});

describe('POST /webhooks/ci', () => {
  let first: Awaited<ReturnType<typeof postCi>>;
  const body = ciBody(ecrDenied('team-a/api'), { name: 'api-release', run_id: '101', job: 'push' });

  beforeAll(async () => {
    first = await postCi(app.url, CI_SECRET, body);
    await slack.waitFor(() => replies(TEAM_A_CHANNEL).length >= 1, 15_000, 'the diagnosis in the thread');
  });

  it('answers 202 with the stored alert id', () => {
    expect(first.status).toBe(202);
    expect(first.json?.id).toMatch(/^a[0-9a-f]{32}$/);
  });

  it('posts one alert in the channel the config routes team-a to, with the diagnosis in its thread', () => {
    const parent = parents(TEAM_A_CHANNEL);
    expect(parent).toHaveLength(1);
    expect(render(parent[0]!)).toContain(`${ECR}/team-a/api`);
    expect(render(parent[0]!)).toContain('1 failed push · 1 pipeline');
    const thread = replies(TEAM_A_CHANNEL);
    expect(thread).toHaveLength(1);
    expect(thread[0]!.params.thread_ts).toBe(tsOf(parent[0]!));
    expect(render(thread[0]!)).toContain('permission_denied');
    expect(render(thread[0]!)).toContain('ecr:InitiateLayerUpload');
    expect(parents(ALERT_CHANNEL)).toHaveLength(0);
  });

  it('a redelivery of the same run and job is stored once: same id, no second alert, the counter unchanged', async () => {
    const again = await postCi(app.url, CI_SECRET, body);
    expect(again.status).toBe(202);
    expect(again.json?.id).toBe(first.json?.id);
    // A later, different failure of the same fingerprint is counted after it: when its count shows, the
    // redelivery would have shown before it.
    const other = await postCi(app.url, CI_SECRET, ciBody(ecrDenied('team-a/api'), { name: 'api-nightly', run_id: '7', job: 'push' }));
    expect(other.status).toBe(202);
    const ts = tsOf(parents(TEAM_A_CHANNEL)[0]!);
    await slack.waitFor(() => latestParent(TEAM_A_CHANNEL, ts).includes('2 failed pushes · 2 pipelines'), 15_000, 'the counter at 2');
    expect(parents(TEAM_A_CHANNEL)).toHaveLength(1);
    expect(latestParent(TEAM_A_CHANNEL, ts)).not.toContain('3 failed pushes');
  });

  it('a new pipeline failing the same way is listed in the thread, once', async () => {
    const ts = tsOf(parents(TEAM_A_CHANNEL)[0]!);
    const listing = await slack.waitFor(() => replies(TEAM_A_CHANNEL).find((c) => render(c).includes('api-nightly')), 15_000, 'the new-pipelines reply');
    expect(listing.params.thread_ts).toBe(ts);
    expect(render(listing)).toContain('1 more pipeline');
    expect(render(listing)).not.toContain('api-release');
  });

  it('the same delivery id (no run/job given) is stored once', async () => {
    const log = JSON.stringify({ log: ghcrUnauthorized });
    const a = await postCi(app.url, CI_SECRET, log, { delivery: 'delivery-0000-1111' });
    const b = await postCi(app.url, CI_SECRET, log, { delivery: 'delivery-0000-1111' });
    expect(a.status).toBe(202);
    expect(b.json?.id).toBe(a.json?.id);
  });

  it('no secret reaches Slack or Redis', async () => {
    for (const call of slack.calls) expect(decodeURIComponent(call.raw.replace(/\+/g, ' '))).not.toContain(AWS_SECRET);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      for (const key of keys) {
        const type = await redis.type(key);
        const dump = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'string' ? await redis.get(key) : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1)) : '';
        expect(dump ?? '').not.toContain(AWS_SECRET);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('a failed job whose log shows no registry failure makes no alert', async () => {
    const res = await postCi(app.url, CI_SECRET, ciBody('npm test\n  1 failing\n  AssertionError: expected 2 to equal 3\nError: Process completed with exit code 1.', { name: 'unit', run_id: '5', job: 'test' }));
    expect(res.status).toBe(202);
    expect(await jobOutcome(String(res.json?.id))).toBe('not_a_push_failure');
  });

  it('a denial that is not about a registry (OIDC role assumption, nothing pushed) makes no alert', async () => {
    const oidc = 'Run aws-actions/configure-aws-credentials@v4\nError: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity\n##[error]Process completed with exit code 1.';
    const res = await postCi(app.url, CI_SECRET, ciBody(oidc, { name: 'deploy', run_id: '6', job: 'deploy' }));
    expect(res.status).toBe(202);
    expect(await jobOutcome(String(res.json?.id))).toBe('not_a_push_failure');
    expect(slack.calls.some((c) => render(c).includes('AssumeRoleWithWebIdentity'))).toBe(false);
  });

  it('a log over the size limit is cut around the failure and still diagnosed', async () => {
    const noise = Array.from({ length: 4000 }, (_, i) => `#${i} step output line ${i} ............................`).join('\n');
    const res = await postCi(app.url, CI_SECRET, ciBody(`${noise}\n${acrFirewall}\n`, { name: 'billing', run_id: '9', job: 'push' }));
    expect(res.status).toBe(202);
    await slack.waitFor(() => parentMentioning(ALERT_CHANNEL, 'acme.azurecr.io/billing').length === 1, 15_000, 'the ACR alert');
    await slack.waitFor(() => replies(ALERT_CHANNEL).some((c) => render(c).includes('firewall_denied')), 15_000, 'its diagnosis');
    // The failure stood past the limit, at the end: finding it proves the cut kept the part around it. Once
    // the job is done its log is dropped (the job is kept a day for its id alone).
    expect(await jobOutcome(String(res.json?.id))).toBe('opened');
    const stored = await withAlertQueue(prefix, async (q) => (await q.getJob(String(res.json?.id)))?.data as { log: string });
    expect(stored.log).toBe('');
  });

  it('a log of megabytes (prepared off the event loop) is redacted, cut around the failure and diagnosed', async () => {
    // Over 256 KB, the redaction and the cut run on a worker thread: what it hands back is what is stored.
    const noise = Array.from({ length: 6000 }, (_, i) => `#${i} step output line ${i} ............................`);
    noise.splice(3000, 0, `+ export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`);
    const log = `${noise.join('\n')}\n${acrFirewall.replace('billing', 'ledger')}\n`;
    expect(log.length).toBeGreaterThan(256 * 1024);
    const res = await postCi(app.url, CI_SECRET, ciBody(log, { name: 'ledger', run_id: '10', job: 'push' }));
    expect(res.status).toBe(202);
    await slack.waitFor(() => parentMentioning(ALERT_CHANNEL, 'acme.azurecr.io/ledger').length === 1, 15_000, 'the ACR alert');
    const ts = tsOf(parentMentioning(ALERT_CHANNEL, 'acme.azurecr.io/ledger')[0]!);
    await slack.waitFor(() => replies(ALERT_CHANNEL).some((c) => c.params.thread_ts === ts && render(c).includes('firewall_denied')), 15_000, 'its diagnosis');
    for (const call of slack.calls) expect(decodeURIComponent(call.raw.replace(/\+/g, ' '))).not.toContain(AWS_SECRET);
  });
});

describe('mute', () => {
  const fingerprintOf = (call: RecordedCall) => /fingerprint `([0-9a-f]{20})`/.exec(render(call))?.[1];
  async function interact(body: string) {
    const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
    const text = await res.text();
    return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  it('the Mute 24 h button: counted but not posted, the mute and who set it shown on the parent; /registry unmute posts what waited', async () => {
    const parent = parents(TEAM_A_CHANNEL)[0]!;
    const ts = tsOf(parent);
    const fp = fingerprintOf(parent)!;
    expect(fp).toMatch(/^[0-9a-f]{20}$/);
    const click = await interact(
      blockActionsBody({ action: { action_id: 'rd.mute.2', type: 'button', value: `${fp}_24h` }, user: 'U0MUTER', channel: TEAM_A_CHANNEL, message: { ts, bot_id: 'B0BOT' } }),
    );
    expect(click.status).toBe(200);
    await slack.waitFor(() => latestParent(TEAM_A_CHANNEL, ts).includes('Muted by <@U0MUTER>'), 15_000, 'the mute on the parent');
    expect(latestParent(TEAM_A_CHANNEL, ts)).toContain('rd.unmute');
    await slack.waitFor(() => slack.ok('chat.postEphemeral', (c) => c.params.user === 'U0MUTER' && String(c.params.text).includes('Muted')).length > 0, 15_000, 'the confirmation');

    const muted = await postCi(app.url, CI_SECRET, ciBody(ecrDenied('team-a/api'), { name: 'api-hotfix', run_id: '8', job: 'push' }));
    expect(muted.status).toBe(202);
    await slack.waitFor(() => latestParent(TEAM_A_CHANNEL, ts).includes('3 failed pushes · 3 pipelines'), 15_000, 'the count while muted');
    const callsWhenCounted = slack.calls.length;

    const body = slashCommandBody({ text: `unmute ${fp}`, channel_id: TEAM_A_CHANNEL, user_id: 'U0MUTER' });
    const unmute = await interact(body);
    expect(String(unmute.json?.text)).toContain('Unmuted');
    const listing = await slack.waitFor(() => replies(TEAM_A_CHANNEL).find((c) => render(c).includes('api-hotfix')), 15_000, 'the listing after unmute');
    // Posted only after the unmute: while muted, the failure was counted and nothing was posted.
    expect(slack.calls.indexOf(listing)).toBeGreaterThan(callsWhenCounted);
    await slack.waitFor(() => !latestParent(TEAM_A_CHANNEL, ts).includes('Muted by'), 15_000, 'the parent without the mute');
    expect(parents(TEAM_A_CHANNEL)).toHaveLength(1);
  });

  it('/registry mute with a bad fingerprint or duration answers its usage', async () => {
    const res = await interact(slashCommandBody({ text: 'mute nothex 5y', channel_id: TEAM_A_CHANNEL }));
    expect(String(res.json?.text)).toMatch(/Usage: `\/registry mute FINGERPRINT \[1h\|24h\|resolved\]`/);
  });
});

describe('POST /webhooks/ci refuses bad requests, and stores nothing', () => {
  const body = ciBody(ecrDenied('team-a/api'), { name: 'refused', run_id: '1', job: 'push' });
  let before: number;
  beforeAll(async () => {
    before = await storedAlerts(prefix);
  });

  it('a bad signature → 401', async () => {
    const res = await postCi(app.url, CI_SECRET, body, { signature: `v1=${'0'.repeat(64)}` });
    expect(res.status).toBe(401);
    expect(String(res.json?.error)).toMatch(/signature/);
  });

  it('a signature made with another secret → 401', async () => {
    expect((await postCi(app.url, 'another-secret', body)).status).toBe(401);
  });

  it('a stale timestamp (older than 5 minutes) → 401, and one from the future too', async () => {
    const stale = await postCi(app.url, CI_SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    expect(String(stale.json?.error)).toMatch(/5 minutes/);
    expect((await postCi(app.url, CI_SECRET, body, { timestamp: Math.floor(Date.now() / 1000) + 400 })).status).toBe(401);
  });

  it('malformed JSON → 400 saying so', async () => {
    const res = await postCi(app.url, CI_SECRET, '{"log": "denied", ');
    expect(res.status).toBe(400);
    expect(String(res.json?.error)).toMatch(/not valid JSON/);
  });

  it('a body of the wrong shape → 400 naming the field', async () => {
    const res = await postCi(app.url, CI_SECRET, JSON.stringify({ log: 'x', runner_ip: 'not-an-ip', pipeline: { url: 'nope' } }));
    expect(res.status).toBe(400);
    expect(String(res.json?.error)).toContain('runner_ip');
    expect(String(res.json?.error)).toContain('pipeline.url');
    const missing = await postCi(app.url, CI_SECRET, JSON.stringify({ image: 'ghcr.io/a/b:1' }));
    expect(missing.status).toBe(400);
    expect(String(missing.json?.error)).toContain('log');
  });

  it('the wrong content type → 415', async () => {
    const res = await postCi(app.url, CI_SECRET, body, { contentType: 'text/plain' });
    expect(res.status).toBe(415);
    expect(String(res.json?.error)).toMatch(/application\/json/);
  });

  it('a body over the hard limit → 413', async () => {
    const huge = ciBody('x'.repeat(600 * 1024), { name: 'huge' });
    const res = await postCi(app.url, CI_SECRET, huge);
    expect(res.status).toBe(413);
  });

  it('none of them was stored', async () => {
    expect(await storedAlerts(prefix)).toBe(before);
  });
});

describe('POST /webhooks/github', () => {
  const recorded = (examples as Array<{ name: string; examples: Array<Record<string, any>> }>).find((e) => e.name === 'workflow_job')!.examples;
  const failed = recorded.find((e) => e.action === 'completed' && e.workflow_job.conclusion === 'failure')!;
  const succeeded = recorded.find((e) => e.action === 'completed' && e.workflow_job.conclusion === 'success')!;
  const owner = failed.repository.owner.login as string;
  const repo = failed.repository.name as string;

  beforeAll(() => {
    github.logs.set(`${owner}/${repo}/${failed.workflow_job.id}`, `2021-08-05T10:38:10.000Z ${garNotFound.replace('\n', '\n2021-08-05T10:38:11.000Z ')}\n`);
  });

  it('a failed workflow_job → 202; the log is fetched through the REST API (302 to the download URL) and alerted', async () => {
    const res = await postGitHub(app.url, GITHUB_SECRET, 'workflow_job', failed);
    expect(res.status).toBe(202);
    await slack.waitFor(() => parentMentioning(ALERT_CHANNEL, 'us-docker.pkg.dev/acme-prod/images/web').length === 1, 15_000, 'the GAR alert');
    const api = github.requests.find((r) => r.path === `/repos/${owner}/${repo}/actions/jobs/${failed.workflow_job.id}/logs`);
    expect(api?.status).toBe(302);
    expect(api?.headers.authorization).toMatch(new RegExp(`^(token|Bearer) ${GITHUB_TOKEN}$`));
    expect(github.requests.some((r) => r.path.startsWith('/download/') && r.status === 200)).toBe(true);
    const parent = parentMentioning(ALERT_CHANNEL, 'us-docker.pkg.dev/acme-prod/images/web')[0]!;
    await slack.waitFor(() => replies(ALERT_CHANNEL).some((c) => c.params.thread_ts === tsOf(parent) && render(c).includes('repo_not_found')), 15_000, 'its diagnosis');
  });

  it('a successful job and other events → 204, nothing stored', async () => {
    const before = await storedAlerts(prefix);
    expect((await postGitHub(app.url, GITHUB_SECRET, 'workflow_job', succeeded)).status).toBe(204);
    expect((await postGitHub(app.url, GITHUB_SECRET, 'ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).status).toBe(204);
    expect(await storedAlerts(prefix)).toBe(before);
  });

  it('a bad X-Hub-Signature-256 → 401', async () => {
    expect((await postGitHub(app.url, GITHUB_SECRET, 'workflow_job', failed, `sha256=${'0'.repeat(64)}`)).status).toBe(401);
  });
});

describe('POST /webhooks/gitlab', () => {
  const failed = { ...gitlabJob, build_status: 'failed', build_id: 3580121226 };
  beforeAll(() => {
    gitlab.traces.set(`${failed.project_id}/${failed.build_id}`, `\u001b[0KRunning with gitlab-runner 16.7.0\n${ecrDenied('platform/gateway')}\n`);
  });

  it('a failed job event → 202; the trace is fetched through the GitLab API and alerted', async () => {
    const res = await postGitLab(app.url, GITLAB_SECRET, failed);
    expect(res.status).toBe(202);
    await slack.waitFor(() => parentMentioning(ALERT_CHANNEL, `${ECR}/platform/gateway`).length === 1, 15_000, 'the GitLab alert');
    const trace = gitlab.requests.find((r) => r.path === `/api/v4/projects/${failed.project_id}/jobs/${failed.build_id}/trace`);
    expect(trace?.status).toBe(200);
    expect(trace?.headers['private-token']).toBe(GITLAB_TOKEN);
  });

  it('a job that did not fail → 204; a wrong X-Gitlab-Token → 401', async () => {
    expect((await postGitLab(app.url, GITLAB_SECRET, gitlabJob)).status).toBe(204);
    expect((await postGitLab(app.url, 'wrong-token', failed)).status).toBe(401);
  });
});
