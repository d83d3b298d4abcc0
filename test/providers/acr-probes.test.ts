// The acr probes on the real Azure SDK clients (@azure/identity, @azure/arm-containerregistry,
// @azure/container-registry) over https to the fake Entra ID, ARM (through the registry entry's `endpoint`)
// and ACR data plane (the login server, the image's host), as the runner runs them.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { Facts, ProbeResult } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { probes as acrProbes, registryLogin } from '../../src/providers/acr/live.js';
import { probes as ociProbes } from '../../src/providers/oci/live.js';
import { CloudError } from '../../src/probes/cloud-error.js';
import { resolveCredentials } from '../../src/probes/resolve-registry.js';
import { runProbes, type RunProbesOptions } from '../../src/probes/run-probes.js';
import type { ProbeCache, ProbeContext } from '../../src/probes/types.js';
import { FakeAcrDataPlane } from '../fakes/acr-data-plane.js';
import { FakeArm, INCLUDED_STORAGE, type RegistryModel } from '../fakes/arm.js';
import { FakeEntraId, type ServicePrincipal } from '../fakes/entra-id.js';
import { selfSignedCert } from '../fakes/self-signed-cert.js';

const SUBSCRIPTION = '6b1f3c2e-8a4d-4c1e-9f0a-2d7e5b3c1a90';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SECRET = 'Qx8~probe-secret.value_1234567890abcdEF';

let entra: FakeEntraId;
let arm: FakeArm;
let acr: FakeAcrDataPlane;
let prober: ServicePrincipal;
let registryModel: RegistryModel;
let cache: ProbeCache;
const savedEnv = { ...process.env };

beforeAll(async () => {
  const cert = selfSignedCert();
  entra = await new FakeEntraId(cert).start();
  arm = await new FakeArm(cert, entra).start();
  acr = await new FakeAcrDataPlane(cert, entra).start();
  prober = entra.addServicePrincipal({ tenantId: TENANT, clientId: randomUUID(), clientSecret: SECRET });
});
afterAll(async () => {
  await Promise.all([entra.close(), arm.close(), acr.close()]);
});
beforeEach(() => {
  for (const fake of [entra, arm, acr]) fake.requests.length = 0;
  arm.registries.length = 0;
  arm.withoutReadAccess.clear();
  acr.repositories.clear();
  acr.withoutPull.clear();
  acr.pushers.clear();
  registryModel = arm.addRegistry({ subscription: SUBSCRIPTION, resourceGroup: 'rg-shop', name: 'shopreg' });
  const entries = new Map<string, unknown>();
  cache = { get: <T>(key: string, create: () => T) => (entries.has(key) ? entries.get(key) : entries.set(key, create()).get(key)) as T };
});
afterEach(() => {
  process.env = { ...savedEnv };
  const violations = [entra, arm, acr].flatMap((fake) => fake.violations.splice(0));
  expect(violations).toEqual([]);
});

const SERVICE_PRINCIPAL = { tenantId: 'ACR_TENANT_ID', clientId: 'ACR_CLIENT_ID', clientSecret: 'ACR_CLIENT_SECRET' };

function registries(credentials: Record<string, string> | null = SERVICE_PRINCIPAL, location: Record<string, string> = { subscription: SUBSCRIPTION, resourceGroup: 'rg-shop' }) {
  return parseConfig({
    registries: [{ name: 'shop-acr', provider: 'acr', host: acr.host, account: 'shopreg', endpoint: arm.url, ...location, ...(credentials ? { credentials: { probe: credentials } } : {}) }],
  }).registries;
}

function env(): Record<string, string> {
  return { AZURE_AUTHORITY_HOST: entra.url, ACR_TENANT_ID: TENANT, ACR_CLIENT_ID: prober.clientId, ACR_CLIENT_SECRET: SECRET };
}

async function probe(path = 'shop/api:2.0', facts: Facts = {}, options: Partial<RunProbesOptions> = {}): Promise<Record<string, ProbeResult>> {
  const parsed = parseImageRef(`${acr.host}/${path}`);
  if (!parsed.ok) throw new Error(parsed.error);
  const results = await runProbes(
    { image: parsed.ref, provider: 'acr', facts },
    { registries: registries(), env: env(), probes: acrProbes, retry: { attempts: 3, baseDelayMs: 1 }, cache, ...options },
  );
  return Object.fromEntries(results.map((result) => [result.name, result]));
}

