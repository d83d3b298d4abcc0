// Secrets on the CI paths: the whole redaction corpus in CI webhook bodies (log and pipeline fields), and in
// job logs the worker fetches from GitHub and GitLab. No piece of 8 characters or more of any secret reaches a
// Slack call, a log line or a Redis value — the same scan as for the slash command (test/e2e/secrets.test.ts).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import gitlabJob from '../fixtures/webhooks/gitlab-job.json' with { type: 'json' };
import { startApp, type AppProcess } from '../fakes/app-process.js';
import { FakeGitHub, FakeGitLab } from '../fakes/ci-apis.js';
import { postCi, postGitHub, postGitLab, withAlertQueue } from '../fakes/ci-webhook.js';
import { inboxLength } from '../../src/queue/inbox.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack } from '../fakes/slack-api.js';
import { redisValues, strings } from '../helpers/leak-scan.js';
import { leaksByPlace, readWholeCorpus } from '../helpers/secret-corpus.js';

const CI_SECRET = 'ci-webhook-secret-for-leak-tests';
const GITHUB_SECRET = 'github-webhook-secret-for-leak-tests';
const GITHUB_TOKEN = 'ghp_fakeTokenForLeakTests0000000000000000';
const GITLAB_SECRET = 'gitlab-webhook-token-for-leak-tests';
const GITLAB_TOKEN = 'glpat-faketokenforleaktests00';
const ALERT_CHANNEL = 'C0LEAKALERTS';
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

const corpus = readWholeCorpus().filter((c) => c.secrets.length > 0);
const prefix = uniquePrefix('e2e-secrets-ci');
let slack: FakeSlack;
let github: FakeGitHub;
let gitlab: FakeGitLab;
let app: AppProcess;

/** A failed push whose log carries the corpus case, so every path stores, diagnoses and alerts it. */
const pushLog = (input: string, i: number) =>
  [`The push refers to repository [${ECR}/leak-${i}]`, input, `denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/leak-${i}`].join('\n');

beforeAll(async () => {
  slack = await new FakeSlack().start();
  github = await new FakeGitHub(GITHUB_TOKEN).start();
  gitlab = await new FakeGitLab(GITLAB_TOKEN).start();
  app = await startApp({
    env: {
      SLACK_API_URL: slack.apiUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'debug',
      CI_WEBHOOK_SECRET: CI_SECRET,
      ALERT_CHANNEL,
      GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
      GITLAB_WEBHOOK_TOKEN: GITLAB_SECRET,
      GITLAB_TOKEN,
      GITLAB_URL: gitlab.url,
      // Hundreds of alerts in one channel: per-channel and workspace-wide pacing are off here.
      SLACK_CHANNEL_INTERVAL_MS: '0',
      SLACK_UPDATES_PER_MINUTE: '0',
      ALERT_UPDATE_INTERVAL_MS: '300',
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([slack?.stop(), github?.stop(), gitlab?.stop()]);
  await cleanPrefix(prefix);
});

it('no piece of any corpus secret from a webhook or a fetched CI log reaches Slack, a log line or Redis', async () => {
  const recorded = (examples as Array<{ name: string; examples: Array<Record<string, any>> }>).find((e) => e.name === 'workflow_job')!.examples;
  const failedJob = recorded.find((e) => e.action === 'completed' && e.workflow_job.conclusion === 'failure')!;
  const [owner, repo] = String(failedJob.repository.full_name).split('/') as [string, string];
  // Each corpus case takes one of the three paths in turn: every secret is sent once, every path many times;
  // 16 deliveries at a time, as a busy CI fleet sends them.
  const deliver = async (c: (typeof corpus)[number], i: number) => {
    const firstLine = c.input.split('\n')[0]!.slice(0, 200);
    const jobId = 900_000 + i;
    let answer;
    if (i % 3 === 0) {
      answer = await postCi(app.url, CI_SECRET, JSON.stringify({ log: pushLog(c.input, i), pipeline: { provider: 'jenkins', name: firstLine, run_id: `run-${i}`, branch: firstLine } }));
    } else if (i % 3 === 1) {
      github.logs.set(`${owner}/${repo}/${jobId}`, pushLog(c.input, i));
      answer = await postGitHub(app.url, GITHUB_SECRET, 'workflow_job', { ...failedJob, workflow_job: { ...failedJob.workflow_job, id: jobId, run_id: jobId } });
    } else {
      gitlab.traces.set(`${gitlabJob.project_id}/${jobId}`, pushLog(c.input, i));
      answer = await postGitLab(app.url, GITLAB_SECRET, { ...gitlabJob, build_status: 'failed', build_id: jobId });
    }
    expect(answer.status, `case ${i}: ${JSON.stringify(answer.json)}`).toBe(202);
  };
  const cases = [...corpus.entries()];
  while (cases.length) await Promise.all(cases.splice(0, 16).map(([i, c]) => deliver(c, i)));

  // Every alert job has run to its end (posted, aggregated into a thread, or dropped as no registry failure):
  // nothing left in the inbox or waiting, running or delayed (retries, thread refreshes) in the alert queue.
  const redis = new Redis(REDIS_URL);
  await withAlertQueue(prefix, async (queue) => {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const left = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const pending = Object.values(left).reduce((a, b) => a + b, 0) + (await inboxLength(redis, prefix));
      if (pending === 0) break;
      if (Date.now() > deadline) throw new Error(`alert queue not drained: ${JSON.stringify(left)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const finished = (await queue.getJobs(['completed', 'failed'])).filter((job) => job.name === 'alert');
    expect(finished).toHaveLength(corpus.length);
  }).finally(() => redis.disconnect());
  expect(github.requests.filter((r) => r.path.endsWith('/logs')).length).toBeGreaterThanOrEqual(Math.floor(corpus.length / 3));
  expect(slack.ok('chat.postMessage', (c) => c.params.channel === ALERT_CHANNEL).length).toBeGreaterThan(0);

  const places = {
    slack: strings(slack.calls.map((c) => c.params)).join('\n') + slack.calls.map((c) => c.raw).join('\n'),
    logs: strings(app.output().split('\n')).join('\n'),
    redis: strings(await redisValues(prefix)).join('\n'),
  };
  expect(places.redis.length).toBeGreaterThan(1000);
  expect(leaksByPlace(places, corpus)).toEqual([]);
}, 300_000);
