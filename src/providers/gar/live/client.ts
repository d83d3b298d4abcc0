// The Artifact Registry client the gar probes share, kept for the process per registry entry so credentials
// are cached and refreshed inside it. REST transport (gax fallback), pointed at `endpoint` when one is set.
// Credentials: a service-account JSON key or an access token from the variables `credentials.probe` names,
// or Google application default credentials (workload identity, GOOGLE_APPLICATION_CREDENTIALS, gcloud).
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
// The auth classes must come from the google-auth-library copy google-gax itself uses.
import gax from 'google-gax';
import { z } from 'zod';
import { CloudError } from '../../../probes/cloud-error.js';
import type { ProbeContext } from '../../../probes/types.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

const serviceAccountKey = z.object({
  type: z.literal('service_account'),
  client_email: z.string().min(3),
  private_key: z.string().includes('PRIVATE KEY'),
  private_key_id: z.string().optional(),
});

export interface GarConnection {
  /** The client, once its credentials are known to exist. */
  client(): Promise<ArtifactRegistryClient>;
  /** The e-mail the calls run as, when the credentials tell it. */
  identity(): Promise<string | undefined>;
  /** An OAuth access token of application default credentials (google-auth-library caches and refreshes it). */
  accessToken?(): Promise<string>;
}

/** How the client reaches the API: the entry's `endpoint` (a private endpoint, a local fake) or Google's own. */
function transportOptions(endpoint: string | undefined) {
  if (!endpoint) return { fallback: true as const };
  const url = new URL(endpoint);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { fallback: true as const, apiEndpoint: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
}

function noCredentials(sentence: string): CloudError {
  return new CloudError('gar', 'NoCredentials', 'no_credentials', sentence, false);
}

function connect(context: ProbeContext): GarConnection {
  const transport = transportOptions(context.registry?.endpoint);
  const { credentials } = context;
  const registryName = context.registry?.name ?? context.image.host;

  if (credentials.source === 'configured') {
    const json = credentials.values.serviceAccountJson?.reveal();
    const token = credentials.values.accessToken?.reveal();
    if (json !== undefined) {
      let key: z.infer<typeof serviceAccountKey>;
      try {
        key = serviceAccountKey.parse(JSON.parse(json));
      } catch {
        const failed = noCredentials(`registry ${registryName}: credentials.probe.serviceAccountJson does not hold a service-account JSON key (type service_account, client_email, private_key).`);
        return { client: () => Promise.reject(failed), identity: () => Promise.resolve(undefined) };
      }
      // A self-signed JWT (as gax makes for service accounts): no token endpoint round trip.
      const jwt = new gax.googleAuthLibrary.JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: [CLOUD_PLATFORM] });
      jwt.useJWTAccessWithScope = true;
      const client = new ArtifactRegistryClient({ ...transport, authClient: jwt });
      return { client: () => Promise.resolve(client), identity: () => Promise.resolve(key.client_email) };
    }
    const oauth = new gax.googleAuthLibrary.OAuth2Client();
    oauth.setCredentials({ access_token: token ?? '' });
    const client = new ArtifactRegistryClient({ ...transport, authClient: oauth });
    return { client: () => Promise.resolve(client), identity: () => Promise.resolve(undefined) };
  }

  const auth = new gax.googleAuthLibrary.GoogleAuth({ scopes: [CLOUD_PLATFORM] });
  const client = new ArtifactRegistryClient({ ...transport, auth });
  return {
    async client() {
      try {
        await auth.getClient();
      } catch (error) {
        throw noCredentials(`Google application default credentials are not available here (${error instanceof Error ? error.message.split('.')[0] : String(error)}).`);
      }
      return client;
    },
    async identity() {
      try {
        return (await auth.getCredentials()).client_email ?? undefined;
      } catch {
        return undefined;
      }
    },
    async accessToken() {
      let token: string | null | undefined;
      try {
        token = await auth.getAccessToken();
      } catch (error) {
        throw noCredentials(`Google application default credentials gave no access token here (${error instanceof Error ? error.message.split('.')[0] : String(error)}).`);
      }
      if (!token) throw noCredentials('Google application default credentials gave no access token here.');
      return token;
    },
  };
}

/** The connection for this probe's registry entry, made once per process (the cache key holds no secret). */
export function garConnection(context: ProbeContext): GarConnection {
  const registry = context.registry;
  return context.cache.get(`gar:${registry?.name ?? context.image.host}:${registry?.endpoint ?? ''}`, () => connect(context));
}

const GAX_DEADLINE_GRACE_MS = 1_000;

/**
 * Per-call options. gax has no AbortSignal: the probe runner or the fix's budget stops waiting when the time is
 * up and says so in its own words ("no answer within 2 s"). gax's own deadline comes a second later, so that it
 * never fires first with its wording ("Deadline exceeded … within 1999 milliseconds"), yet still ends the call.
 */
export function callOptions(context: ProbeContext) {
  return { timeout: context.timeoutMs + GAX_DEADLINE_GRACE_MS };
}

/** The gRPC code of a Google API error (5 not found, 7 permission denied, …). */
export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** What google.rpc.ErrorInfo said, when the error carries one. */
export function errorInfo(error: unknown): { reason?: string; domain?: string; metadata?: Record<string, string> } {
  const shape = (error ?? {}) as { reason?: unknown; domain?: unknown; errorInfoMetadata?: unknown };
  return {
    ...(typeof shape.reason === 'string' ? { reason: shape.reason } : {}),
    ...(typeof shape.domain === 'string' ? { domain: shape.domain } : {}),
    ...(shape.errorInfoMetadata && typeof shape.errorInfoMetadata === 'object' ? { metadata: shape.errorInfoMetadata as Record<string, string> } : {}),
  };
}
