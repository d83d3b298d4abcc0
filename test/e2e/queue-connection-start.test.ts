// A start or restart with Slack traffic: the web role takes requests once the connection commands are queued on
// is up, so a command sent the moment /healthz answers is queued, not refused with 'the queue is unavailable'.
// The proxy holds that connection back (by its client name) while the app's other Redis connections work.
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { SIGNING_SECRET, startApp, type AppProcess } from '../fakes/app-process.js';
import { startOwnRedis, type OwnRedis } from '../fakes/redis-server.js';
import { holdConnectionsNamed, type HoldingProxy } from '../fakes/redis-proxy.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';

let redis: OwnRedis;
let slack: FakeSlack;
let proxy: HoldingProxy | undefined;
let app: AppProcess | undefined;

beforeAll(async () => {
  redis = await startOwnRedis();
  slack = await new FakeSlack().start();
});

afterEach(async () => {
  await app?.stop();
  await proxy?.close();
  app = undefined;
  proxy = undefined;
});

afterAll(async () => {
  await slack?.stop();
  await redis?.destroy();
});

async function diagnose(url: string, channel: string) {
  const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
  const res = await fetch(`${url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  return { status: res.status, text: String(((await res.json()) as { text?: unknown }).text) };
}

const answerIn = (channel: string) =>
  slack.waitFor(() => slack.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined)[0], 15_000, `the answer in ${channel}`);

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function readyz(url: string) {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
}

describe('the queue connection slower to come up than the HTTP server', () => {
  it('a command sent the moment /healthz answers is queued and answered', async () => {
    proxy = await holdConnectionsNamed(redis.port, 'registry-doctor:queue');
    const held = proxy;
    // Held until ioredis gives the connection up (its command timeout) and opens another, which goes through.
    void held.abandoned.then(() => held.release());
    app = await startApp({ env: { REDIS_URL: proxy.url, SLACK_API_URL: slack.apiUrl }, waitReady: false });
    const started = app;
    onTestFailed(() => console.log(`app output:\n${started.output().split('\n').slice(-30).join('\n')}`));
    await held.held; // it was held back at start, so this start had the window

    const ack = await diagnose(app.url, 'C0START');
    expect(ack.status).toBe(200);
    expect(ack.text).not.toMatch(/queue is unavailable/);
    expect(ack.text).toMatch(/Diagnosing…/);
    expect(String((await answerIn('C0START')).params.text)).toMatch(/may not push to `app`/);
  });

  it('with it held past the start-up wait, the app answers, /readyz names it failing until it is up, then commands are queued', async () => {
    proxy = await holdConnectionsNamed(redis.port, 'registry-doctor:queue');
    app = await startApp({ env: { REDIS_URL: proxy.url, SLACK_API_URL: slack.apiUrl }, waitReady: false });
    const started = app;
    onTestFailed(() => console.log(`app output:\n${started.output().split('\n').slice(-30).join('\n')}`));

    const before = await readyz(app.url);
    expect(before.status).toBe(503);
    expect(before.body).toMatchObject({ status: 'not ready', checks: { redis: 'ok', queue_connection: 'failing' } });
    expect(app.output()).toMatch(/the queue connection to Redis is not up/);

    proxy.release();
    await until(async () => (await readyz(started.url)).status === 200, '/readyz 200 once the connection is up');
    expect((await readyz(app.url)).body.checks).toMatchObject({ redis: 'ok', queue_connection: 'ok' });
    const ack = await diagnose(app.url, 'C0LATE');
    expect(ack.text).toMatch(/Diagnosing…/);
    await answerIn('C0LATE');
  });
});

describe('PORT=0', () => {
  it('the log names the port the system chose, and the app answers there', async () => {
    app = await startApp({ env: { REDIS_URL: redis.url, SLACK_API_URL: slack.apiUrl, PORT: '0' }, args: ['--role', 'web'], waitHealthy: false });
    const started = app;
    const port = await slack.waitFor(() => /web listening on :(\d+)/.exec(started.output())?.[1], 15_000, 'the listening line');
    expect(Number(port)).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
