// Operations surface of the real process: /healthz, /readyz, /metrics, /admin/queues; start-up failures.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_TOKEN, buildApp, freePort, ROOT, SIGNING_SECRET, startApp, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { eventBody, signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const CONFIG = join(ROOT, 'test/config/fixtures/valid.yml');
let fake: FakeSlack;
const prefix = uniquePrefix('e2e-ops');
const apps: AppProcess[] = [];

beforeAll(async () => {
  fake = await new FakeSlack().start();
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await fake?.stop();
  await cleanPrefix(prefix);
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('with Redis up, a config file and admin credentials', () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startApp({
      env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, REGISTRY_DOCTOR_CONFIG: CONFIG, ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct horse' },
    });
    apps.push(app);
  });

  it('/healthz and /readyz answer 200', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', queue_connection: 'ok', config: 'ok', worker: 'ok' } });
  });

  it('/metrics exposes commands, jobs, latency, findings and Slack API errors', async () => {
    const body = slashCommandBody({ text: 'status', channel_id: 'C0OPS' });
    const status = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
    const text = JSON.stringify(await status.json());
    expect(text).toContain('prod-ecr');
    expect(text).toContain("checking the bot's credentials on each now");
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const metrics = await res.text();
    expect(metrics).toMatch(/registry_doctor_slack_commands_total\{subcommand="status"\} 1/);
    for (const name of ['registry_doctor_jobs_total', 'registry_doctor_diagnosis_seconds', 'registry_doctor_findings_total', 'registry_doctor_slack_api_errors_total', 'registry_doctor_queue_jobs']) {
      expect(metrics).toContain(`# TYPE ${name}`);
    }
  });

  it('/admin/queues needs basic auth', async () => {
    const none = await fetch(`${app.url}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await fetch(`${app.url}/admin/queues`, { headers: { authorization: basic('ops', 'wrong') } })).status).toBe(401);
    const ok = await fetch(`${app.url}/admin/queues`, { headers: { authorization: basic('ops', 'correct horse') } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/<html/i);
    const api = await fetch(`${app.url}/admin/queues/api/queues`, { headers: { authorization: basic('ops', 'correct horse') } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('diagnose');
  });

  it('App Home lists the configured registries', async () => {
    const body = eventBody({ type: 'app_home_opened', user: 'U0OPS', channel: 'D0OPS', tab: 'home', event_ts: '1.1' });
    await fetch(`${app.url}/slack/events`, { method: 'POST', headers: { ...signedHeaders(SIGNING_SECRET, body), 'content-type': 'application/json' }, body });
    const publish = await fake.waitFor(() => fake.ok('views.publish').find((c) => c.params.user_id === 'U0OPS'), 5000, 'views.publish');
    const view = JSON.stringify(publish.params.view);
    expect(view).toContain('prod-ecr');
    expect(view).toContain('ghcr');
  });

  it('the modal offers the configured registries', async () => {
    const body = slashCommandBody({ text: 'diagnose', channel_id: 'C0OPS', trigger_id: 'ops.trigger' });
    await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
    const open = await fake.waitFor(() => fake.ok('views.open').find((c) => c.params.trigger_id === 'ops.trigger'), 5000, 'views.open');
    const options = (open.params.view as { blocks: Array<{ block_id?: string; element?: { options?: Array<{ value: string }> } }> }).blocks.find(
      (b) => b.block_id === 'registry',
    )?.element?.options;
    expect(options?.map((o) => o.value)).toEqual(['__any__', 'prod-ecr', 'ghcr']);
  });
});

describe('without admin credentials', () => {
  it('the dashboard is off', async () => {
    const app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix }, args: ['--role', 'web'] });
    apps.push(app);
    expect((await fetch(`${app.url}/admin/queues`, { headers: { authorization: basic('ops', 'x') } })).status).toBe(404);
  });
});

describe('with Redis unreachable', () => {
  it('/healthz is 200, /readyz 503, and a command is told the queue is unavailable', async () => {
    const deadPort = await freePort();
    const app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, REDIS_URL: `redis://127.0.0.1:${deadPort}` }, waitReady: false });
    apps.push(app);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not ready', checks: { redis: 'failing', queue_connection: 'failing' } });
    const body = slashCommandBody({ text: 'diagnose denied: requested access to the resource is denied', channel_id: 'C0DEAD' });
    const started = Date.now();
    const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(JSON.stringify(await res.json())).toMatch(/couldn't queue the diagnosis/);
  });
});

describe('start-up failures', () => {
  it('a bad config file stops the process with a message naming the key and the fix', () => {
    const main = buildApp();
    const run = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, REGISTRY_DOCTOR_CONFIG: join(ROOT, 'test/config/fixtures/bad-provider.yml'), PORT: '0' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/registries\[0\]\.provider/);
    expect(run.stderr).toMatch(/must be one of: ecr, gar/);
    expect(run.stderr).toMatch(/registry-doctor\.example\.yml/);
  });

  it('missing Slack settings stop the process with what to set', () => {
    const run = spawnSync(process.execPath, [buildApp()], { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SLACK_BOT_TOKEN/);
  });
});
