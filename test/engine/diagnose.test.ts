import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnose, diagnoseStream } from '../../src/engine/diagnose.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';

const top = (diagnosis: Diagnosis) => diagnosis.findings[0];

async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

// Every error named in the registries' push-troubleshooting guides (issue 2), as the clients print them.
const guideErrors: { name: string; log: string; image?: string; category: string; provider: string; alsoTop2?: string }[] = [
  {
    name: 'GCR token exchange failed (storage.buckets.get)',
    log: "denied: Token exchange failed for project 'my-project'. Caller does not have permission 'storage.buckets.get'. To configure permissions, follow instructions at: https://cloud.google.com/container-registry/docs/access-control",
    category: 'permission_denied',
    alsoTop2: 'auth_missing',
    provider: 'gcr',
  },
  {
    name: 'GCR unauthorized: authentication required',
    log: 'The push refers to repository [gcr.io/my-project/app]\nunauthorized: authentication required',
    category: 'auth_missing',
    provider: 'gcr',
  },
  {
    name: 'GCR name unknown: Repository not found',
    log: 'The push refers to repository [gcr.io/my-project/app]\nname unknown: Repository not found',
    category: 'repo_not_found',
    provider: 'gcr',
  },
  {
    name: 'ECR no basic auth credentials',
    log: 'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]\nno basic auth credentials',
    category: 'auth_missing',
    provider: 'ecr',
  },
  {
    name: 'ECR RepositoryNotFoundException',
    log: "An error occurred (RepositoryNotFoundException) when calling the DescribeImages operation: The repository with name 'app' does not exist in the registry with id '123456789012'",
    category: 'repo_not_found',
    provider: 'ecr',
  },
  {
    name: 'ECR AccessDeniedException',
    log: 'An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action',
    category: 'permission_denied',
    provider: 'ecr',
  },
  {
    name: 'ECR expired token',
    log: 'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]\ndenied: Your authorization token has expired. Reauthenticate and try again.',
    category: 'auth_expired',
    provider: 'ecr',
  },
  {
    name: 'ACR UNAUTHORIZED: authentication required, realm',
    log: 'Error response from daemon: Get "https://myregistry.azurecr.io/v2/": unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.\nUNAUTHORIZED: authentication required, realm="https://myregistry.azurecr.io/oauth2/token",service="myregistry.azurecr.io"',
    category: 'auth_missing',
    provider: 'acr',
  },
  {
    name: 'ACR operation disallowed',
    log: 'The push refers to repository [myregistry.azurecr.io/app]\ndenied: The operation is disallowed on this registry, repository or image.',
    category: 'repo_locked',
    alsoTop2: 'quota_exceeded',
    provider: 'acr',
  },
  {
    name: 'ACR Client.Timeout exceeded while awaiting headers',
    log: 'Error response from daemon: Get "https://myregistry.azurecr.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    category: 'network',
    provider: 'acr',
  },
  {
    name: 'ACR client IP not allowed',
    log: "The push refers to repository [myregistry.azurecr.io/app]\ndenied: client with IP '40.112.1.7' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.",
    category: 'firewall_denied',
    provider: 'acr',
  },
  {
    name: 'ACR storage limit',
    log: 'The push refers to repository [myregistry.azurecr.io/app]\ndenied: This registry has exceeded its storage quota. Storage limit for the Basic tier reached.',
    category: 'quota_exceeded',
    provider: 'acr',
  },
  {
    name: 'TLS handshake timeout',
    log: 'Get "https://registry.example.com/v2/": net/http: TLS handshake timeout',
    category: 'network',
    provider: 'other',
  },
  {
    name: 'context deadline exceeded',
    log: 'The push refers to repository [registry.example.com/app]\nfailed to do request: Head "https://registry.example.com/v2/app/blobs/sha256:abc": context deadline exceeded',
    category: 'network',
    provider: 'other',
  },
  {
    name: 'blob upload unknown',
    log: 'The push refers to repository [registry.example.com/app]\nblob upload unknown: blob upload unknown to registry',
    category: 'blob_upload',
    provider: 'other',
  },
  {
    name: 'manifest invalid',
    log: 'The push refers to repository [registry.example.com/app]\nmanifest invalid: manifest invalid',
    category: 'manifest_invalid',
    provider: 'other',
  },
  {
    name: 'manifest unknown',
    log: 'The push refers to repository [registry.example.com/app]\nmanifest unknown: manifest unknown',
    category: 'manifest_invalid',
    provider: 'other',
  },
];

