// A fake Microsoft Entra ID token service (what AZURE_AUTHORITY_HOST points at): MSAL's instance discovery,
// the tenant's OpenID configuration, and the client-credentials grant of the v2.0 token endpoint. It knows
// the service principals it may issue for and remembers each token it issued, with its audience, so the ARM
// and ACR fakes can refuse a token that was never issued or was issued for another resource.
import { randomUUID } from 'node:crypto';
import { CloudFake, type Reply, type Route } from './cloud-fake.js';
import type { SelfSignedCert } from './self-signed-cert.js';

export interface ServicePrincipal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The principal's object id (ARM error messages name it). */
  objectId: string;
}

export interface IssuedToken {
  clientId: string;
  objectId: string;
  tenantId: string;
  /** The resource, as the scope named it without `/.default`. */
  audience: string;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class FakeEntraId extends CloudFake {
  private readonly principals = new Map<string, ServicePrincipal>();
  private readonly issued = new Map<string, IssuedToken>();

  protected readonly routes: readonly Route[] = [
    { name: 'instanceDiscovery', method: 'GET', path: /^\/common\/discovery\/instance$/, handle: (req) => this.discovery(req.query) },
    {
      name: 'openidConfiguration',
      method: 'GET',
      path: /^\/([\w.-]+)\/v2\.0\/\.well-known\/openid-configuration$/,
      handle: (_req, match) => this.openidConfiguration(match[1]!),
    },
    { name: 'token', method: 'POST', path: /^\/([\w.-]+)\/oauth2\/v2\.0\/token$/, handle: (req, match) => this.token(match[1]!, req.headers['content-type'], req.body) },
  ];

  constructor(tls: SelfSignedCert) {
    super(tls);
  }

  addServicePrincipal(principal: Omit<ServicePrincipal, 'objectId'> & { objectId?: string }): ServicePrincipal {
    const full = { ...principal, objectId: principal.objectId ?? randomUUID() };
    this.principals.set(full.clientId, full);
    return full;
  }

  /** The token's holder when it was issued here for `audience`; undefined otherwise. */
  holderOf(token: string | undefined, audience: string): IssuedToken | undefined {
    const issued = token ? this.issued.get(token) : undefined;
    return issued && issued.audience === audience.replace(/\/$/, '') ? issued : undefined;
  }

  protected errorReply(status: number, code = status === 401 ? 'invalid_client' : 'invalid_request', message = 'AADSTS900144: The request body must contain the following parameter.'): Reply {
    return {
      status,
      body: {
        error: code,
        error_description: `${message}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
        error_codes: [Number(/AADSTS(\d+)/.exec(message)?.[1] ?? 0)],
        timestamp: new Date().toISOString(),
        trace_id: randomUUID(),
        correlation_id: randomUUID(),
      },
    };
  }

  private discovery(query: URLSearchParams): Reply {
    this.expect(query.get('api-version') === '1.1', `instance discovery api-version ${query.get('api-version')}, expected 1.1`);
    const endpoint = query.get('authorization_endpoint') ?? '';
    const tenant = /^https:\/\/[^/]+\/([\w.-]+)\/oauth2\/v2\.0\/authorize$/.exec(endpoint)?.[1];
    this.expect(tenant, `instance discovery without an authorization_endpoint of this host: ${endpoint}`);
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${this.url}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: this.host, preferred_cache: this.host, aliases: [this.host] }],
      },
    };
  }

  private openidConfiguration(tenant: string): Reply {
    if (![...this.principals.values()].some((p) => p.tenantId === tenant)) {
      return this.errorReply(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found.`);
    }
    const base = `${this.url}/${tenant}`;
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${this.url}/${tenant}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
      },
    };
  }

  private token(tenant: string, contentType: string | undefined, body: string): Reply {
    this.expect(contentType?.startsWith('application/x-www-form-urlencoded'), `token request content-type ${contentType}`);
    const form = new URLSearchParams(body);
    this.expect(form.get('grant_type') === 'client_credentials', `grant_type ${form.get('grant_type')}, expected client_credentials`);
    const scope = form.get('scope') ?? '';
    this.expect(/^\S+\/\.default$/.test(scope), `scope "${scope}" is not one RESOURCE/.default`);
    const principal = this.principals.get(form.get('client_id') ?? '');
    if (!principal || principal.tenantId !== tenant) {
      return this.errorReply(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`);
    }
    if (form.get('client_secret') !== principal.clientSecret) {
      return this.errorReply(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${principal.clientId}'.`);
    }
    const audience = scope.slice(0, -'/.default'.length);
    const expiresIn = 3599;
    const now = Math.floor(Date.now() / 1000);
    const token = [
      b64url({ typ: 'JWT', alg: 'RS256' }),
      b64url({ aud: audience, iss: `https://sts.windows.net/${tenant}/`, iat: now, nbf: now, exp: now + expiresIn, appid: principal.clientId, oid: principal.objectId, tid: tenant, jti: randomUUID() }),
      Buffer.from(randomUUID()).toString('base64url'),
    ].join('.');
    this.issued.set(token, { clientId: principal.clientId, objectId: principal.objectId, tenantId: tenant, audience });
    return { status: 200, body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token } };
  }
}
