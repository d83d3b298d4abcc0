// The Azure clients the acr probes share, kept for the process per registry entry so Entra ID tokens (and
// the data plane's ACR refresh tokens) are cached and refreshed inside them. ARM goes to the entry's
// `endpoint` when one is set; the data plane is the registry's login server, the image's host.
// Credentials: a service principal (tenantId, clientId, clientSecret) from the variables `credentials.probe`
// names, or DefaultAzureCredential (managed identity, workload identity, environment, Azure CLI).
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { ContainerRegistryClient } from '@azure/container-registry';
import { AzureAuthorityHosts, ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { redact } from '../../../engine/redact.js';
import { CloudError, toCloudError } from '../../../probes/cloud-error.js';
import type { ProbeContext } from '../../../probes/types.js';

/** Where the registry lives in Azure Resource Manager. */
export interface ArmLocation {
  subscription: string;
  resourceGroup: string;
  registryName: string;
}

interface AzureConnection {
  credential: TokenCredential | CloudError;
  dataPlane?: ContainerRegistryClient;
  arm: Map<string, ContainerRegistryManagementClient>;
  /** The ACR refresh token the registry issued for the Entra ID token, until shortly before it expires. */
  refresh?: { token: string; expiresAt: number };
  /** The exchange in flight: probes running in parallel share it instead of exchanging once each. */
  exchanging?: Promise<string>;
}

const MICROSOFT_AUTHORITIES = new Set(Object.values(AzureAuthorityHosts).map((url) => new URL(url).host));

/**
 * The Entra ID authority the config layer read from AZURE_AUTHORITY_HOST, if any. MSAL's instance discovery
 * knows only Microsoft's own clouds: an authority elsewhere (Azure Stack Hub, a private Entra ID proxy, a
 * local fake) is trusted as configured instead of being looked up at login.microsoftonline.com.
 */
function authorityOptions(context: ProbeContext): { authorityHost?: string; disableInstanceDiscovery?: true } {
  const host = context.clouds?.azureAuthorityHost;
  if (!host) return {};
  return MICROSOFT_AUTHORITIES.has(new URL(host).host) ? { authorityHost: host } : { authorityHost: host, disableInstanceDiscovery: true };
}

function credentialOf(context: ProbeContext): TokenCredential | CloudError {
  const { credentials } = context;
  if (credentials.source !== 'configured') return new DefaultAzureCredential(authorityOptions(context));
  const { tenantId, clientId, clientSecret } = credentials.values;
  if (!tenantId || !clientId || !clientSecret) {
    return new CloudError(
      'acr',
      'NoCredentials',
      'no_credentials',
      `registry ${context.registry?.name}: the Azure probes need a service principal (credentials.probe tenantId, clientId and clientSecret); a username and password serve the registry (OCI) probes only.`,
      false,
    );
  }
  return new ClientSecretCredential(tenantId.reveal(), clientId.reveal(), clientSecret.reveal(), authorityOptions(context));
}

function connection(context: ProbeContext): AzureConnection {
  const registry = context.registry;
  return context.cache.get(`acr:${registry?.name ?? context.image.host}:${registry?.endpoint ?? ''}`, () => ({
    credential: credentialOf(context),
    arm: new Map(),
  }));
}

function usable(context: ProbeContext): { state: AzureConnection; credential: TokenCredential } {
  const state = connection(context);
  if (state.credential instanceof CloudError) throw state.credential;
  return { state, credential: state.credential };
}

/** The ARM location of the registry, or why it is not known. */
export function armLocation(context: ProbeContext): ArmLocation | { unknown: string } {
  const registry = context.registry;
  const subscription = registry?.subscription ?? (context.credentials.source === 'configured' ? context.credentials.values.subscriptionId?.reveal() : undefined);
  const registryName = registry?.account ?? context.image.account;
  const missing = [!subscription && 'subscription', !registry?.resourceGroup && 'resourceGroup', !registryName && 'account (the registry name)'].filter(Boolean);
  if (missing.length > 0) return { unknown: `registry ${registry?.name ?? context.image.host} sets no ${missing.join(', ')}, which the Azure Resource Manager checks need` };
  return { subscription: subscription!, resourceGroup: registry!.resourceGroup!, registryName: registryName! };
}

export function armClient(context: ProbeContext, subscription: string): ContainerRegistryManagementClient {
  const { state, credential } = usable(context);
  let client = state.arm.get(subscription);
  if (!client) {
    const endpoint = context.registry?.endpoint;
    client = new ContainerRegistryManagementClient(credential, subscription, endpoint ? { endpoint } : {});
    state.arm.set(subscription, client);
  }
  return client;
}

export function dataPlaneClient(context: ProbeContext): ContainerRegistryClient {
  const { state, credential } = usable(context);
  state.dataPlane ??= new ContainerRegistryClient(`https://${context.image.host}`, credential);
  return state.dataPlane;
}

/** The HTTP status of an Azure SDK error (RestError), if any. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

// Redacted before the cut, so no cut leaves a piece of a secret the redactor cannot see.
const firstLine = (text: string) => redact(text.split('\n')[0]!.trim()).slice(0, 300);

/**
 * The CloudError for what an Azure SDK threw. @azure/identity reports "no credentials here" as an aggregate
 * of unavailable credentials, and a refused secret as an error carrying Entra ID's AADSTS code.
 */
export function azureError(what: string, error: unknown): CloudError {
  const shape = (error ?? {}) as { name?: unknown; message?: unknown; errors?: unknown };
  const message = typeof shape.message === 'string' ? shape.message : '';
  const causes = Array.isArray(shape.errors) ? (shape.errors as Array<{ name?: unknown; message?: unknown }>) : [];
  if (shape.name === 'AggregateAuthenticationError' && causes.length > 0 && causes.every((cause) => cause.name === 'CredentialUnavailableError')) {
    const reasons = causes.map((cause) => firstLine(String(cause.message ?? ''))).join(' ');
    return new CloudError('acr', 'CredentialUnavailableError', 'no_credentials', `${what}: DefaultAzureCredential found no credentials here. ${reasons}`, false);
  }
  const aadsts = /AADSTS\d+/.exec(message)?.[0];
  if (aadsts && (shape.name === 'AuthenticationRequiredError' || shape.name === 'AuthenticationError')) {
    const detail = firstLine(message.slice(message.indexOf(aadsts)));
    return new CloudError('acr', aadsts, 'unauthenticated', `${what}: Microsoft Entra ID refused the probe credentials: ${detail}`, false, 401);
  }
  return toCloudError('acr', what, error);
}

const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
const REFRESH_MARGIN_MS = 5 * 60_000;

/** When a JWT expires (ms), from its `exp`; ACR refresh tokens last three hours. */
function expiryOf(jwt: string): number {
  try {
    const exp = (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { exp?: unknown }).exp;
    if (typeof exp === 'number') return exp * 1000;
  } catch {
    // not a JWT: assume the documented lifetime
  }
  return Date.now() + 3 * 3_600_000;
}

/**
 * An ACR refresh token for the probe identity, as `az acr login --expose-token` gets one: the Entra ID token
 * exchanged at the login server's /oauth2/exchange. Docker logs in with it as the all-zero GUID user.
 */
export async function acrRefreshToken(context: ProbeContext): Promise<string> {
  const { state, credential } = usable(context);
  if (state.refresh && state.refresh.expiresAt - REFRESH_MARGIN_MS > Date.now()) return state.refresh.token;
  state.exchanging ??= exchange(context, state, credential).finally(() => {
    state.exchanging = undefined;
  });
  return state.exchanging;
}

async function exchange(context: ProbeContext, state: AzureConnection, credential: TokenCredential): Promise<string> {
  const aad = await credential.getToken(ACR_SCOPE, { abortSignal: context.signal });
  if (!aad) throw new CloudError('acr', 'NoToken', 'unauthenticated', 'Microsoft Entra ID issued no token for the registry.', false);
  const host = context.image.host;
  const response = await fetch(`https://${host}/oauth2/exchange`, {
    method: 'POST',
    signal: context.signal,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'access_token', service: host, access_token: aad.token }),
  });
  const body = (await response.json().catch(() => ({}))) as { refresh_token?: unknown };
  if (!response.ok || typeof body.refresh_token !== 'string') {
    const status = response.status;
    const kind = status === 429 ? 'throttled' : status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : 'service';
    throw new CloudError('acr', `HTTP_${status}`, kind, `${host} refused to exchange the probe identity's Entra ID token for a registry token (HTTP ${status}).`, status === 429 || status >= 500, status);
  }
  state.refresh = { token: body.refresh_token, expiresAt: expiryOf(body.refresh_token) };
  return body.refresh_token;
}
