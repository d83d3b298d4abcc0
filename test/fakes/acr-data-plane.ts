// A fake Azure Container Registry data plane (the login server, https): the token flow the SDK runs on a 401
// challenge (Entra access token → POST /oauth2/exchange → ACR refresh token, a JWT with `exp` → POST
// /oauth2/token → access token for the challenged scope), and repository and tag properties with their
// changeableAttributes, read (GET, metadata_read) and changed (PATCH, metadata_write: what unlocking a
// repository or tag sends). Errors are ACR's {"errors":[{"code","message","detail"}]}.
// Docker's side of the same login server: GET /v2/ → 401 Bearer challenge (realm /oauth2/token); GET
// /oauth2/token?service&scope with Basic auth (the all-zero GUID user, an ACR refresh token as password, as
// `az acr login --expose-token` hands out) → {access_token} granting the identity's actions (pull; push
// only for `pushers`, the AcrPush role); POST /v2/NAME/blobs/uploads/ → 202 + Location, or 401
// insufficient_scope without push; DELETE of the location → 204.
import { randomUUID } from 'node:crypto';
import { CloudFake, bearerOf, type FakeRequest, type Reply, type Route } from './cloud-fake.js';
import type { FakeEntraId } from './entra-id.js';
import type { SelfSignedCert } from './self-signed-cert.js';

export interface ChangeableAttributes {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

export interface TagModel {
  digest: string;
  attributes: ChangeableAttributes;
}

export interface RepositoryModel {
  name: string;
  attributes: ChangeableAttributes;
  tags: Map<string, TagModel>;
}

const ACR_AUDIENCE = 'https://containerregistry.azure.net';
/** Data-plane api-versions the service accepts; @azure/container-registry@1 sends 2021-07-01. */
const API_VERSIONS = new Set(['2019-08-15-preview', '2021-07-01']);
const CREATED = '2024-03-01T10:00:00.0000000Z';

const DEFAULT_ERRORS: Readonly<Record<number, [string, string]>> = {
  400: ['UNSUPPORTED', 'The operation is unsupported.'],
  401: ['UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization for more information.'],
  403: ['DENIED', 'requested access to the resource is denied'],
  404: ['NAME_UNKNOWN', 'repository name not known to registry'],
  429: ['TOOMANYREQUESTS', 'too many requests, please retry after some time'],
  500: ['UNKNOWN', 'unknown error'],
  503: ['UNAVAILABLE', 'service unavailable'],
};

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Grant {
  clientId: string;
  /** `repository:NAME:ACTION` entries this token allows. */
  scopes: Set<string>;
}

export const unlocked = (): ChangeableAttributes => ({ deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true });

export class FakeAcrDataPlane extends CloudFake {
  readonly repositories = new Map<string, RepositoryModel>();
  /** Client ids that hold no pull/metadata role here: the token endpoint grants them nothing. */
  readonly withoutPull = new Set<string>();
  /** Client ids that may change repository and tag attributes (metadata_write); nobody by default. */
  readonly metadataWriters = new Set<string>();
  /** Client ids holding AcrPush (push, pull); nobody by default (the probe identity reads only). */
  readonly pushers = new Set<string>();
  /** Uploads started and not yet cancelled: upload id → repository. */
  readonly uploads = new Map<string, string>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly accessTokens = new Map<string, Grant>();