describe('errors from the push-troubleshooting guides', () => {
  for (const guide of guideErrors) {
    it(`${guide.name} → ${guide.category} on ${guide.provider}`, () => {
      const diagnosis = diagnose({ log: guide.log, ...(guide.image ? { image: guide.image } : {}) });
      expect(top(diagnosis)?.category).toBe(guide.category);
      expect(diagnosis.provider).toBe(guide.provider);
      if (guide.alsoTop2) expect(diagnosis.findings[1]?.category).toBe(guide.alsoTop2);
      expect(top(diagnosis)?.evidence.length).toBeGreaterThan(0);
      expect(top(diagnosis)?.remediation.length).toBeGreaterThan(0);
      expect(top(diagnosis)?.docs.length).toBeGreaterThan(0);
    });
  }
});

describe('the same words read by the request step and the registry (issue 11)', () => {
  const firstTwo = (log: string, image?: string) => diagnose({ log, ...(image ? { image } : {}) }).findings.slice(0, 2).map((f) => f.category);

  it("an upload the registry refused on its own line is that refusal, not an upload failure", () => {
    const log = 'Error writing blob: Error initiating layer upload to /v2/acme/app/blobs/uploads/ in registry.example.com: unauthorized: authentication required';
    expect(firstTwo(log)).not.toContain('blob_upload');
    expect(firstTwo(log)[0]).toBe('auth_missing');
  });

  it("Quay's unauthorized on a push puts a missing repository before missing credentials; on a read it does not", () => {
    const push = 'The push refers to repository [quay.io/acme/new-service]\n5f70bf18a086: Preparing\nunauthorized: access to the requested resource is not authorized';
    expect(firstTwo(push)).toEqual(['permission_denied', 'repo_not_found']);
    const read = 'Error: checking whether a blob sha256:5f70bf18a086 exists in quay.io/acme/app: unauthorized: access to the requested resource is not authorized';
    expect(firstTwo(read)).toEqual(['permission_denied', 'auth_missing']);
  });

  it('a refusal at the start of a layer upload on a self-hosted registry is not a quota (quotas are counted at commit)', () => {
    const start = 'Error: writing blob: initiating layer upload to /v2/team/app/blobs/uploads/ in registry.example.com: requested access to the resource is denied';
    expect(firstTwo(start)).toEqual(['permission_denied', 'auth_missing']);
    expect(firstTwo('The push refers to repository [registry.example.com/team/app]\ndenied: requested access to the resource is denied')).toContain('quota_exceeded');
  });

  it('AWS not recognising the access key is a revoked (expired) key first, a wrong one second; a wrong secret is the reverse', () => {
    const unknownKey = 'An error occurred (InvalidClientTokenId) when calling the GetAuthorizationToken operation: The security token included in the request is invalid.';
    expect(firstTwo(unknownKey)).toEqual(['auth_expired', 'auth_missing']);
    const wrongSecret = 'An error occurred (SignatureDoesNotMatch) when calling the GetAuthorizationToken operation: The request signature we calculated does not match the signature you provided.';
    expect(firstTwo(wrongSecret)).toEqual(['auth_missing', 'auth_expired']);
  });

  it('a Google denial is the role first on gcr.io (configured by default), missing credentials first on a regional Artifact Registry host', () => {
    const denied = (host: string) => `denied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/acme/locations/us/repositories/${host}" (or it may not exist)`;
    expect(firstTwo(denied('gcr.io'), 'gcr.io/acme/app:1')).toEqual(['permission_denied', 'auth_missing']);
    expect(firstTwo(denied('apps'), 'us-docker.pkg.dev/acme/apps/app:1')).toEqual(['auth_missing', 'permission_denied']);
  });

  it('a 400 on a manifest PUT is an invalid manifest, and on ECR also an immutable tag', () => {
    const put = (host: string) => `unexpected status from PUT request to https://${host}/v2/app/manifests/1.0: 400 Bad Request`;
    expect(firstTwo(put('registry.example.com'))[0]).toBe('manifest_invalid');
    expect(firstTwo(put('123456789012.dkr.ecr.us-east-1.amazonaws.com'))).toEqual(['manifest_invalid', 'tag_immutable']);
  });

  it("a 403 at the registry's login is the firewall or a proxy, not a permission", () => {
    expect(firstTwo('Error response from daemon: login attempt to https://acme.azurecr.io/v2/ failed with status: 403 Forbidden')).toEqual(['firewall_denied', 'network']);
  });

  it('Docker Hub has no nested repositories', () => {
    const log = 'Error: failed to perform "Exists" on destination: HEAD "https://registry-1.docker.io/v2/acme/charts/app/manifests/1.0": response status code 401: Unauthorized';
    expect(firstTwo(log)).toEqual(['repo_not_found', 'permission_denied']);
    expect(firstTwo('HEAD "https://registry-1.docker.io/v2/acme/app/manifests/1.0": response status code 401: Unauthorized')[0]).toBe('auth_missing');
  });
});

