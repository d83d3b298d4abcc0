// A fake Azure Resource Manager for Microsoft.ContainerRegistry (https only, as the SDK demands): registry
// `get`, `listUsages` and `update`, answered from a model of each registry (SKU, admin user, public network
// access, firewall default action and IP rules, storage used). `update` is a long-running PATCH: 202 with
// Azure-AsyncOperation, an operation status that reads InProgress once and then Succeeded (the change is
// applied then), and the SDK's final GET. Bearer tokens must come from the fake Entra ID, issued for ARM;
// errors are ARM's {"error":{"code","message"}}.
import { stringify } from 'yaml';
import { CloudFake, bearerOf, type FakeRequest, type Reply, type Route } from './cloud-fake.js';
import type { FakeEntraId, IssuedToken } from './entra-id.js';
import type { SelfSignedCert } from './self-signed-cert.js';

export type Sku = 'Basic' | 'Standard' | 'Premium';

export interface RegistryModel {
  subscription: string;
  resourceGroup: string;
  name: string;
  location: string;
  sku: Sku;
  adminUserEnabled: boolean;
  publicNetworkAccess: 'Enabled' | 'Disabled';
  networkRuleSet: { defaultAction: 'Allow' | 'Deny'; ipRules: Array<{ action: 'Allow'; value: string }> };
  storageUsedBytes: number;
}

const GIB = 1024 ** 3;
/** Storage included in each tier (https://learn.microsoft.com/azure/container-registry/container-registry-skus). */
export const INCLUDED_STORAGE: Readonly<Record<Sku, number>> = { Basic: 10 * GIB, Standard: 100 * GIB, Premium: 500 * GIB };
const WEBHOOKS: Readonly<Record<Sku, number>> = { Basic: 2, Standard: 10, Premium: 500 };
/** api-version values Microsoft.ContainerRegistry/registries accepts; the SDK (v12) sends the newest. */
const API_VERSIONS = new Set(['2019-05-01', '2021-09-01', '2023-07-01', '2023-11-01-preview', '2025-04-01', '2025-11-01']);
const ARM_AUDIENCE = 'https://management.azure.com';

const REGISTRY_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)/i;

const DEFAULT_MESSAGES: Readonly<Record<number, [string, string]>> = {
  400: ['BadRequest', 'The request is not valid.'],
  401: ['AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."],
  403: ['AuthorizationFailed', 'The client does not have authorization to perform this action.'],
  404: ['ResourceNotFound', 'The resource was not found.'],
  429: ['SubscriptionRequestsThrottled', "Number of 'read' requests for subscription exceeded. Please try again after '1' seconds. Please see https://aka.ms/arm-throttling for additional information."],
  500: ['InternalServerError', 'Encountered internal server error. Diagnostic information: timestamp, subscription id, tracking id.'],
  503: ['ServiceUnavailable', 'The service is currently unavailable. Please try again later.'],
};

/** A PATCH accepted and not yet finished. */
interface PendingUpdate {
  registry: RegistryModel;
  changes: Partial<Pick<RegistryModel, 'adminUserEnabled' | 'publicNetworkAccess' | 'networkRuleSet'>>;
  polls: number;
  applied: boolean;
}

const UPDATABLE = new Set(['adminUserEnabled', 'networkRuleSet', 'publicNetworkAccess', 'policies', 'encryption', 'dataEndpointEnabled', 'networkRuleBypassOptions', 'networkRuleBypassAllowedForTasks', 'anonymousPullEnabled', 'roleAssignmentMode']);
const IPV4_RULE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\/(?:3[0-2]|[12]?\d))?$/;

export class FakeArm extends CloudFake {
  readonly registries: RegistryModel[] = [];
  /** Client ids whose role assignments do not allow reading registries (answered 403 AuthorizationFailed). */
  readonly withoutReadAccess = new Set<string>();
  /** Client ids allowed to change registries (Contributor); everyone else gets 403 on update. */
  readonly writers = new Set<string>();
  private readonly pending = new Map<string, PendingUpdate>();

