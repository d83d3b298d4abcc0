// Secrets in probe errors and fix results: the fake clouds (AWS, Entra ID + ARM + the ACR data plane, Google
// Artifact Registry) and the registry's own /v2/ API answer with error messages that embed the whole redaction
// corpus, one case per request; the app (as `npm start` runs it) probes through them for diagnoses of each
// provider and applies a fix whose write fails with the corpus in ARM's error. No piece of any secret
// (8 characters or more) may reach a Slack call, a log line or any Redis value under the app's prefix.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SIGNING_SECRET, startApp, type AppProcess } from '../fakes/app-process.js';
import { FakeAcrDataPlane } from '../fakes/acr-data-plane.js';
import { acrRegistryYaml, FakeArm } from '../fakes/arm.js';
import { FakeArtifactRegistry } from '../fakes/artifact-registry.js';
import { startFakeAws, type FakeAws } from '../fakes/aws.js';
import type { CloudFake } from '../fakes/cloud-fake.js';
import { FakeEntraId } from '../fakes/entra-id.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { selfSignedCert } from '../fakes/self-signed-cert.js';
import { blockActionsBody, signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';
import { redisValues, strings } from '../helpers/leak-scan.js';
import { leaksByPlace, readWholeCorpus } from '../helpers/secret-corpus.js';

const corpus = readWholeCorpus().filter((c) => c.secrets.length > 0);
const prefix = uniquePrefix('e2e-secrets-probes');
const dir = mkdtempSync(join(tmpdir(), 'rd-secrets-probes-'));
const SUBSCRIPTION = '6b1f3c2e-8a4d-4c1e-9f0a-2d7e5b3c1a90';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const GAR = 'europe-west1-docker.pkg.dev';
const CHANNEL = 'C0SECPROBES';
const RUNNER_IP = '203.0.113.7';
/** Diagnoses per provider: together they ask for more cloud answers than the corpus has cases. */
const ROUNDS = 12;

let slack: FakeSlack;
let entra: FakeEntraId;
let arm: FakeArm;
let acr: FakeAcrDataPlane;
let google: FakeArtifactRegistry;
let aws: FakeAws;
let app: AppProcess;

/** The corpus, one case per answer, round and round. */
let next = 0;
const nextCase = () => corpus[next++ % corpus.length]!.input;

/** Every answer of these routes, until the fake is reset, is an error whose message is the next corpus case. */
function corpusErrors(fake: CloudFake, routes: Record<string, number>): void {
  for (const [route, status] of Object.entries(routes)) {
    for (let i = 0; i < corpus.length; i += 1) fake.inject(route, { kind: 'status', status, message: nextCase() });
  }
}

const replies = () => slack.ok('chat.postMessage', (c) => c.params.channel === CHANNEL && c.params.thread_ts !== undefined);
const render = (c: RecordedCall) => JSON.stringify({ text: c.params.text, blocks: c.params.blocks });

async function command(text: string): Promise<void> {
  const body = slashCommandBody({ text, channel_id: CHANNEL, user_id: 'U0ALICE' });
  const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  const cert = selfSignedCert();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, cert.cert);
  slack = await new FakeSlack().start();
  entra = await new FakeEntraId(cert).start();
  arm = await new FakeArm(cert, entra).start();
  acr = await new FakeAcrDataPlane(cert, entra).start();
  google = await new FakeArtifactRegistry().start();
  aws = await startFakeAws();
  const prober = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: 'Qx8~secrets-probe.value_12345' });
  const fixer = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: 'Zr3~secrets-fix.value_098765' });
  arm.writers.add(fixer.clientId);
  arm.addRegistry({ subscription: SUBSCRIPTION, resourceGroup: 'rg-shop', name: 'shopreg', networkRuleSet: { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '40.112.0.0/16' }] } });
  acr.addRepository('billing', {}, { '1.4': {} });
  acr.pushers.add(prober.clientId);
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const email = 'probe@shop-prod.iam.gserviceaccount.com';
  google.addProject('shop-prod');
  google.addServiceAccount(email, privateKey, ['artifactregistry.repositories.get', 'artifactregistry.repositories.uploadArtifacts']);
  google.addRepository({ project: 'shop-prod', location: 'europe-west1', id: 'docker' });
  // Every ECR, STS and IAM call the probes make is refused with the next corpus case as the message.
  for (const operation of ['ecr.GetAuthorizationToken', 'ecr.DescribeRepositories', 'ecr.DescribeImages', 'ecr.GetRepositoryPolicy', 'sts.GetCallerIdentity', 'iam.SimulatePrincipalPolicy'] as const) {
    aws.on(operation, () => ({ error: { status: 400, code: 'AccessDeniedException', message: nextCase() } }));
  }

  const config = join(dir, 'registry-doctor.yml');
  writeFileSync(
    config,
    [
      'registries:',
      ...acrRegistryYaml({ host: acr.host, armUrl: arm.url, subscription: SUBSCRIPTION }),
      '  - name: shop-ecr',
      '    provider: ecr',
      `    host: ${ECR}`,
      '    region: us-east-1',
      '    account: "123456789012"',
      `    endpoint: ${aws.url}`,
      '    credentials:',
      '      probe: { accessKeyId: ECR_KEY, secretAccessKey: ECR_SECRET }',
      '  - name: shop-gar',
      '    provider: gar',
      `    host: ${GAR}`,
      `    endpoint: ${google.url}`,
      '    credentials:',
      '      probe: { serviceAccountJson: GAR_KEY }',
      '',
    ].join('\n'),
  );
  app = await startApp({
    env: {
      SLACK_API_URL: slack.apiUrl,
      QUEUE_PREFIX: prefix,
      REGISTRY_DOCTOR_CONFIG: config,
      LOG_LEVEL: 'debug',
      SLACK_CHANNEL_INTERVAL_MS: '0',
      SLACK_UPDATES_PER_MINUTE: '0',
      NODE_EXTRA_CA_CERTS: caFile,
      AZURE_AUTHORITY_HOST: entra.url,
      ACR_TENANT_ID: TENANT,
      ACR_PROBE_CLIENT_ID: prober.clientId,
      ACR_PROBE_CLIENT_SECRET: 'Qx8~secrets-probe.value_12345',
      ACR_FIX_CLIENT_ID: fixer.clientId,
      ACR_FIX_CLIENT_SECRET: 'Zr3~secrets-fix.value_098765',
      ECR_KEY: 'AKIAIOSFODNN7EXAMPLE',
      ECR_SECRET: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      GAR_KEY: JSON.stringify({ type: 'service_account', client_email: email, private_key: privateKey, private_key_id: 'k1' }),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await Promise.all([slack?.stop(), entra?.close(), arm?.close(), acr?.close(), google?.close(), aws?.close()]);
  await cleanPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

it('no piece of any corpus secret from a cloud error reaches Slack, a log line or Redis', async () => {
  // A fix whose write fails with the corpus in ARM's answer: planned on a clean probe, refused at the PATCH.
  await command(`diagnose The push refers to repository [${acr.host}/billing]\ndenied: client with IP '${RUNNER_IP}' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.`);
  const planned = await slack.waitFor(() => replies().find((c) => render(c).includes('rd.fix.')), 60_000, 'the diagnosis with its fix');
  const button = (planned.params.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id?.startsWith('rd.fix.'))!;
  corpusErrors(arm, { 'registries.update': 403 });
  const click = blockActionsBody({
    action: { type: 'button', action_id: button.action_id!, value: button.value! },
    user: 'U0ALICE',
    channel: CHANNEL,
    message: { ts: String(planned.response?.ts), thread_ts: String(planned.params.thread_ts), bot_id: 'B0BOT', text: String(planned.params.text) },
  });
  await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, click), body: click });
  const failed = await slack.waitFor(() => replies().find((c) => String(c.params.text).startsWith(':x: <@U0ALICE> could not add the IP rule')), 60_000, 'the failed fix result');
  expect(String(failed.params.text)).toMatch(/refused the request: the identity lacks permission/);

  // Then every cloud answers the probes with the corpus.
  corpusErrors(arm, { 'registries.get': 403, 'registries.listUsages': 403 });
  corpusErrors(acr, { 'repository.get': 403, 'blob.upload': 403 });
  corpusErrors(google, { 'repositories.get': 403, 'repositories.testIamPermissions': 403 });
  const before = replies().length;
  const logs = {
    acr: (i: number) => `The push refers to repository [${acr.host}/billing]\nunauthorized: authentication required (run ${i})`,
    ecr: (i: number) => `The push refers to repository [${ECR}/team/api]\ndenied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/team/api (run ${i})`,
    gar: (i: number) => `The push refers to repository [${GAR}/shop-prod/docker/api]\ndenied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource (run ${i})`,
  };
  for (let i = 0; i < ROUNDS; i += 1) await Promise.all(Object.values(logs).map((log) => command(`diagnose ${log(i)}`)));
  await slack.waitFor(() => replies().length >= before + ROUNDS * 3, 240_000, 'every probed diagnosis');

  // The clouds did answer with the corpus, and the probes did see it.
  expect(arm.received('registries.update').some((r) => r.status === 403)).toBe(true);
  expect(next).toBeGreaterThan(corpus.length);
  expect(replies().some((c) => /acr\.repository error|ecr\.\w+ error|gar\.repository error/.test(render(c)))).toBe(true);

  const places = {
    slack: strings(slack.calls.map((c) => c.params)).join('\n') + slack.calls.map((c) => c.raw).join('\n'),
    logs: strings(app.output().split('\n')).join('\n'),
    redis: strings(await redisValues(prefix)).join('\n'),
  };
  expect(places.logs).toContain('diagnosis posted');
  expect(leaksByPlace(places, corpus)).toEqual([]);
}, 400_000);
