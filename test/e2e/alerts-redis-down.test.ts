// Redis away: the CI webhook answers 503 (so the CI retries) and stores nothing; `registry-doctor report`
// keeps retrying with backoff, and once Redis is back its retry lands and the alert is posted.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { buildApp, startApp, type AppProcess } from '../fakes/app-process.js';
import { postCi } from '../fakes/ci-webhook.js';
import { startOwnRedis, type OwnRedis } from '../fakes/redis-server.js';
import { FakeSlack } from '../fakes/slack-api.js';

const SECRET = 'ci-secret-redis-down-0123456789';
const CHANNEL = 'C0DOWN';
const LOG = [
  'The push refers to repository [acme.azurecr.io/payments]',
  "unauthorized: client with IP '198.51.100.4' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.",
].join('\n');

let redis: OwnRedis;
let slack: FakeSlack;
let app: AppProcess;

beforeAll(async () => {
  redis = await startOwnRedis();
  slack = await new FakeSlack().start();
  app = await startApp({ env: { REDIS_URL: redis.url, SLACK_API_URL: slack.apiUrl, CI_WEBHOOK_SECRET: SECRET, ALERT_CHANNEL: CHANNEL, JOB_BACKOFF_MS: '50' } });
});

afterAll(async () => {
  await app?.stop();
  await slack?.stop();
  await redis?.destroy();
});

const refusals = () => (app.output().match(/could not store a webhook/g) ?? []).length;

describe('with Redis stopped', () => {
  it('POST /webhooks/ci answers 503; report retries until Redis is back, then the alert lands', async () => {
    onTestFailed(() => console.log(`app output:\n${app.output().split('\n').slice(-40).join('\n')}`));
    await redis.stop();
    const body = JSON.stringify({ log: LOG, pipeline: { provider: 'jenkins', name: 'payments', run_id: '1', job: 'push' } });
    const direct = await postCi(app.url, SECRET, body);
    expect(direct.status).toBe(503);
    expect(String(direct.json?.error)).toMatch(/unavailable/);

    const dir = mkdtempSync(join(tmpdir(), 'rd-report-'));
    writeFileSync(join(dir, 'push.log'), LOG);
    const cli = join(dirname(buildApp()), 'cli/main.js');
    const seen = refusals();
    const child = spawn(process.execPath, [cli, 'report', '--log', join(dir, 'push.log'), '--retries', '8'], {
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        REGISTRY_DOCTOR_URL: app.url,
        CI_WEBHOOK_SECRET: SECRET,
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'acme/payments',
        GITHUB_WORKFLOW: 'release',
        GITHUB_RUN_ID: '4242',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_JOB: 'push-image',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_SHA: 'abc123',
        GITHUB_REF_NAME: 'main',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    // The CLI's first attempt was refused with a 503 before Redis comes back.
    await slack.waitFor(() => refusals() > seen, 15_000, 'a refused report attempt');
    await redis.start();

    expect(await exited).toBe(0);
    expect(stderr).toMatch(/reported to the bot \(alert a[0-9a-f]{32}\)/);
    // The diagnosis is printed locally too, so the CI log names the cause.
    expect(stdout).toContain('firewall_denied');

    const parent = await slack.waitFor(
      () => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts === undefined)[0],
      30_000,
      'the alert after Redis came back',
    );
    expect(JSON.stringify(parent.params.blocks)).toContain('acme.azurecr.io/payments');
    const reply = await slack.waitFor(
      () => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts !== undefined)[0],
      30_000,
      'the diagnosis in the thread',
    );
    expect(JSON.stringify(reply.params.blocks)).toContain('firewall_denied');
    // report's backoff (1 s, 2 s, 4 s, 8 s, …) and Redis reconnection set the pace, not this test.
  }, 120_000);
});