  protected readonly routes: readonly Route[] = [
    {
      name: 'registries.listUsages',
      method: 'GET',
      path: new RegExp(`${REGISTRY_PATH.source}/listUsages$`, 'i'),
      handle: (req, match) => this.withRegistry(req, match, 'Microsoft.ContainerRegistry/registries/listUsages/read', (r) => ({ status: 200, body: { value: usages(r) } })),
    },
    {
      name: 'registries.operationStatus',
      method: 'GET',
      path: new RegExp(`${REGISTRY_PATH.source}/operationStatuses/([\\w-]+)$`, 'i'),
      handle: (req, match) => this.withRegistry(req, match, 'Microsoft.ContainerRegistry/registries/operationStatuses/read', () => this.operationStatus(match[4]!)),
    },
    {
      name: 'registries.get',
      method: 'GET',
      path: new RegExp(`${REGISTRY_PATH.source}$`, 'i'),
      handle: (req, match) => this.withRegistry(req, match, 'Microsoft.ContainerRegistry/registries/read', (r) => ({ status: 200, body: registryResource(r) })),
    },
    {
      name: 'registries.update',
      method: 'PATCH',
      path: new RegExp(`${REGISTRY_PATH.source}$`, 'i'),
      handle: (req, match) => this.withRegistry(req, match, 'Microsoft.ContainerRegistry/registries/write', (r) => this.update(req, r)),
    },
  ];

  constructor(
    tls: SelfSignedCert,
    private readonly entra: FakeEntraId,
  ) {
    super(tls);
  }

  addRegistry(model: Partial<RegistryModel> & Pick<RegistryModel, 'subscription' | 'resourceGroup' | 'name'>): RegistryModel {
    const full: RegistryModel = {
      location: 'westeurope',
      sku: 'Premium',
      adminUserEnabled: false,
      publicNetworkAccess: 'Enabled',
      networkRuleSet: { defaultAction: 'Allow', ipRules: [] },
      storageUsedBytes: GIB,
      ...model,
    };
    this.registries.push(full);
    return full;
  }

  protected errorReply(status: number, code?: string, message?: string): Reply {
    const [defaultCode, defaultMessage] = DEFAULT_MESSAGES[status] ?? ['InternalServerError', 'Error.'];
    return {
      status,
      headers: { 'x-ms-failure-cause': status >= 500 ? 'service' : 'gateway', 'x-ms-request-id': crypto.randomUUID() },
      body: { error: { code: code ?? defaultCode, message: message ?? defaultMessage } },
    };
  }