const RESOURCE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-shop/providers/Microsoft.ContainerRegistry/registries/shopreg`;

describe('acr.network', () => {
  it('refutes firewall_denied when public access is open to any IP', async () => {
    const results = await probe('shop/api:2.0', { clientIp: '20.1.2.3' });
    expect(results['acr.network']).toMatchObject({
      status: 'ok',
      registry: 'shop-acr',
      detail: 'registry `shopreg` allows public network access from any IP (SKU Premium, admin user disabled)',
      observations: [expect.objectContaining({ kind: 'refute', category: 'firewall_denied', resource: RESOURCE_ID })],
    });
    const [get] = arm.received('registries.get');
    expect(get).toMatchObject({ path: RESOURCE_ID, status: 200 });
    expect(get!.query.get('api-version')).toBe('2025-11-01');
  });

  it('confirms firewall_denied when the client IP is not among the IP rules, with the state a fix plan needs', async () => {
    registryModel.networkRuleSet = { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '10.0.0.0/8' }, { action: 'Allow', value: '52.1.2.3' }] };
    registryModel.adminUserEnabled = true;
    const results = await probe('shop/api:2.0', { clientIp: '20.1.2.3' });
    expect(results['acr.network']).toMatchObject({
      status: 'failed',
      detail: 'registry `shopreg` denies public network access except 2 IP rules; 20.1.2.3 is not among them (SKU Premium, admin user enabled)',
    });
    expect(results['acr.network']!.observations).toEqual([
      {
        kind: 'confirm',
        category: 'firewall_denied',
        evidence: 'registry `shopreg` denies public network access except 2 IP rules; 20.1.2.3 is not among them',
        resource: RESOURCE_ID,
        state: { registry: 'shopreg', sku: 'Premium', adminUserEnabled: true, publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['10.0.0.0/8', '52.1.2.3'], clientIp: '20.1.2.3' },
      },
    ]);
  });

  it('refutes firewall_denied when a rule covers the client IP', async () => {
    registryModel.networkRuleSet = { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '10.0.0.0/8' }] };
    const results = await probe('shop/api:2.0', { clientIp: '10.4.5.6' });
    expect(results['acr.network']).toMatchObject({ status: 'ok', observations: [expect.objectContaining({ kind: 'refute', evidence: 'registry `shopreg` allows 10.4.5.6 through its firewall (rule 10.0.0.0/8)' })] });
  });

  it('confirms firewall_denied when public network access is disabled', async () => {
    registryModel.publicNetworkAccess = 'Disabled';
    const results = await probe();
    expect(results['acr.network']).toMatchObject({ status: 'failed', observations: [expect.objectContaining({ kind: 'confirm', evidence: 'registry `shopreg` has public network access disabled: only its private endpoints reach it' })] });
  });

  it('says what it could not check when the client IP is unknown', async () => {
    registryModel.networkRuleSet = { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '52.1.2.3' }] };
    const results = await probe();
    expect(results['acr.network']!.status).toBe('ok');
    expect(results['acr.network']!.detail).toContain('except 1 IP rule; the client IP is not known');
    expect(results['acr.network']!.observations).toBeUndefined();
  });

  it('is retried when ARM throttles (429 + Retry-After) and then passes', async () => {
    arm.inject('registries.get', { kind: 'throttle', retryAfterSeconds: 1 });
    const results = await probe();
    expect(results['acr.network']!.status).toBe('ok');
    expect(arm.received('registries.get').map((r) => r.status)).toEqual([429, 200]);
  });

  it('passes after one ARM 500, which the SDK retries itself', async () => {
    arm.inject('registries.get', { kind: 'status', status: 500 });
    const results = await probe();
    expect(results['acr.network']!.status).toBe('ok');
    expect(arm.received('registries.get').map((r) => r.status)).toEqual([500, 200]);
  });

  it('times out when ARM does not answer', async () => {
    arm.inject('registries.get', { kind: 'hold' });
    const results = await probe('shop/api:2.0', {}, { timeoutMs: 1500 });
    expect(results['acr.network']).toMatchObject({ status: 'timeout', detail: 'no answer within 1500 ms' });
    expect(results['acr.storage']!.status).toBe('ok');
  });

  it('is an error naming the missing role when the identity may not read the registry', async () => {
    arm.withoutReadAccess.add(prober.clientId);
    const results = await probe();
    expect(results['acr.network']).toMatchObject({ status: 'error', error: { provider: 'acr', code: 'AuthorizationFailed', retryable: false } });
    expect(results['acr.network']!.detail).toContain("does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/read'");
  });

  it('skips when the entry does not say where the registry lives in ARM', async () => {
    const results = await probe('shop/api:2.0', {}, { registries: registries(SERVICE_PRINCIPAL, {}) });
    expect(results['acr.network']).toMatchObject({ status: 'skipped', detail: 'not checked: registry shop-acr sets no subscription, resourceGroup, which the Azure Resource Manager checks need' });
    expect(arm.requests).toEqual([]);
  });
});

describe('acr.storage', () => {
  it('refutes quota_exceeded with storage used against the limit', async () => {
    registryModel.storageUsedBytes = 2.5 * 1024 ** 3;
    const results = await probe();
    expect(results['acr.storage']).toMatchObject({
      status: 'ok',
      detail: 'registry `shopreg` uses 2.5 GiB of its 500.0 GiB storage',
      observations: [expect.objectContaining({ kind: 'refute', category: 'quota_exceeded', state: { registry: 'shopreg', usedBytes: 2.5 * 1024 ** 3, limitBytes: INCLUDED_STORAGE.Premium } })],
    });
    expect(arm.received('registries.listUsages')[0]!.path).toBe(`${RESOURCE_ID}/listUsages`);
  });

  it('confirms quota_exceeded when the registry is full', async () => {
    registryModel.sku = 'Basic';
    registryModel.storageUsedBytes = INCLUDED_STORAGE.Basic;
    const results = await probe();
    expect(results['acr.storage']).toMatchObject({ status: 'failed', detail: 'registry `shopreg` uses 10.0 GiB of its 10.0 GiB storage: it is full' });
    expect(results['acr.storage']!.observations?.[0]).toMatchObject({ kind: 'confirm', category: 'quota_exceeded' });
  });

  it('is retried when throttled and then passes', async () => {
    arm.inject('registries.listUsages', { kind: 'throttle', retryAfterSeconds: 1 });
    const results = await probe();
    expect(results['acr.storage']!.status).toBe('ok');
    expect(arm.received('registries.listUsages').map((r) => r.status)).toEqual([429, 200]);
  });

  it('times out when listUsages does not answer', async () => {
    arm.inject('registries.listUsages', { kind: 'hold' });
    const results = await probe('shop/api:2.0', {}, { timeoutMs: 1500 });
    expect(results['acr.storage']).toMatchObject({ status: 'timeout' });
    expect(results['acr.network']!.status).toBe('ok');
  });
});

describe('acr.repository', () => {
  it('refutes repo_locked when repository and tag accept writes, through the challenge and token exchange', async () => {
    acr.addRepository('shop/api', {}, { '2.0': {} });
    const results = await probe();
    expect(results['acr.repository']).toMatchObject({
      status: 'ok',
      detail: 'repository `shop/api` and tag `2.0` accept writes (writeEnabled=true)',
      observations: [expect.objectContaining({ kind: 'refute', category: 'repo_locked' })],
    });
    expect(acr.received('repository.get').map((r) => r.status)).toEqual([401, 200]);
    expect(acr.received('oauth2.exchange')).toHaveLength(1);
    expect(new URLSearchParams(acr.received('oauth2.token')[0]!.body).get('scope')).toBe('repository:shop/api:metadata_read');
    const scopes = entra.received('token').map((r) => new URLSearchParams(r.body).get('scope'));
    expect(scopes).toContain('https://containerregistry.azure.net/.default');
    expect(scopes).toContain(`${arm.url}/.default`);
  });

  it('confirms repo_locked when the repository has writeEnabled=false', async () => {
    acr.addRepository('shop/api', { writeEnabled: false, deleteEnabled: false }, { '2.0': {} });
    const results = await probe();
    expect(results['acr.repository']).toMatchObject({
      status: 'failed',
      detail: 'repository `shop/api` has writeEnabled=false: pushes to it are refused; delete-locked (deleteEnabled=false), which does not block a push',
    });
    expect(results['acr.repository']!.observations).toEqual([
      expect.objectContaining({
        kind: 'confirm',
        category: 'repo_locked',
        resource: `${acr.host}/shop/api`,
        state: { repository: 'shop/api', exists: true, writeEnabled: false, deleteEnabled: false, readEnabled: true, listEnabled: true, tag: { name: '2.0', writeEnabled: true, deleteEnabled: true } },
      }),
    ]);
  });

  it('confirms repo_locked on a locked tag', async () => {
    acr.addRepository('shop/api', {}, { '2.0': { writeEnabled: false } });
    const results = await probe();
    expect(results['acr.repository']).toMatchObject({ status: 'failed', detail: 'tag `shop/api:2.0` has writeEnabled=false: it cannot be overwritten' });
    expect(results['acr.repository']!.observations?.[0]).toMatchObject({ kind: 'confirm', resource: `${acr.host}/shop/api:2.0` });
    expect(acr.received('tag.get').at(-1)!.path).toBe('/acr/v1/shop%2Fapi/_tags/2.0');
  });

  it('refutes repo_not_found and repo_locked for a repository the first push will create', async () => {
    const results = await probe();
    expect(results['acr.repository']!.status).toBe('ok');
    expect(results['acr.repository']!.observations?.map((o) => [o.kind, o.category])).toEqual([
      ['refute', 'repo_not_found'],
      ['refute', 'repo_locked'],
    ]);
  });

  it('is an error naming AcrPull when the identity may not read repository metadata', async () => {
    acr.addRepository('shop/api');
    acr.withoutPull.add(prober.clientId);
    const results = await probe();
    expect(results['acr.repository']).toMatchObject({ status: 'error', error: { provider: 'acr', code: 'UNAUTHORIZED' } });
    expect(results['acr.repository']!.detail).toContain('give it AcrPull');
  });

  it('is retried when the data plane throttles and then passes', async () => {
    acr.addRepository('shop/api', {}, { '2.0': {} });
    acr.inject('tag.get', { kind: 'throttle', retryAfterSeconds: 1 });
    const results = await probe();
    expect(results['acr.repository']!.status).toBe('ok');
    expect(acr.received('tag.get').map((r) => r.status)).toContain(429);
    expect(acr.received('tag.get').at(-1)!.status).toBe(200);
  });

  it('times out when the data plane does not answer', async () => {
    acr.addRepository('shop/api');
    acr.inject('repository.get', { kind: 'hold' });
    const results = await probe('shop/api:2.0', {}, { timeoutMs: 1500 });
    expect(results['acr.repository']).toMatchObject({ status: 'timeout' });
  });
});

describe('acr credentials', () => {
  it('skips every probe, naming the unset variable, when the configured secret is missing', async () => {
    const { ACR_CLIENT_SECRET: _, ...withoutSecret } = env();
    const results = await probe('shop/api:2.0', {}, { env: withoutSecret });
    for (const name of ['acr.network', 'acr.storage', 'acr.repository']) {
      expect(results[name]).toMatchObject({ status: 'skipped', detail: 'not checked: registry shop-acr: environment variable ACR_CLIENT_SECRET (credentials.probe) is not set' });
    }
    expect([...entra.requests, ...arm.requests, ...acr.requests]).toEqual([]);
  });

  it('skips with the reason when only a username and password are configured', async () => {
    const results = await probe('shop/api:2.0', {}, { registries: registries({ username: 'ACR_USER', password: 'ACR_PASSWORD' }), env: { ACR_USER: 'shopreg', ACR_PASSWORD: 'pw' } });
    expect(results['acr.network']).toMatchObject({ status: 'skipped' });
    expect(results['acr.network']!.detail).toContain('need a service principal (credentials.probe tenantId, clientId and clientSecret)');
  });

  it('is an error that never shows the secret when Entra ID refuses it', async () => {
    const results = await probe('shop/api:2.0', {}, { env: { ...env(), ACR_CLIENT_SECRET: 'wrong-secret-value-123' } });
    expect(results['acr.network']).toMatchObject({ status: 'error', error: { provider: 'acr' } });
    expect(results['acr.network']!.detail).toContain('AADSTS7000215');
    expect(JSON.stringify(results)).not.toContain('wrong-secret-value-123');
  });

  it('uses DefaultAzureCredential when the entry names no credentials (environment here)', async () => {
    acr.addRepository('shop/api');
    Object.assign(process.env, { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: prober.clientId, AZURE_CLIENT_SECRET: SECRET, AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential' });
    const results = await probe('shop/api:2.0', {}, { registries: registries(null) });
    expect(results['acr.network']!.status).toBe('ok');
    expect(results['acr.repository']!.status).toBe('ok');
  });

  it('skips when DefaultAzureCredential finds no credentials', async () => {
    for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_USERNAME', 'AZURE_FEDERATED_TOKEN_FILE']) delete process.env[name];
    process.env.AZURE_TOKEN_CREDENTIALS = 'EnvironmentCredential';
    const results = await probe('shop/api:2.0', {}, { registries: registries(null) });
    expect(results['acr.network']).toMatchObject({ status: 'skipped' });
    expect(results['acr.network']!.detail).toContain('EnvironmentCredential');
    expect(arm.requests).toEqual([]);
  });
});

describe('registryLogin (the OCI probes log in with it)', () => {
  function contextFor(credentials: Record<string, string> | null, values: Record<string, string> = env()): ProbeContext {
    const parsed = parseImageRef(`${acr.host}/shop/api:2.0`);
    if (!parsed.ok) throw new Error(parsed.error);
    const registry = registries(credentials)[0]!;
    return { image: parsed.ref, provider: 'acr', facts: {}, registry, credentials: resolveCredentials(registry, values), clouds: { azureAuthorityHost: entra.url }, signal: new AbortController().signal, timeoutMs: 5000, cache, purpose: 'preflight' };
  }

  it('is the all-zero user with an ACR refresh token from /oauth2/exchange, reused until it nears expiry', async () => {
    const context = contextFor(SERVICE_PRINCIPAL);
    const login = await registryLogin(context);
    expect(login?.username).toBe('00000000-0000-0000-0000-000000000000');
    const token = login!.password.reveal();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number; sub: string };
    expect(claims.sub).toBe(prober.objectId);
    expect(String(login!.password)).toBe('[secret]');
    expect((await registryLogin(context))!.password.reveal()).toBe(token);
    expect(acr.received('oauth2.exchange')).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(acr.received('oauth2.exchange')[0]!.body))).toMatchObject({ grant_type: 'access_token', service: acr.host });
  });

  it('fails with a CloudError that says why when the identity cannot log in', async () => {
    const refused = registryLogin(contextFor(SERVICE_PRINCIPAL, { ...env(), ACR_CLIENT_SECRET: 'not-the-secret' }));
    await expect(refused).rejects.toBeInstanceOf(CloudError);
    await expect(refused).rejects.toMatchObject({ kind: 'unauthenticated', code: 'AADSTS7000215' });
  });

  it('has nothing to offer when only a username and password are configured (the OCI probes use those)', async () => {
    await expect(registryLogin(contextFor({ username: 'ACR_USER', password: 'ACR_PASSWORD' }, { ACR_USER: 'u', ACR_PASSWORD: 'p' }))).rejects.toMatchObject({ kind: 'no_credentials' });
  });
});

describe('the OCI probes on ACR: Docker login with the probe identity', () => {
  const TOKEN_USER = '00000000-0000-0000-0000-000000000000';
  const options = (purpose: RunProbesOptions['purpose']): Partial<RunProbesOptions> => ({ probes: ociProbes, purpose });
  const ociRequests = () => acr.requests.filter((r) => r.path.startsWith('/v2/') || r.path.startsWith('/oauth2/')).map((r) => `${r.route} ${r.status}`);

  it('challenge → /oauth2/exchange → /oauth2/token (Basic, the all-zero user) → the /v2/ upload with the ACR access token: push allowed', async () => {
    acr.pushers.add(prober.clientId);
    const results = await probe('shop/api:2.0', {}, options('preflight'));
    expect(results['oci.upload']).toMatchObject({ status: 'ok', detail: `push allowed for the credentials of ${TOKEN_USER}: an upload to shop/api was started (202) and cancelled (204); nothing was written` });
    expect(results['oci.push-scope']).toMatchObject({ status: 'ok', detail: `a token for shop/api grants push,pull to the credentials of ${TOKEN_USER}` });
    // Both probes ran the whole flow; the Entra ID token was exchanged once (the refresh token is cached).
    expect(acr.received('oauth2.exchange')).toHaveLength(1);
    const upload = acr.received('blob.upload');
    expect(upload.map((r) => r.status)).toEqual([202]);
    expect(acr.received('blob.upload-cancel').map((r) => r.status)).toEqual([204]);
    expect(acr.uploads.size).toBe(0);
    // oci.login asks as `docker login` does (no scope); oci.push-scope and oci.upload for push,pull.
    const tokenRequests = acr.received('oauth2.token-basic');
    expect(tokenRequests.map((r) => r.query.get('scope')).sort()).toEqual([null, 'repository:shop/api:push,pull', 'repository:shop/api:push,pull']);
    expect(results['oci.login']).toMatchObject({ status: 'ok', detail: `${acr.host} accepts the credentials of ${TOKEN_USER}` });
    for (const request of tokenRequests) {
      const [user, password] = Buffer.from(request.headers.authorization!.replace(/^Basic /, ''), 'base64').toString().split(':');
      expect(user).toBe(TOKEN_USER);
      // The password is the ACR refresh token from the exchange, never the Entra ID token.
      expect(JSON.parse(Buffer.from(password!.split('.')[1]!, 'base64url').toString())).toMatchObject({ grant_type: 'refresh_token', aud: acr.host });
    }
    // The upload carried the ACR access token (a token for the repository), not the refresh token.
    const bearer = upload[0]!.headers.authorization!.replace(/^Bearer /, '');
    expect(JSON.parse(Buffer.from(bearer.split('.')[1]!, 'base64url').toString())).toMatchObject({ access: [{ type: 'repository', name: 'shop/api', actions: ['push', 'pull'] }] });
    expect(ociRequests()).toEqual(expect.arrayContaining(['v2.ping 401', 'oauth2.exchange 200', 'oauth2.token-basic 200', 'blob.upload 202', 'blob.upload-cancel 204']));
    expect(JSON.stringify(results)).not.toContain(SECRET);
  });

  it('an identity without AcrPush: the token grants pull only and the upload is refused (insufficient_scope) → permission_denied', async () => {
    const results = await probe('shop/api:2.0', {}, options('preflight'));
    expect(results['oci.push-scope']).toMatchObject({ status: 'failed', detail: `asked for push,pull on shop/api; the token grants the credentials of ${TOKEN_USER} only pull` });
    expect(results['oci.upload']).toMatchObject({ status: 'failed', observations: [expect.objectContaining({ kind: 'confirm', category: 'permission_denied' })] });
    expect(results['oci.upload']!.detail).toContain('POST /v2/shop/api/blobs/uploads/ was refused (HTTP 401, UNAUTHORIZED');
    expect(acr.uploads.size).toBe(0);
  });
});

describe('an ACR behind a custom domain (the host says nothing; the registries[] entry says acr)', () => {
  it('gets the ACR probes and the ACR login, chosen by the entry, not by the host', async () => {
    acr.addRepository('shop/api', {}, { '2.0': {} });
    acr.pushers.add(prober.clientId);
    registryModel.networkRuleSet = { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '10.0.0.0/8' }] };
    const log = `The push refers to repository [${acr.host}/shop/api]\ndenied: requested access to the resource is denied`;
    const diagnosis = diagnose({ log, image: `${acr.host}/shop/api:2.0`, runnerIp: '203.0.113.7' });
    expect(diagnosis.provider).not.toBe('acr');
    // No `probes` option: the runner loads the live modules the entry's provider calls for.
    const results = await runProbes({ image: diagnosis.image!, provider: diagnosis.provider, facts: diagnosis.facts }, { registries: registries(), env: env(), cache, purpose: 'preflight' });
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['acr.network', 'acr.storage', 'acr.repository', 'oci.upload']));
    expect(byName['acr.network']).toMatchObject({ status: 'failed', detail: expect.stringContaining('203.0.113.7 is not among them') });
    expect(byName['oci.upload']).toMatchObject({ status: 'ok' });
    expect(acr.received('oauth2.exchange').length).toBeGreaterThan(0);
  });
});
