// CI alerts are probed, end to end: the app as `npm start` runs it, real Redis, the fake Slack Web API, and
// the fake Entra ID, ARM and ACR data plane over https (the app trusts the test certificate through Node's
// own NODE_EXTRA_CA_CERTS). A signed CI webhook for a push the ACR firewall refused carries `runner_ip`
// (the log names no IP): the group's thread says the IP is not among the rules and offers the firewall fix;
// a click applies it. A repeat of the same failure is counted, not probed again.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_SECRET, startApp, type AppProcess } from '../fakes/app-process.js';
import { FakeAcrDataPlane } from '../fakes/acr-data-plane.js';
import { acrRegistryYaml, FakeArm, type RegistryModel } from '../fakes/arm.js';
import { alertJobOutcome, postCi } from '../fakes/ci-webhook.js';
import { FakeEntraId, type ServicePrincipal } from '../fakes/entra-id.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { selfSignedCert } from '../fakes/self-signed-cert.js';
import { blockActionsBody, signedHeaders } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';

const CI_SECRET = 'ci-webhook-secret-for-alert-probes-0123';
const SUBSCRIPTION = '6b1f3c2e-8a4d-4c1e-9f0a-2d7e5b3c1a90';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PROBE_SECRET = 'Qx8~alert-probe-secret.value_12345';
const FIX_SECRET = 'Zr3~alert-fix-secret.value_098765';
const CHANNEL = 'C0ACRALERTS';
const RUNNER_IP = '203.0.113.7';

let slack: FakeSlack;
let entra: FakeEntraId;
let arm: FakeArm;
let acr: FakeAcrDataPlane;
let prober: ServicePrincipal;
let fixer: ServicePrincipal;
let registry: RegistryModel;
let app: AppProcess;
const prefix = uniquePrefix('e2e-alert-probes');
const dir = mkdtempSync(join(tmpdir(), 'rd-alert-probes-'));

const parents = () => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts === undefined);
const replies = () => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts !== undefined);
const render = (c: RecordedCall) => JSON.stringify({ text: c.params.text, blocks: c.params.blocks });
const armReads = () => arm.received('registries.get').length;

/** What `az acr login` prints when the firewall refuses the runner: no IP in the log. */
const deniedLog = (repository: string) =>
  [
    `#9 pushing ${acr.host}/${repository}:1.4`,
    `ERROR: Access to registry '${acr.host}' was denied. Response code: 403. Please try running 'az login' again to refresh permissions.`,
    `The push refers to repository [${acr.host}/${repository}]`,
    'Error: Process completed with exit code 1.',
  ].join('\n');

function webhook(repository: string, pipeline: string, runId: string): string {
  return JSON.stringify({ log: deniedLog(repository), image: `${acr.host}/${repository}:1.4`, runner_ip: RUNNER_IP, pipeline: { provider: 'jenkins', name: pipeline, run_id: runId, url: `https://ci.example.com/${runId}` } });
}

const jobOutcome = (id: string) => alertJobOutcome(prefix, id, 30_000);