  private authenticate(req: FakeRequest): IssuedToken | Reply {
    const token = bearerOf(req);
    if (!token) {
      const reply = this.errorReply(401);
      return { ...reply, headers: { ...reply.headers, 'www-authenticate': `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."` } };
    }
    const holder = this.entra.holderOf(token, this.url) ?? this.entra.holderOf(token, ARM_AUDIENCE);
    if (!holder) return this.errorReply(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    return holder;
  }

  private withRegistry(req: FakeRequest, match: RegExpExecArray, action: string, answer: (registry: RegistryModel, caller: IssuedToken) => Reply): Reply {
    this.expect(API_VERSIONS.has(req.query.get('api-version') ?? ''), `api-version "${req.query.get('api-version')}" is not one of Microsoft.ContainerRegistry's`);
    this.expect((req.headers.accept ?? '').includes('application/json'), `accept "${req.headers.accept}", expected application/json`);
    const caller = this.authenticate(req);
    if ('status' in caller) return caller;
    const [, subscription, resourceGroup, name] = match.map((part) => decodeURIComponent(part ?? '').toLowerCase());
    const scope = `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${name}`;
    const writing = action.endsWith('/write');
    if (this.withoutReadAccess.has(caller.clientId) || (writing && !this.writers.has(caller.clientId))) {
      return this.errorReply(
        403,
        'AuthorizationFailed',
        `The client '${caller.clientId}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    const inGroup = this.registries.filter((r) => r.subscription.toLowerCase() === subscription && r.resourceGroup.toLowerCase() === resourceGroup);
    if (inGroup.length === 0) return this.errorReply(404, 'ResourceGroupNotFound', `Resource group '${match[2]}' could not be found.`);
    const registry = inGroup.find((r) => r.name.toLowerCase() === name);
    if (!registry) {
      return this.errorReply(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.ContainerRegistry/registries/${match[3]}' under resource group '${match[2]}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    return answer(registry, caller);
  }

  private update(req: FakeRequest, registry: RegistryModel): Reply {
    this.expect(req.headers['content-type']?.startsWith('application/json'), `content-type ${req.headers['content-type']}, expected JSON`);
    const body = JSON.parse(req.body || '{}') as { properties?: Record<string, unknown>; sku?: unknown; tags?: unknown; identity?: unknown };
    this.expect(Object.keys(body).every((key) => ['properties', 'sku', 'tags', 'identity'].includes(key)), `unknown top-level keys in ${req.body}`);
    const properties = body.properties ?? {};
    this.expect(Object.keys(properties).every((key) => UPDATABLE.has(key)), `properties ${Object.keys(properties).join(', ')} are not all updatable`);
    const changes: PendingUpdate['changes'] = {};
    if ('adminUserEnabled' in properties) {
      this.expect(typeof properties.adminUserEnabled === 'boolean', 'adminUserEnabled must be a boolean');
      changes.adminUserEnabled = properties.adminUserEnabled;
    }
    if ('publicNetworkAccess' in properties) {
      this.expect(properties.publicNetworkAccess === 'Enabled' || properties.publicNetworkAccess === 'Disabled', 'publicNetworkAccess must be Enabled or Disabled');
      changes.publicNetworkAccess = properties.publicNetworkAccess;
    }
    if ('networkRuleSet' in properties) {
      const set = properties.networkRuleSet as { defaultAction?: unknown; ipRules?: unknown };
      this.expect(set.defaultAction === 'Allow' || set.defaultAction === 'Deny', 'networkRuleSet.defaultAction must be Allow or Deny');
      const rules = (set.ipRules ?? []) as Array<{ action?: unknown; value?: unknown }>;
      this.expect(Array.isArray(rules) && rules.every((rule) => rule.action === 'Allow' && typeof rule.value === 'string' && IPV4_RULE.test(rule.value)), `ipRules ${JSON.stringify(rules)} are not [{action: Allow, value: IPv4 or CIDR}]`);
      changes.networkRuleSet = { defaultAction: set.defaultAction, ipRules: rules.map((rule) => ({ action: 'Allow' as const, value: rule.value as string })) };
    }
    const id = `registries-${crypto.randomUUID()}`;
    this.pending.set(id, { registry, changes, polls: 0, applied: false });
    const statusUrl = `${this.url}${resourceId(registry)}/operationStatuses/${id}?api-version=${req.query.get('api-version')}`;
    return { status: 202, headers: { 'azure-asyncoperation': statusUrl, location: statusUrl, 'retry-after': '0' }, body: registryResource(registry) };
  }

  private operationStatus(id: string): Reply {
    const update = this.pending.get(id);
    if (!update) return this.errorReply(404, 'OperationNotFound', `The operation '${id}' was not found.`);
    update.polls += 1;
    if (update.polls === 1) return { status: 200, body: { status: 'InProgress' } };
    if (!update.applied) Object.assign(update.registry, update.changes);
    update.applied = true;
    return { status: 200, body: { status: 'Succeeded' } };
  }
}

function resourceId(r: RegistryModel): string {
  return `/subscriptions/${r.subscription}/resourceGroups/${r.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${r.name}`;
}

/** The registry resource as ARM serialises it (properties nested; the SDK flattens them). */
function registryResource(r: RegistryModel): unknown {
  return {
    sku: { name: r.sku, tier: r.sku },
    type: 'Microsoft.ContainerRegistry/registries',
    id: resourceId(r),
    name: r.name,
    location: r.location,
    tags: {},
    systemData: { createdBy: 'someone@example.com', createdByType: 'User', createdAt: '2024-03-01T10:00:00.0000000Z', lastModifiedBy: 'someone@example.com', lastModifiedByType: 'User', lastModifiedAt: '2024-03-01T10:00:00.0000000Z' },
    properties: {
      loginServer: `${r.name}.azurecr.io`,
      creationDate: '2024-03-01T10:00:00.0000000Z',
      provisioningState: 'Succeeded',
      adminUserEnabled: r.adminUserEnabled,
      // Firewall rules apply to Premium only; other tiers report the open default.
      networkRuleSet: r.sku === 'Premium' ? { defaultAction: r.networkRuleSet.defaultAction, ipRules: r.networkRuleSet.ipRules } : { defaultAction: 'Allow', ipRules: [] },
      policies: {
        quarantinePolicy: { status: 'disabled' },
        trustPolicy: { type: 'Notary', status: 'disabled' },
        retentionPolicy: { days: 7, lastUpdatedTime: '2024-03-01T10:00:00.0000000Z', status: 'disabled' },
        exportPolicy: { status: 'enabled' },
        azureADAuthenticationAsArmPolicy: { status: 'enabled' },
      },
      encryption: { status: 'disabled' },
      dataEndpointEnabled: false,
      dataEndpointHostNames: [],
      privateEndpointConnections: [],
      publicNetworkAccess: r.publicNetworkAccess,
      networkRuleBypassOptions: 'AzureServices',
      networkRuleBypassAllowedForTasks: false,
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: false,
      roleAssignmentMode: 'LegacyRegistryPermissions',
    },
  };
}

function usages(r: RegistryModel): unknown[] {
  return [
    { name: 'Size', limit: INCLUDED_STORAGE[r.sku], currentValue: r.storageUsedBytes, unit: 'Bytes' },
    { name: 'Webhooks', limit: WEBHOOKS[r.sku], currentValue: 0, unit: 'Count' },
    { name: 'ScopeMaps', limit: r.sku === 'Premium' ? 50000 : 100, currentValue: 0, unit: 'Count' },
    { name: 'Tokens', limit: r.sku === 'Premium' ? 50000 : 100, currentValue: 0, unit: 'Count' },
    ...(r.sku === 'Premium' ? [{ name: 'IPRules', limit: 200, currentValue: r.networkRuleSet.ipRules.length, unit: 'Count' }] : []),
  ];
}

/**
 * The `registries[]` entry for the ACR `shopreg` in `rg-shop` served by these fakes: probe and fix service
 * principals read from the ACR_* variables, U0ALICE its fixer.
 */
export function acrRegistryEntry(target: { host: string; armUrl: string; subscription: string }) {
  return {
    name: 'shop-acr',
    provider: 'acr',
    host: target.host,
    account: 'shopreg',
    endpoint: target.armUrl,
    subscription: target.subscription,
    resourceGroup: 'rg-shop',
    credentials: {
      probe: { tenantId: 'ACR_TENANT_ID', clientId: 'ACR_PROBE_CLIENT_ID', clientSecret: 'ACR_PROBE_CLIENT_SECRET' },
      fix: { tenantId: 'ACR_TENANT_ID', clientId: 'ACR_FIX_CLIENT_ID', clientSecret: 'ACR_FIX_CLIENT_SECRET' },
    },
    fixers: { users: ['U0ALICE'] },
  };
}

/** The same entry as YAML lines, a list item under `registries:` of a config file. */
export function acrRegistryYaml(target: { host: string; armUrl: string; subscription: string }): string[] {
  return stringify([acrRegistryEntry(target)]).trimEnd().split('\n').map((line) => `  ${line}`);
}