  protected readonly routes: readonly Route[] = [
    { name: 'oauth2.exchange', method: 'POST', path: /^\/oauth2\/exchange$/, handle: (req) => this.exchange(req) },
    { name: 'oauth2.token', method: 'POST', path: /^\/oauth2\/token$/, handle: (req) => this.token(req) },
    { name: 'oauth2.token-basic', method: 'GET', path: /^\/oauth2\/token$/, handle: (req) => this.dockerToken(req) },
    { name: 'v2.ping', method: 'GET', path: /^\/v2\/$/, handle: (req) => this.ping(req) },
    { name: 'blob.upload', method: 'POST', path: /^\/v2\/(.+)\/blobs\/uploads\/$/, handle: (req, match) => this.startUpload(req, match[1]!) },
    { name: 'blob.upload-cancel', method: 'DELETE', path: /^\/v2\/(.+)\/blobs\/uploads\/([\w-]+)$/, handle: (req, match) => this.cancelUpload(req, match[1]!, match[2]!) },
    { name: 'tag.get', method: 'GET', path: /^\/acr\/v1\/(.+)\/_tags\/([^/]+)$/, handle: (req, match) => this.tag(req, decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)) },
    { name: 'tag.update', method: 'PATCH', path: /^\/acr\/v1\/(.+)\/_tags\/([^/]+)$/, handle: (req, match) => this.tag(req, decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)) },
    { name: 'repository.get', method: 'GET', path: /^\/acr\/v1\/(?!_catalog$)(.+)$/, handle: (req, match) => this.repository(req, decodeURIComponent(match[1]!)) },
    { name: 'repository.update', method: 'PATCH', path: /^\/acr\/v1\/(?!_catalog$)(.+)$/, handle: (req, match) => this.repository(req, decodeURIComponent(match[1]!)) },
  ];

  constructor(
    tls: SelfSignedCert,
    private readonly entra: FakeEntraId,
  ) {
    super(tls);
  }

  addRepository(name: string, attributes: Partial<ChangeableAttributes> = {}, tags: Record<string, Partial<ChangeableAttributes>> = {}): RepositoryModel {
    const model: RepositoryModel = {
      name,
      attributes: { ...unlocked(), ...attributes },
      tags: new Map(Object.entries(tags).map(([tag, attrs]) => [tag, { digest: `sha256:${Buffer.from(`${name}:${tag}`).toString('hex').padEnd(64, '0').slice(0, 64)}`, attributes: { ...unlocked(), ...attrs } }])),
    };
    this.repositories.set(name, model);
    return model;
  }

  protected errorReply(status: number, code?: string, message?: string): Reply {
    const [defaultCode, defaultMessage] = DEFAULT_ERRORS[status] ?? ['UNKNOWN', 'unknown error'];
    return { status, body: { errors: [{ code: code ?? defaultCode, message: message ?? defaultMessage, detail: null }] } };
  }

  /** The SDK sends an api-version everywhere; Docker-style clients (az acr login) send none to /oauth2/*. */
  private checkApiVersion(req: FakeRequest, optional = false): void {
    const version = req.query.get('api-version');
    if (optional && version === null) return;
    this.expect(API_VERSIONS.has(version ?? ''), `api-version "${version}" is not a data-plane version`);
  }

  private form(req: FakeRequest): URLSearchParams {
    this.expect(req.headers['content-type']?.startsWith('application/x-www-form-urlencoded'), `content-type ${req.headers['content-type']}, expected a form`);
    return new URLSearchParams(req.body);
  }

  private exchange(req: FakeRequest): Reply {
    this.checkApiVersion(req, true);
    const form = this.form(req);
    this.expect(form.get('grant_type') === 'access_token', `grant_type ${form.get('grant_type')}, expected access_token`);
    this.expect(form.get('service') === this.host, `service ${form.get('service')}, expected ${this.host}`);
    const holder = this.entra.holderOf(form.get('access_token') ?? undefined, ACR_AUDIENCE);
    if (!holder) return this.errorReply(401, 'UNAUTHORIZED', 'The access token is invalid or was not issued for https://containerregistry.azure.net.');
    const now = Math.floor(Date.now() / 1000);
    const refreshToken = [
      b64url({ alg: 'RS256', typ: 'JWT', kid: 'fake' }),
      b64url({ jti: randomUUID(), sub: holder.objectId, nbf: now, exp: now + 3 * 3600, iat: now, iss: 'Azure Container Registry', aud: this.host, version: '1.0', grant_type: 'refresh_token', tenant: holder.tenantId, permissions: { actions: ['read'] } }),
      Buffer.from(randomUUID()).toString('base64url'),
    ].join('.');
    this.refreshTokens.set(refreshToken, holder.clientId);
    return { status: 200, body: { refresh_token: refreshToken } };
  }

  private token(req: FakeRequest): Reply {
    this.checkApiVersion(req, true);
    const form = this.form(req);
    this.expect(form.get('grant_type') === 'refresh_token', `grant_type ${form.get('grant_type')}, expected refresh_token`);
    this.expect(form.get('service') === this.host, `service ${form.get('service')}, expected ${this.host}`);
    const scope = form.get('scope') ?? '';
    this.expect(/^repository:[\w./-]+:[\w,*]+$/.test(scope), `scope "${scope}" is not repository:NAME:ACTIONS`);
    const clientId = this.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!clientId) return this.errorReply(401, 'UNAUTHORIZED', 'The refresh token is invalid.');
    return { status: 200, body: { access_token: this.issue(clientId, scope) } };
  }

  /** An access token for `repository:NAME:ACTIONS`, granting the actions the identity holds. */
  private issue(clientId: string, scope: string): string {
    const [, name, actions] = scope.split(':') as [string, string, string];
    const allowed = new Set([
      ...(this.withoutPull.has(clientId) ? [] : ['metadata_read', 'pull']),
      ...(this.metadataWriters.has(clientId) ? ['metadata_write'] : []),
      ...(this.pushers.has(clientId) ? ['push', 'pull'] : []),
    ]);
    const granted = actions.split(',').filter((a) => allowed.has(a));
    const accessToken = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: clientId, access: [{ type: 'repository', name, actions: granted }] })}.${Buffer.from(randomUUID()).toString('base64url')}`;
    this.accessTokens.set(accessToken, { clientId, scopes: new Set(granted.map((a) => `repository:${name}:${a}`)) });
    return accessToken;
  }

  /** Docker's token request: Basic auth with the all-zero GUID user and an ACR refresh token. */
  private dockerToken(req: FakeRequest): Reply {
    this.expect(req.query.get('service') === this.host, `service ${req.query.get('service')}, expected ${this.host}`);
    // `docker login` asks without a scope (does the login work?); a push asks for repository:NAME:push,pull.
    const scope = req.query.get('scope');
    this.expect(scope === null || /^repository:[\w./-]+:[\w,*]+$/.test(scope), `scope "${scope}" is not repository:NAME:ACTIONS`);
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    this.expect(basic !== undefined, 'no Basic authorization on the token request');
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const user = decoded.slice(0, decoded.indexOf(':'));
    this.expect(user === '00000000-0000-0000-0000-000000000000', `user ${user}: a refresh token goes with the all-zero GUID user`);
    const clientId = this.refreshTokens.get(decoded.slice(decoded.indexOf(':') + 1));
    if (!clientId) return this.errorReply(401, 'UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization for more information.');
    return { status: 200, body: { access_token: this.issue(clientId, scope ?? 'repository:*:') } };
  }

  private challenge(scope?: string, error?: string): Record<string, string> {
    const extra = `${scope ? `,scope="${scope}"` : ''}${error ? `,error="${error}"` : ''}`;
    return { 'www-authenticate': `Bearer realm="${this.url}/oauth2/token",service="${this.host}"${extra}` };
  }

  private ping(req: FakeRequest): Reply {
    if (this.accessTokens.has(bearerOf(req) ?? '')) return { status: 200, body: {} };
    return { ...this.errorReply(401), headers: this.challenge() };
  }

  private startUpload(req: FakeRequest, repository: string): Reply {
    const scope = `repository:${repository}:pull,push`;
    const grant = this.accessTokens.get(bearerOf(req) ?? '');
    if (!grant) return { ...this.errorReply(401), headers: this.challenge(scope) };
    if (!grant.scopes.has(`repository:${repository}:push`)) return { ...this.errorReply(401), headers: this.challenge(scope, 'insufficient_scope') };
    const id = randomUUID();
    this.uploads.set(id, repository);
    return { status: 202, headers: { location: `/v2/${repository}/blobs/uploads/${id}?_nouploadcache=false`, 'docker-upload-uuid': id, range: '0-0' } };
  }

  private cancelUpload(req: FakeRequest, repository: string, id: string): Reply {
    const grant = this.accessTokens.get(bearerOf(req) ?? '');
    if (!grant?.scopes.has(`repository:${repository}:push`)) return { ...this.errorReply(401), headers: this.challenge(`repository:${repository}:pull,push`) };
    if (this.uploads.get(id) !== repository) return this.errorReply(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    this.uploads.delete(id);
    return { status: 204 };
  }

  /** The challenge ACR answers when a request lacks a token for the action (metadata_read, or _write on PATCH). */
  private authorize(req: FakeRequest, repository: string): Reply | undefined {
    this.checkApiVersion(req);
    const action = req.method === 'PATCH' ? 'metadata_write' : 'metadata_read';
    const grant = this.accessTokens.get(bearerOf(req) ?? '');
    if (grant?.scopes.has(`repository:${repository}:${action}`)) return undefined;
    const reply = this.errorReply(401);
    return {
      ...reply,
      headers: { 'www-authenticate': `Bearer realm="${this.url}/oauth2/token",service="${this.host}",scope="repository:${repository}:${action}"` },
    };
  }

  /** A PATCH body: changeableAttributes to set, nothing else. */
  private applyChanges(req: FakeRequest, attributes: ChangeableAttributes): void {
    if (req.method !== 'PATCH') return;
    this.expect(req.headers['content-type']?.startsWith('application/json'), `content-type ${req.headers['content-type']}, expected JSON`);
    const body = JSON.parse(req.body || '{}') as Record<string, unknown>;
    const keys = Object.keys(body);
    this.expect(keys.length > 0 && keys.every((key) => key in attributes && typeof body[key] === 'boolean'), `PATCH body ${req.body} is not changeable attributes (deleteEnabled, writeEnabled, readEnabled, listEnabled)`);
    Object.assign(attributes, body);
  }

  private repository(req: FakeRequest, name: string): Reply {
    const refused = this.authorize(req, name);
    if (refused) return refused;
    const repo = this.repositories.get(name);
    if (!repo) return this.errorReply(404, 'NAME_UNKNOWN', 'repository name not known to registry');
    this.applyChanges(req, repo.attributes);
    return {
      status: 200,
      body: {
        registry: this.host,
        imageName: name,
        createdTime: CREATED,
        lastUpdateTime: CREATED,
        manifestCount: repo.tags.size,
        tagCount: repo.tags.size,
        changeableAttributes: repo.attributes,
      },
    };
  }

  private tag(req: FakeRequest, name: string, tag: string): Reply {
    const refused = this.authorize(req, name);
    if (refused) return refused;
    const repo = this.repositories.get(name);
    if (!repo) return this.errorReply(404, 'NAME_UNKNOWN', 'repository name not known to registry');
    const model = repo.tags.get(tag);
    if (!model) return this.errorReply(404, 'TAG_UNKNOWN', 'the specified tag does not exist');
    this.applyChanges(req, model.attributes);
    return {
      status: 200,
      body: {
        registry: this.host,
        imageName: name,
        tag: { name: tag, digest: model.digest, createdTime: CREATED, lastUpdateTime: CREATED, signed: false, changeableAttributes: model.attributes },
      },
    };
  }
}
