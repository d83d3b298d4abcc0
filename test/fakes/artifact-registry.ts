// A fake Artifact Registry REST API (v1, as @google-cloud/artifact-registry@5 speaks it in fallback mode):
// repositories get, create (a long-running operation), getIamPolicy, setIamPolicy (etag-checked) and
// testIamPermissions, tags.get, answered from a model of projects (API enabled or not), repositories
// (format, mode, immutable tags, tags, IAM bindings) and the permissions each member holds. Callers
// authenticate with a self-signed service-account JWT the fake verifies against the account's public key,
// or with an access token it was given. Errors are Google's {"error":{"code","message","status","details"}}
// with google.rpc.ErrorInfo (SERVICE_DISABLED, IAM_PERMISSION_DENIED, RATE_LIMIT_EXCEEDED).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { CloudFake, bearerOf, type FakeRequest, type Reply, type Route } from './cloud-fake.js';

export type RepositoryFormat = 'DOCKER' | 'MAVEN' | 'NPM' | 'PYTHON' | 'GENERIC';
export type RepositoryMode = 'STANDARD_REPOSITORY' | 'VIRTUAL_REPOSITORY' | 'REMOTE_REPOSITORY';

/** The enum numbers of google.devtools.artifactregistry.v1.Repository (the client asks for enum-encoding=int). */
const FORMAT_NUMBERS: Readonly<Record<RepositoryFormat, number>> = { DOCKER: 1, MAVEN: 2, NPM: 3, PYTHON: 8, GENERIC: 11 };
const MODE_NUMBERS: Readonly<Record<RepositoryMode, number>> = { STANDARD_REPOSITORY: 1, VIRTUAL_REPOSITORY: 2, REMOTE_REPOSITORY: 3 };

export interface GoogleProjectModel {
  id: string;
  number: string;
  artifactRegistryEnabled: boolean;
}

export interface GarRepositoryModel {
  project: string;
  location: string;
  id: string;
  format: RepositoryFormat;
  mode: RepositoryMode;
  immutableTags: boolean;
  sizeBytes: number;
  /** `package:tag` → digest (the package is the image path inside the repository). */
  tags: Map<string, string>;
  /** The repository's IAM policy: role → members (`serviceAccount:a@b`). */
  bindings: Map<string, Set<string>>;
  /** Changes with every setIamPolicy; a write carrying an older one is refused (ABORTED). */
  etag: number;
}

/** Permissions of roles/artifactregistry.reader and .writer that the probes touch. */
export const READER_PERMISSIONS = ['artifactregistry.repositories.get', 'artifactregistry.repositories.list', 'artifactregistry.repositories.downloadArtifacts', 'artifactregistry.tags.get', 'artifactregistry.tags.list'];
export const WRITER_PERMISSIONS = [...READER_PERMISSIONS, 'artifactregistry.repositories.uploadArtifacts', 'artifactregistry.tags.create', 'artifactregistry.tags.update'];
export const ADMIN_PERMISSIONS = [...WRITER_PERMISSIONS, 'artifactregistry.repositories.create', 'artifactregistry.repositories.getIamPolicy', 'artifactregistry.repositories.setIamPolicy'];
/** What a role bound on a repository grants there. */
const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/artifactregistry.reader': READER_PERMISSIONS,
  'roles/artifactregistry.writer': WRITER_PERMISSIONS,
  'roles/artifactregistry.repoAdmin': ADMIN_PERMISSIONS,
};

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Invalid argument.',
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  429: "Quota exceeded for quota metric 'Requests' and limit 'Requests per project per region per minute per region' of service 'artifactregistry.googleapis.com'.",
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
};

const REPOSITORY_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/:]+)/;
const TYPE_PREFIX = 'type.googleapis.com/google.devtools.artifactregistry.v1.';

function errorInfo(reason: string, domain: string, metadata: Record<string, string>) {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain, metadata };
}

