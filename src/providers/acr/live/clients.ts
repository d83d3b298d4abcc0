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
}

const MICROSOFT_AUTHORITIES = new Set(Object.values(AzureAuthorityHosts).map((url) => new URL(url).host));

/**
 * MSAL's instance discovery knows only Microsoft's own clouds: an authority host elsewhere (Azure Stack
 * Hub, a private Entra ID proxy, a local fake), named in the SDK's own AZURE_AUTHORITY_HOST, is trusted as
 * configured instead of being looked up at login.microsoftonline.com.
 */
function authorityOptions(): { disableInstanceDiscovery?: true } {
  const host = process.env.AZURE_AUTHORITY_HOST;
  return host && URL.canParse(host) && !MICROSOFT_AUTHORITIES.has(new URL(host).host) ? { disableInstanceDiscovery: true } : {};
}

function credentialOf(context: ProbeContext): TokenCredential | CloudError {
  const { credentials } = context;
  if (credentials.source !== 'configured') return new DefaultAzureCredential(authorityOptions());
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
  return new ClientSecretCredential(tenantId.reveal(), clientId.reveal(), clientSecret.reveal(), authorityOptions());
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

const firstLine = (text: string) => redact(text.split('\n')[0]!.trim().slice(0, 300));

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