describe('logs with no registry failure', () => {
  const healthy: Record<string, string> = {
    'a successful push': [
      'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/app]',
      '5f70bf18a086: Pushed',
      'latest: digest: sha256:9d21b12d5fab9ab82969054d72411ce627c209257df64b6057016c981e163c30 size: 1570',
    ].join('\n'),
    'a failing unit test': [
      '2024-05-01T10:00:00.0000000Z FAIL src/payments.test.ts > refunds > rejects an unknown order',
      '2024-05-01T10:00:00.0000000Z AssertionError: expected 404 to be 200',
      '2024-05-01T10:00:00.0000000Z ##[error]Process completed with exit code 1.',
    ].join('\n'),
    'an npm install that failed on the npm registry': [
      'npm ERR! code E403',
      'npm ERR! 403 403 Forbidden - GET https://registry.npmjs.org/@acme%2fprivate - You must be logged in to install/publish packages.',
      'npm ERR! network request to https://registry.npmjs.org/left-pad failed, reason: connect ETIMEDOUT 104.16.0.35:443',
    ].join('\n'),
    'a compiler error': "src/main.go:12:2: undefined: fmt.Printn\nmake: *** [build] Error 1",
    'an empty log': '',
  };
  for (const [name, log] of Object.entries(healthy)) {
    it(`${name}: no finding`, () => {
      expect(diagnose({ log }).findings).toEqual([]);
    });
  }
});

describe('log formats', () => {
  const error = 'denied: requested access to the resource is denied';
  const formats: Record<string, string> = {
    'GitHub Actions timestamps': `2024-05-01T10:00:00.1234567Z The push refers to repository [docker.io/acme/app]\n2024-05-01T10:00:01.1234567Z ${error}\n`,
    'GitLab timestamps and stream markers': `2024-05-01T10:00:00.123456Z 00O The push refers to repository [docker.io/acme/app]\n2024-05-01T10:00:01.123456Z 01E ${error}\n`,
    'ANSI colours': `\x1b[36;1mThe push refers to repository [docker.io/acme/app]\x1b[0m\n\x1b[31m${error}\x1b[0m\n`,
    'CRLF line ends': `The push refers to repository [docker.io/acme/app]\r\n${error}\r\n`,
    'BuildKit step prefixes': `#12 pushing layers\n#12 0.512 The push refers to repository [docker.io/acme/app]\n#12 ERROR: ${error}\n`,
    'progress redrawn with carriage returns': `The push refers to repository [docker.io/acme/app]\nabc: Pushing 1MB\rabc: Pushing 2MB\r${error}\n`,
  };
  for (const [name, log] of Object.entries(formats)) {
    it(`${name}: finds the error and the provider`, () => {
      const diagnosis = diagnose({ log });
      expect(top(diagnosis)?.category).toBe('permission_denied');
      expect(diagnosis.provider).toBe('dockerhub');
      expect(top(diagnosis)?.evidence.some((evidence) => evidence.text.endsWith(error))).toBe(true);
    });
  }

  it('gives evidence the line number of the log', () => {
    const log = ['step one', 'step two', 'The push refers to repository [docker.io/acme/app]', error].join('\n');
    expect(top(diagnose({ log }))?.evidence.find((evidence) => evidence.text === error)?.line).toBe(4);
  });
});