beforeAll(async () => {
  const cert = selfSignedCert();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, cert.cert);
  slack = await new FakeSlack().start();
  entra = await new FakeEntraId(cert).start();
  arm = await new FakeArm(cert, entra).start();
  acr = await new FakeAcrDataPlane(cert, entra).start();
  prober = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: PROBE_SECRET });
  fixer = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: FIX_SECRET });
  arm.writers.add(fixer.clientId);
  registry = arm.addRegistry({ subscription: SUBSCRIPTION, resourceGroup: 'rg-shop', name: 'shopreg', networkRuleSet: { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '40.112.0.0/16' }] } });
  acr.addRepository('billing', {}, { '1.4': {} });
  const config = join(dir, 'registry-doctor.yml');
  // The login server is a loopback address here, so the entry's provider (not the host) says it is an ACR.
  writeFileSync(
    config,
    [
      'registries:',
      ...acrRegistryYaml({ host: acr.host, armUrl: arm.url, subscription: SUBSCRIPTION }),
      '',
    ].join('\n'),
  );
  app = await startApp({
    env: {
      SLACK_API_URL: slack.apiUrl,
      QUEUE_PREFIX: prefix,
      REGISTRY_DOCTOR_CONFIG: config,
      CI_WEBHOOK_SECRET: CI_SECRET,
      ALERT_CHANNEL: CHANNEL,
      ALERT_UPDATE_INTERVAL_MS: '300',
      ALERT_REPLY_INTERVAL_MS: '1000',
      NODE_EXTRA_CA_CERTS: caFile,
      AZURE_AUTHORITY_HOST: entra.url,
      ACR_TENANT_ID: TENANT,
      ACR_PROBE_CLIENT_ID: prober.clientId,
      ACR_PROBE_CLIENT_SECRET: PROBE_SECRET,
      ACR_FIX_CLIENT_ID: fixer.clientId,
      ACR_FIX_CLIENT_SECRET: FIX_SECRET,
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await Promise.all([slack?.stop(), entra?.close(), arm?.close(), acr?.close()]);
  await cleanPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('a CI alert for an ACR push the firewall refused', () => {
  let thread: RecordedCall;

  beforeAll(async () => {
    const stored = await postCi(app.url, CI_SECRET, webhook('billing', 'billing-release', '501'));
    expect(stored.status).toBe(202);
    expect(await jobOutcome(String(stored.json?.id))).toBe('opened');
    thread = await slack.waitFor(() => replies()[0], 30_000, 'the diagnosis in the alert thread');
  }, 90_000);

  it('the thread says the runner IP from the webhook is not among the firewall rules, and what was checked', () => {
    expect(parents()).toHaveLength(1);
    expect(thread.params.thread_ts).toBe(String(parents()[0]!.response?.ts));
    const text = render(thread);
    expect(text).toContain(`denies public network access except 1 IP rule; ${RUNNER_IP} is not among them`);
    // What was checked, each with its outcome: the ARM firewall read, and the registry reached with the probe identity.
    expect(text).toContain(`❌ acr.network failed`);
    expect(text).toMatch(/✅ acr\.repository ok \(\d+ ms\) — repository `billing` and tag `1\.4` accept writes/);
    expect(text).toMatch(/✅ oci\.login ok \(\d+ ms\) — [\d.:]+ accepts the credentials of 00000000-0000-0000-0000-000000000000/);
    expect(arm.received('registries.get').length).toBeGreaterThan(0);
  });

  it('offers the firewall fix on the thread, bound to that message', () => {
    const buttons = (thread.params.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string; text?: { text: string } }> }>)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? [])
      .filter((e) => e.action_id?.startsWith('rd.fix.'));
    expect(buttons.map((b) => b.text?.text)).toEqual([`Allow ${RUNNER_IP} through the firewall`]);
  });

  it('a repeat of the same failure from another pipeline is counted, not probed again', async () => {
    const reads = armReads();
    const repeat = await postCi(app.url, CI_SECRET, webhook('billing', 'billing-nightly', '502'));
    expect(await jobOutcome(String(repeat.json?.id))).toBe('counted');
    await slack.waitFor(() => replies().find((c) => render(c).includes('billing-nightly')), 30_000, 'the new-pipelines reply');
    expect(armReads()).toBe(reads);
    expect(parents()).toHaveLength(1);
    }, 60_000);

  it('a fixer’s click adds the runner IP to the firewall through ARM and says so in the thread', async () => {
    const button = (thread.params.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id?.startsWith('rd.fix.'))!;
    const ts = String(thread.response?.ts);
    const body = blockActionsBody({
      action: { type: 'button', action_id: button.action_id!, value: button.value! },
      user: 'U0ALICE',
      channel: CHANNEL,
      message: { ts, thread_ts: String(thread.params.thread_ts), bot_id: 'B0BOT', text: String(thread.params.text) },
    });
    const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
    expect(res.status).toBe(200);
    const done = await slack.waitFor(() => replies().find((c) => String(c.params.text).includes(`allowed ${RUNNER_IP}/32 through the firewall of shopreg`)), 30_000, 'the fix result');
    expect(String(done.params.text)).toMatch(/^:white_check_mark: <@U0ALICE> allowed 203\.0\.113\.7\/32/);
    expect(registry.networkRuleSet.ipRules).toEqual([{ action: 'Allow', value: '40.112.0.0/16' }, { action: 'Allow', value: `${RUNNER_IP}/32` }]);
    expect([entra, arm, acr].flatMap((fake) => fake.violations)).toEqual([]);
    }, 60_000);
});