export class FakeArtifactRegistry extends CloudFake {
  readonly projects = new Map<string, GoogleProjectModel>();
  readonly repositories: GarRepositoryModel[] = [];
  /** Member e-mail → permissions it holds on every repository of the fake (project-level grants). */
  readonly permissions = new Map<string, Set<string>>();
  private readonly serviceAccountKeys = new Map<string, KeyObject>();
  private readonly accessTokens = new Map<string, string>();
  /** Runs as a setIamPolicy request arrives, before it is answered: where a test lands a concurrent edit. */
  beforeSetIamPolicy: (() => void) | undefined;
  /** Long-running operations by name: the repository a create made, answered done on the first poll. */
  private readonly operations = new Map<string, GarRepositoryModel>();

  protected readonly routes: readonly Route[] = [
    {
      name: 'repositories.testIamPermissions',
      method: 'POST',
      path: new RegExp(`${REPOSITORY_PATH.source}:testIamPermissions$`),
      handle: (req, match) => this.testIamPermissions(req, match),
    },
    { name: 'repositories.get', method: 'GET', path: new RegExp(`${REPOSITORY_PATH.source}$`), handle: (req, match) => this.getRepository(req, match) },
    { name: 'tags.get', method: 'GET', path: new RegExp(`${REPOSITORY_PATH.source}/packages/([^/]+)/tags/([^/]+)$`), handle: (req, match) => this.getTag(req, match) },
    { name: 'repositories.getIamPolicy', method: 'GET', path: new RegExp(`${REPOSITORY_PATH.source}:getIamPolicy$`), handle: (req, match) => this.getIamPolicy(req, match) },
    { name: 'repositories.setIamPolicy', method: 'POST', path: new RegExp(`${REPOSITORY_PATH.source}:setIamPolicy$`), handle: (req, match) => this.setIamPolicy(req, match) },
    { name: 'repositories.create', method: 'POST', path: /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories$/, handle: (req, match) => this.createRepository(req, match) },
    { name: 'operations.get', method: 'GET', path: /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/operations\/([^/]+)$/, handle: (req, match) => this.getOperation(req, match) },
  ];

  addProject(id: string, artifactRegistryEnabled = true): GoogleProjectModel {
    const project = { id, number: String(100000000000 + this.projects.size), artifactRegistryEnabled };
    this.projects.set(id, project);
    return project;
  }

  addRepository(model: Partial<GarRepositoryModel> & Pick<GarRepositoryModel, 'project' | 'location' | 'id'>): GarRepositoryModel {
    const full: GarRepositoryModel = { format: 'DOCKER', mode: 'STANDARD_REPOSITORY', immutableTags: false, sizeBytes: 123456789, tags: new Map(), bindings: new Map(), etag: 1, ...model };
    this.repositories.push(full);
    return full;
  }

  /** A service account whose self-signed JWTs the fake accepts (the public half of its JSON key). */
  addServiceAccount(email: string, privateKeyPem: string, permissions: readonly string[]): void {
    this.serviceAccountKeys.set(email, createPublicKey(privateKeyPem));
    this.permissions.set(email, new Set(permissions));
  }

  /** An OAuth access token the fake accepts for `email`. */
  addAccessToken(token: string, email: string, permissions: readonly string[]): void {
    this.accessTokens.set(token, email);
    this.permissions.set(email, new Set(permissions));
  }

  protected errorReply(status: number, code?: string, message?: string, details: unknown[] = []): Reply {
    return { status, body: { error: { code: status, message: message ?? DEFAULT_MESSAGES[status] ?? 'Error.', status: code ?? STATUS_NAMES[status] ?? 'UNKNOWN', details } } };
  }