describe('facts from the log', () => {
  it('ECR: principal, permission, account, region, repository, image', () => {
    const log = [
      'The push refers to repository [754256621582.dkr.ecr.eu-west-2.amazonaws.com/laa/csv-converter]',
      'denied: User: arn:aws:sts::754256621582:assumed-role/ecr-github/GitHubActions is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-2:754256621582:repository/laa/csv-converter because no identity-based policy allows the ecr:InitiateLayerUpload action',
    ].join('\n');
    const diagnosis = diagnose({ log });
    expect(diagnosis.facts).toMatchObject({
      principal: 'arn:aws:sts::754256621582:assumed-role/ecr-github/GitHubActions',
      permission: 'ecr:InitiateLayerUpload',
      account: '754256621582',
      region: 'eu-west-2',
      repository: 'laa/csv-converter',
      image: '754256621582.dkr.ecr.eu-west-2.amazonaws.com/laa/csv-converter',
    });
    expect(diagnosis.image).toMatchObject({ provider: 'ecr', account: '754256621582', region: 'eu-west-2' });
    const commands = top(diagnosis)?.remediation.map((step) => step.command ?? '').join('\n');
    expect(commands).toContain('ecr:InitiateLayerUpload');
    expect(commands).toContain('ecr-github');
  });

  it('ACR: the client IP the firewall saw, and the status code', () => {
    const log = [
      "Access to registry 'acme.azurecr.io' was denied. Response code: 403.",
      "denied: client with IP '40.112.1.7' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.",
    ].join('\n');
    const diagnosis = diagnose({ log });
    expect(diagnosis.facts).toMatchObject({ clientIp: '40.112.1.7', httpStatus: 403, host: 'acme.azurecr.io' });
    expect(top(diagnosis)?.category).toBe('firewall_denied');
    expect(top(diagnosis)?.remediation.map((step) => step.command ?? '').join('\n')).toContain('40.112.1.7');
  });

  it('Artifact Registry: permission, project, location and repository', () => {
    const log =
      'denied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/acme/locations/europe-west1/repositories/apps" (or it may not exist)';
    const diagnosis = diagnose({ log });
    expect(diagnosis.provider).toBe('gar');
    expect(diagnosis.facts).toMatchObject({
      permission: 'artifactregistry.repositories.uploadArtifacts',
      account: 'acme',
      region: 'europe-west1',
      repository: 'apps',
    });
    // In the threads that settled, most often Docker had no gcloud credentials for the regional host.
    expect(diagnosis.findings.slice(0, 3).map((finding) => finding.category)).toEqual(['auth_missing', 'permission_denied', 'repo_not_found']);
  });

  it('OCI error code and HTTP status from a JSON error body', () => {
    const log =
      'unknown: http status code: 404, body: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}';
    expect(diagnose({ log }).facts).toMatchObject({ ociCode: 'MANIFEST_UNKNOWN', httpStatus: 404 });
  });

  it('the runner IP from the webhook when the log names none', () => {
    const diagnosis = diagnose({ log: 'denied: Public network access is disabled for this registry.', image: 'acme.azurecr.io/app:1', runnerIp: '20.1.2.3' });
    expect(diagnosis.facts.clientIp).toBe('20.1.2.3');
    expect(diagnosis.provider).toBe('acr');
  });
});

describe('registry context', () => {
  const generic = 'Error: Could not load credentials from any providers';
  it('generic wording alone, with nothing pointing at a registry, is not a registry failure', () => {
    expect(diagnose({ log: generic }).findings).toEqual([]);
  });
  it('counts once the log shows a registry login or push', () => {
    expect(diagnose({ log: `Run aws-actions/amazon-ecr-login@v2\n${generic}` }).findings[0]?.category).toBe('auth_missing');
  });
  it('counts when the image pushed is given with the log', () => {
    const diagnosis = diagnose({ log: generic, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1' });
    expect(diagnosis.findings[0]?.category).toBe('auth_missing');
  });
  it('a Python permission error is not a registry denial', () => {
    expect(diagnose({ log: "PermissionError: [Errno 13] Permission denied: '/app/cache'" }).findings).toEqual([]);
  });
  it('a database password failure is not a registry login failure', () => {
    expect(diagnose({ log: 'psql: error: FATAL:  password authentication failed for user "app"' }).findings).toEqual([]);
  });
});

describe('provider', () => {
  it('an image with an explicit registry host decides', () => {
    expect(diagnose({ log: 'unauthorized: authentication required', image: 'ghcr.io/acme/app:1' }).provider).toBe('ghcr');
  });
  it('an image given with the host of no known provider is where the push went, not the local source the log names', () => {
    const log = [
      '/usr/bin/podman push --quiet docker.io/library/exporter:1.2 quay.io/acme/exporter:1.2 --creds=***:***',
      'Error: docker.io/library/exporter:1.2: image not known',
    ].join('\n');
    expect(diagnose({ log, image: 'quay.io/acme/exporter:1.2' }).provider).toBe('other');
  });
  it("such a host may still be a provider's, by its own wording (ACR Tasks in a test cloud)", () => {
    const log = 'tag does not exist: acr303.azurecr-test.io/hello-world:yd2\nError: failed to run step id: acb_step_1: Failed to push images successfully';
    expect(diagnose({ log, image: 'acr303.azurecr-test.io/hello-world:yd2' }).provider).toBe('acr');
  });
  it('an image without a host does not outvote the log', () => {
    const log = '(TasksOperationsNotAllowed) ACR Tasks requests for the registry acme and 1234 are not permitted.';
    expect(diagnose({ log, image: 'app:latest' }).provider).toBe('acr');
  });
  it('other when nothing names a registry', () => {
    expect(diagnose({ log: 'denied: requested access to the resource is denied' }).provider).toBe('other');
  });
  it.each([
    ['ecr', "name unknown: The repository with name 'app' does not exist in the registry with id '***'"],
    ['ecr', "unsupported: Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"],
    ['ecr', "tag invalid: The image tag 'v1' already exists in the 'app' repository and cannot be overwritten because the repository is immutable."],
    ['acr', 'Unable to get AAD authorization tokens with message: An error occurred: CONNECTIVITY_REFRESH_TOKEN_ERROR'],
    ['acr', "ERROR: (ResourceNotFound) The Resource 'Microsoft.ContainerRegistry/registries/acme' under resource group 'rg' was not found."],
    ['dockerhub', 'Error response from daemon: toomanyrequests: too many failed login attempts for username or IP address'],
  ])('%s from its own wording when no host is shown: %s', (provider, log) => {
    expect(diagnose({ log }).provider).toBe(provider);
  });
  it('a credential helper repeated on every line does not outvote the registry host', () => {
    const log = [
      'Configured docker-credential-gcloud for us-docker.pkg.dev',
      'docker-credential-gcloud: refreshing token',
      'docker-credential-gcloud: refreshing token again',
      'Pushing us-docker.pkg.dev/acme/apps/api:1',
      'denied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource (or it may not exist)',
    ].join('\n');
    expect(diagnose({ log }).provider).toBe('gar');
  });
  it('a registry endpoint no provider knows outweighs the Docker Hub default of an image without a host', () => {
    const log = 'failed to push app:1: failed to authorize: failed to fetch anonymous token: Get "https://registry.internal.example/v2/token?scope=repository%3Aapp%3Apush": x509: certificate signed by unknown authority';
    expect(diagnose({ log, image: 'app:1' }).provider).toBe('other');
  });
  it('a masked account is still ECR in its region', () => {
    const diagnosis = diagnose({ log: 'denied: requested access to the resource is denied', image: '***.dkr.ecr.us-east-1.amazonaws.com/app:1' });
    expect(diagnosis.provider).toBe('ecr');
    expect(diagnosis.image).toMatchObject({ region: 'us-east-1', repository: 'app' });
  });
  it('a name with no host is Docker Hub, even masked, when the log names no registry', () => {
    expect(diagnose({ log: 'denied: requested access to the resource is denied', image: '***/app:1' }).provider).toBe('dockerhub');
  });
  it('a masked image in the log is read too', () => {
    const log = 'The push refers to repository [***.dkr.ecr.eu-west-1.amazonaws.com/app]\nEOF';
    expect(diagnose({ log }).image).toMatchObject({ provider: 'ecr', region: 'eu-west-1', repository: 'app' });
  });
  it('a destination named by a containers/image transport is not the registry of the source image', () => {
    const atomic = [
      'buildah push docker.io/library/busybox:latest atomic:busybox:latest',
      'ERRO[0005] error pushing image "docker.io/library/busybox:latest" to "atomic:busybox:latest": error copying layers and metadata: Error writing blob: Error initiating layer upload to /v2/library/busybox/blobs/uploads/, status 401',
    ].join('\n');
    expect(diagnose({ log: atomic, image: 'docker.io/library/busybox:latest' }).provider).toBe('other');
    const daemon = [
      '# podman push app docker-daemon:app',
      'Error checking whether a blob sha256:43e653f84b79ba52711b0f726ff5a7fd1162ae9df4be76ca1de8370b8bbf9bb0 exists in docker.io/library/docker-daemon: errors:',
      'denied: requested access to the resource is denied',
    ].join('\n');
    const diagnosis = diagnose({ log: daemon, image: 'docker-daemon:app' });
    expect(diagnosis.provider).toBe('other');
    expect(top(diagnosis)?.category).toBe('other');
    expect(top(diagnosis)?.rules).toContain('transport-read-as-docker-hub-image');
  });
  it("oci:// is helm's and oras's registry scheme, not the oci: layout transport", () => {
    const log = 'helm push chart-1.0.0.tgz oci://docker.io/acme\nError: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.docker.io/token?scope=repository%3Aacme%2Fchart%3Apush: 401 Unauthorized';
    expect(diagnose({ log, image: 'oci://docker.io/acme' }).provider).toBe('dockerhub');
  });
  it("a host-like repository name in Artifact Registry's answer (its gcr.io repositories) is not the registry host", () => {
    const log = [
      'name unknown: Repository "gcr.io" not found',
      'Verify that the repository us-docker.pkg.dev/acme/gcr.io/app exists',
    ].join('\n');
    expect(diagnose({ log }).provider).toBe('gar');
  });
});

// Which registry a log is about when it names it only as people and tools write references (issue 11).
describe('provider from references as the log writes them', () => {
  it.each([
    ['a masked account and region', 'Error response from daemon: Get "https://***.dkr.ecr.***.amazonaws.com/v2/": net/http: TLS handshake timeout'],
    ['shell variables for account and region', 'COMMAND_EXECUTION_ERROR: Error while executing command: docker push $AWS_ACCOUNT_ID.dkr.ecr.${AWS_REGION}.amazonaws.com/shop/web:2. Reason: exit status 1'],
    ['placeholders', 'denied: requested access to the resource is denied\nThe push refers to repository [<account>.dkr.ecr.<region>.amazonaws.com/shop/web]'],
    ["GitLab's masks", 'Error response from daemon: Get "https://[MASKED].dkr.ecr.[MASKED].amazonaws.com/v2/": dial tcp: i/o timeout'],
  ])('an ECR host with %s is still ECR', (_name, log) => {
    expect(diagnose({ log }).provider).toBe('ecr');
  });

  it.each([
    ['BuildKit', 'ERROR: failed to solve: failed to push acme/api:2.1.0: push access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed'],
    ['a name with no namespace', 'Error: An image does not exist locally with the tag: webapp'],
    ['a masked namespace', 'docker push ***/webapp:3\ndenied: requested access to the resource is denied'],
    ['a documentation link, which names no registry', 'failed to push acme/api:1: unexpected status: 401 Unauthorized (see https://docs.example.org/troubleshooting/push)'],
  ])('a destination the log names without a host is Docker Hub (%s)', (_name, log) => {
    expect(diagnose({ log }).provider).toBe('dockerhub');
  });

  it("names the Docker Hub repository for the remediation", () => {
    const log = 'ERROR: failed to solve: failed to push acme/api:2.1.0: push access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed';
    expect(diagnose({ log }).image).toMatchObject({ provider: 'dockerhub', host: 'docker.io', repository: 'acme/api', account: 'acme', tag: '2.1.0' });
  });

  it.each([
    ['a third path component (the host left out)', 'ERROR: failed to solve: failed to push platform/team/api:1: unexpected status: 401 Unauthorized'],
    ['a name wholly masked', 'docker push "${IMAGE}"\nunauthorized: authentication required'],
    ['a push record without its host (Docker prints the full name there)', 'The push refers to repository [shop/web]\nunauthorized: authentication required'],
    ['a registry named elsewhere in the log', 'docker push shop/web:1\nError: writing blob: initiating layer upload to /v2/shop/web/blobs/uploads/ in registry.corp.example: unauthorized: access to the requested resource is not authorized'],
    ['prose, not a reference', 'error: build error: Failed to push image: After retrying 6 times, Push image still failed due to error: unauthorized'],
    ['prose after a push command', 'Error: docker push failed with exit code 1\nunauthorized: authentication required'],
  ])('but not with %s', (_name, log) => {
    expect(diagnose({ log }).provider).toBe('other');
  });

  it("an image given without a host is not Docker Hub's when Docker Hub could not hold it", () => {
    const log = 'denied: requested access to the resource is denied';
    expect(diagnose({ log, image: 'myregistry/team/app:1' }).provider).toBe('other');
    expect(diagnose({ log, image: '<REDACTED>' }).provider).toBe('other');
    expect(diagnose({ log, image: 'team/app:1' }).provider).toBe('dockerhub');
  });

  it.each([
    ["Harbor's authorisation", 'unauthorized: unauthorized to access repository: team/api, action: push: unauthorized to access repository: team/api, action: push'],
    ["Harbor's read-only mode", 'denied: The system is in read only mode. Any modification is prohibited.'],
    ["Harbor's project quota", 'unknown: adding 212.4 MiB of storage resource, which when updated to current usage of 9.9 GiB will exceed the configured upper limit of 10.0 GiB.'],
    ["Nexus's redeploy policy", 'PUT https://[MASKED]/v2/team/api/manifests/1.0: BLOB_UPLOAD_INVALID: blob upload invalid; Repository does not allow updating assets: docker-hosted'],
  ])("a self-hosted registry's own wording (%s) outweighs the Docker Hub default of an image without a host", (_name, log) => {
    expect(diagnose({ log, image: 'team/api:1' }).provider).toBe('other');
  });

  it("a copy's source host says nothing about where the push failed: the destination decides", () => {
    const toHub = 'crane copy europe-docker.pkg.dev/acme/mirror/api:1.4 acme/api:1.4\nError: unexpected status code 400 Bad Request: {"details":"invalid repository name"}';
    expect(diagnose({ log: toHub }).provider).toBe('dockerhub');
    const toGar = 'crane cp --platform linux/amd64 gcr.io/acme/api:1.4 us-docker.pkg.dev/acme/apps/api:1.4\nError: unexpected status code 403 Forbidden';
    expect(diagnose({ log: toGar }).provider).toBe('gar');
    const skopeo = 'skopeo copy --src-creds x:y docker://123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1 docker://ghcr.io/acme/api:1\nFATA[0003] Error writing blob: denied: installation not allowed to Write organization package';
    expect(diagnose({ log: skopeo }).provider).toBe('ghcr');
  });

  it("Google's credential helpers serve Artifact Registry and GCR alike: the registry host decides", () => {
    const helpers = [
      'error getting credentials - err: exit status 1, out: `docker-credential-gcr: error: failed to retrieve credentials`',
      'ERROR: (gcloud.auth.docker-helper) You do not currently have an active account selected.',
      'WARNING: docker-credential-gcloud not in system PATH',
    ];
    expect(diagnose({ log: ['The push refers to repository [europe-west1-docker.pkg.dev/acme/apps/api]', ...helpers].join('\n') }).provider).toBe('gar');
    expect(diagnose({ log: ['The push refers to repository [eu.gcr.io/acme/api]', ...helpers].join('\n') }).provider).toBe('gcr');
    expect(diagnose({ log: helpers.join('\n') }).provider).toBe('gcr');
  });

  it('a copy from a local transport goes to the registry of its destination', () => {
    const log = 'skopeo copy --dest-tls-verify=false dir:/tmp/api docker://ghcr.io/acme/api:1\nFATA[0002] Error writing blob: denied: permission_denied: write_package';
    expect(diagnose({ log }).provider).toBe('ghcr');
  });

  it('a copy to a local transport still failed at the registry it could not read its source from', () => {
    const log = [
      '$ skopeo copy docker://webapp:1 oci:/tmp/webapp',
      'FATA[0001] initializing source docker://webapp:1: reading manifest 1 in docker.io/library/webapp: manifest unknown',
    ].join('\n');
    expect(diagnose({ log }).provider).toBe('dockerhub');
  });
});

describe('an image reference Docker would refuse', () => {
  it('is the diagnosis, with what Docker says and the fix for the tag template', () => {
    const diagnosis = diagnose({ log: 'Error: Process completed with exit code 1.', image: 'ghcr.io/acme/app:-abc123' });
    expect(diagnosis.provider).toBe('ghcr');
    expect(diagnosis.findings[0]).toMatchObject({ category: 'other', rules: ['invalid-image-reference'] });
    expect(diagnosis.findings[0]?.explanation).toMatch(/invalid reference format/);
    expect(diagnosis.findings[0]?.remediation.map((step) => step.command).join('\n')).toMatch(/:-main/);
  });
  it('joins the log\'s own "invalid reference format" finding rather than adding a second one', () => {
    const log = 'invalid argument "Acme/App:1" for "-t, --tag" flag: invalid reference format: repository name must be lowercase';
    const diagnosis = diagnose({ log, image: 'Acme/App:1' });
    expect(diagnosis.findings.filter((finding) => finding.category === 'other')).toHaveLength(1);
    expect(diagnosis.findings[0]?.rules).toEqual(expect.arrayContaining(['invalid-image-reference', 'invalid-reference-format']));
  });
  it('does not hide a stronger cause the log shows', () => {
    const log = 'denied: Your authorization token has expired. Reauthenticate and try again.';
    const diagnosis = diagnose({ log, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/App:1' });
    expect(diagnosis.findings.map((finding) => finding.category).slice(0, 2)).toEqual(['auth_expired', 'other']);
  });
});

describe('secrets never reach the evidence', () => {
  it('redacts a password in a failing docker login line', () => {
    const log = 'docker login -u ci -p hunter2-Secret registry.example.com\nError response from daemon: Get "https://registry.example.com/v2/": unauthorized: incorrect username or password';
    const text = JSON.stringify(diagnose({ log }));
    expect(text).not.toContain('hunter2-Secret');
  });
});

describe('streaming', () => {
  const corpus = readFileSync(new URL('../fixtures/corpus/dev.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { id: string; log: string; image?: string });

  it('gives the same diagnosis whatever the chunk size (every corpus log, 1 to 64 KiB chunks)', async () => {
    for (const entry of corpus) {
      const whole = diagnose({ log: entry.log });
      for (const size of [1, 7, 64, 65_536]) {
        expect(await diagnoseStream(chunksOf(entry.log, size), {}), `${entry.id} at ${size}`).toEqual(whole);
      }
    }
  });

  it('decodes multi-byte characters split across chunks and replaces invalid UTF-8', async () => {
    const log = 'The push refers to repository [docker.io/acme/app]\ndenied: requested access to the resource is denied — ünïcödé\n';
    const viaStream = await diagnoseStream(chunksOf(log, 3), {});
    expect(viaStream.findings[0]?.evidence[0]?.text).toContain('ünïcödé');
    const invalid = (async function* () {
      yield Buffer.from([0xff, 0xfe, 0x0a]);
      yield Buffer.from('no basic auth credentials\n');
    })();
    expect((await diagnoseStream(invalid, {})).findings[0]?.category).toBe('auth_missing');
  });

  it('never throws and stays within its bounds on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2_000 }), (log) => {
        const diagnosis = diagnose({ log });
        expect(diagnosis.findings.length).toBeLessThanOrEqual(5);
        expect(diagnosis.input.logExcerpt.length).toBeLessThanOrEqual(8_000);
      }),
    );
  });

  it('keeps a bounded excerpt of an endless single-line log', () => {
    const diagnosis = diagnose({ log: 'x'.repeat(5_000_000) + ' no basic auth credentials' });
    expect(diagnosis.input.logExcerpt.length).toBeLessThanOrEqual(8_000);
  });
});