  /** The caller's e-mail, or the 401 Google answers. */
  private authenticate(req: FakeRequest): string | Reply {
    const token = bearerOf(req);
    const known = token ? this.accessTokens.get(token) : undefined;
    if (known) return known;
    const parts = token?.split('.') ?? [];
    if (parts.length === 3) {
      const [header, payload, signature] = parts as [string, string, string];
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss?: string; sub?: string; exp?: number; scope?: string; aud?: string };
        const key = claims.iss ? this.serviceAccountKeys.get(claims.iss) : undefined;
        const signed = key && verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
        const fresh = typeof claims.exp === 'number' && claims.exp * 1000 > Date.now();
        const scoped = (claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/cloud-platform') || claims.aud === 'https://artifactregistry.googleapis.com/';
        if (signed && fresh && scoped && claims.sub === claims.iss) return claims.iss!;
      } catch {
        // not a JWT: answered as Google does below
      }
    }
    return this.errorReply(401, 'UNAUTHENTICATED', undefined, [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED', 'googleapis.com', { service: 'artifactregistry.googleapis.com', method: 'google.devtools.artifactregistry.v1.ArtifactRegistry.GetRepository' })]);
  }

  /** Checks common to both calls: the wire shape, the caller, the API switched on. */
  private admit(req: FakeRequest, match: RegExpExecArray, requestParam: string, routed?: string): { caller: string; project: GoogleProjectModel; resource: string } | Reply {
    this.expect(req.query.get('$alt') === 'json;enum-encoding=int', `$alt "${req.query.get('$alt')}", expected json;enum-encoding=int`);
    const resource = `projects/${match[1]}/locations/${match[2]}/repositories/${match[3]}`;
    const routedTo = routed ?? resource;
    this.expect(req.headers['x-goog-request-params'] === `${requestParam}=${encodeURIComponent(routedTo)}`, `x-goog-request-params "${req.headers['x-goog-request-params']}" does not route to ${routedTo}`);
    const caller = this.authenticate(req);
    if (typeof caller !== 'string') return caller;
    const project = this.projects.get(match[1]!);
    if (!project) return this.refuse('artifactregistry.repositories.get', resource);
    if (!project.artifactRegistryEnabled) {
      const activationUrl = `https://console.developers.google.com/apis/api/artifactregistry.googleapis.com/overview?project=${project.number}`;
      return this.errorReply(
        403,
        'PERMISSION_DENIED',
        `Artifact Registry API has not been used in project ${project.number} before or it is disabled. Enable it by visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
        [
          errorInfo('SERVICE_DISABLED', 'googleapis.com', { consumer: `projects/${project.number}`, service: 'artifactregistry.googleapis.com', serviceTitle: 'Artifact Registry API', containerInfo: project.number, activationUrl }),
          { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Google developers console API activation', url: activationUrl }] },
        ],
      );
    }
    return { caller, project, resource };
  }

  /** What a member may do on a repository: its project-level grants and the roles bound on the repository. */
  private permissionsOn(caller: string, repo: GarRepositoryModel | undefined): Set<string> {
    const held = new Set(this.permissions.get(caller) ?? []);
    for (const [role, members] of repo?.bindings ?? []) {
      if (members.has(`serviceAccount:${caller}`) || members.has(`user:${caller}`)) for (const p of ROLE_PERMISSIONS[role] ?? []) held.add(p);
    }
    return held;
  }

  private refuse(permission: string, resource: string): Reply {
    return this.errorReply(403, 'PERMISSION_DENIED', `Permission '${permission}' denied on resource '//artifactregistry.googleapis.com/${resource}' (or it may not exist).`, [
      errorInfo('IAM_PERMISSION_DENIED', 'artifactregistry.googleapis.com', { permission, resource }),
    ]);
  }

  private policyOf(repo: GarRepositoryModel): Record<string, unknown> {
    const bindings = [...repo.bindings].filter(([, members]) => members.size > 0).map(([role, members]) => ({ role, members: [...members].sort() }));
    return { version: 1, etag: Buffer.from(`etag-${repo.etag}`).toString('base64'), ...(bindings.length > 0 ? { bindings } : {}) };
  }

  private getIamPolicy(req: FakeRequest, match: RegExpExecArray): Reply {
    const admitted = this.admit(req, match, 'resource');
    if ('status' in admitted) return admitted;
    const repo = this.find(match);
    if (!this.permissionsOn(admitted.caller, repo).has('artifactregistry.repositories.getIamPolicy')) return this.refuse('artifactregistry.repositories.getIamPolicy', admitted.resource);
    if (!repo) return this.errorReply(404);
    return { status: 200, body: this.policyOf(repo) };
  }

  private setIamPolicy(req: FakeRequest, match: RegExpExecArray): Reply {
    this.beforeSetIamPolicy?.();
    this.expect(req.headers['content-type']?.startsWith('application/json'), `content-type ${req.headers['content-type']}, expected JSON`);
    const admitted = this.admit(req, match, 'resource');
    if ('status' in admitted) return admitted;
    const repo = this.find(match);
    if (!this.permissionsOn(admitted.caller, repo).has('artifactregistry.repositories.setIamPolicy')) return this.refuse('artifactregistry.repositories.setIamPolicy', admitted.resource);
    if (!repo) return this.errorReply(404);
    const { policy } = JSON.parse(req.body) as { policy?: { etag?: unknown; bindings?: Array<{ role?: unknown; members?: unknown }> } };
    this.expect(policy && typeof policy === 'object', `body ${req.body} has no policy`);
    const bindings = policy.bindings ?? [];
    this.expect(bindings.every((b) => typeof b.role === 'string' && b.role.startsWith('roles/') && Array.isArray(b.members) && b.members.every((m) => typeof m === 'string' && /^(?:serviceAccount|user|group|domain|principal(?:Set)?):/.test(m))), `bindings ${JSON.stringify(bindings)} are not {role, members}`);
    // Read-modify-write: a policy read before another write carries an older etag.
    if (policy.etag !== undefined && policy.etag !== this.policyOf(repo).etag) {
      return this.errorReply(409, 'ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff. The request\'s ETag \'' + String(policy.etag) + '\' did not match the current policy\'s ETag \'' + String(this.policyOf(repo).etag) + '\'.');
    }
    repo.bindings = new Map(bindings.map((b) => [b.role as string, new Set(b.members as string[])]));
    repo.etag += 1;
    return { status: 200, body: this.policyOf(repo) };
  }

  private createRepository(req: FakeRequest, match: RegExpExecArray): Reply {
    this.expect(req.query.get('$alt') === 'json;enum-encoding=int', `$alt "${req.query.get('$alt')}", expected json;enum-encoding=int`);
    const parent = `projects/${match[1]}/locations/${match[2]}`;
    this.expect(req.headers['x-goog-request-params'] === `parent=${encodeURIComponent(parent)}`, `x-goog-request-params "${req.headers['x-goog-request-params']}" does not route to ${parent}`);
    const id = req.query.get('repositoryId') ?? '';
    this.expect(/^[a-z]([a-z0-9.-]*[a-z0-9])?$/.test(id), `repositoryId "${id}" is not a repository id`);
    const caller = this.authenticate(req);
    if (typeof caller !== 'string') return caller;
    const project = this.projects.get(match[1]!);
    if (!project?.artifactRegistryEnabled || !this.permissions.get(caller)?.has('artifactregistry.repositories.create')) {
      return this.refuse('artifactregistry.repositories.create', `${parent}/repositories/${id}`);
    }
    const body = JSON.parse(req.body || '{}') as { format?: unknown; dockerConfig?: { immutableTags?: unknown } };
    const format = Object.entries(FORMAT_NUMBERS).find(([, number]) => number === body.format)?.[0] as RepositoryFormat | undefined;
    this.expect(format, `format ${JSON.stringify(body.format)} is not a Repository.Format number`);
    if (this.repositories.some((r) => r.project === match[1] && r.location === match[2] && r.id === id)) {
      return this.errorReply(409, 'ALREADY_EXISTS', `the repository already exists`);
    }
    const repo = this.addRepository({ project: match[1]!, location: match[2]!, id, format, immutableTags: body.dockerConfig?.immutableTags === true, sizeBytes: 0 });
    const name = `${parent}/operations/${crypto.randomUUID()}`;
    this.operations.set(name, repo);
    return { status: 200, body: { name, metadata: { '@type': `${TYPE_PREFIX}OperationMetadata` }, done: false } };
  }

  private getOperation(req: FakeRequest, match: RegExpExecArray): Reply {
    const name = `projects/${match[1]}/locations/${match[2]}/operations/${match[3]}`;
    const caller = this.authenticate(req);
    if (typeof caller !== 'string') return caller;
    const repo = this.operations.get(name);
    if (!repo) return this.errorReply(404);
    const resource = `projects/${repo.project}/locations/${repo.location}/repositories/${repo.id}`;
    return {
      status: 200,
      body: {
        name,
        metadata: { '@type': `${TYPE_PREFIX}OperationMetadata` },
        done: true,
        response: { '@type': `${TYPE_PREFIX}Repository`, ...this.repositoryBody(repo, resource) },
      },
    };
  }

  private repositoryBody(repo: GarRepositoryModel, resource: string): Record<string, unknown> {
    return {
      name: resource,
      format: FORMAT_NUMBERS[repo.format],
      mode: MODE_NUMBERS[repo.mode],
      ...(repo.format === 'DOCKER' ? { dockerConfig: { immutableTags: repo.immutableTags } } : {}),
      createTime: '2024-03-01T10:00:00.000000Z',
      updateTime: '2024-03-01T10:00:00.000000Z',
      sizeBytes: String(repo.sizeBytes),
      satisfiesPzs: false,
      satisfiesPzi: false,
      registryUri: `${repo.location}-docker.pkg.dev/${repo.project}/${repo.id}`,
    };
  }

  private find(match: RegExpExecArray): GarRepositoryModel | undefined {
    return this.repositories.find((r) => r.project === match[1] && r.location === match[2] && r.id === match[3]);
  }

  private getRepository(req: FakeRequest, match: RegExpExecArray): Reply {
    const admitted = this.admit(req, match, 'name');
    if ('status' in admitted) return admitted;
    const repo = this.find(match);
    if (!this.permissionsOn(admitted.caller, repo).has('artifactregistry.repositories.get')) return this.refuse('artifactregistry.repositories.get', admitted.resource);
    if (!repo) return this.errorReply(404);
    return { status: 200, body: this.repositoryBody(repo, admitted.resource) };
  }

  private getTag(req: FakeRequest, match: RegExpExecArray): Reply {
    // A package id is the image path with its slashes escaped (team%2Fapp); in the URL path it is escaped again.
    const packageId = decodeURIComponent(match[4]!);
    const tagName = `projects/${match[1]}/locations/${match[2]}/repositories/${match[3]}/packages/${packageId}/tags/${decodeURIComponent(match[5]!)}`;
    const admitted = this.admit(req, match, 'name', tagName);
    if ('status' in admitted) return admitted;
    if (!this.permissionsOn(admitted.caller, this.find(match)).has('artifactregistry.tags.get')) return this.refuse('artifactregistry.tags.get', tagName);
    const digest = this.find(match)?.tags.get(`${decodeURIComponent(packageId)}:${decodeURIComponent(match[5]!)}`);
    if (!digest) return this.errorReply(404);
    return { status: 200, body: { name: tagName, version: `projects/${match[1]}/locations/${match[2]}/repositories/${match[3]}/packages/${packageId}/versions/${digest}` } };
  }

  private testIamPermissions(req: FakeRequest, match: RegExpExecArray): Reply {
    this.expect(req.headers['content-type']?.startsWith('application/json'), `content-type ${req.headers['content-type']}, expected JSON`);
    const admitted = this.admit(req, match, 'resource');
    if ('status' in admitted) return admitted;
    let body: { permissions?: unknown };
    try {
      body = JSON.parse(req.body) as { permissions?: unknown };
    } catch {
      return this.errorReply(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const requested = body.permissions;
    this.expect(Array.isArray(requested) && requested.length > 0 && requested.every((p) => typeof p === 'string' && /^[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+$/.test(p)), `permissions ${JSON.stringify(requested)} is not a list of permission names`);
    if (!this.find(match)) return this.errorReply(404);
    const held = this.permissionsOn(admitted.caller, this.find(match)!);
    const granted = (requested as string[]).filter((p) => held.has(p));
    // proto3 JSON leaves an empty repeated field out.
    return { status: 200, body: granted.length > 0 ? { permissions: granted } : {} };
  }
}
