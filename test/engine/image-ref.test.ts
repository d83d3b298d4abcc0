import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageRef } from '../../src/engine/diagnosis.js';
import { identifyHost, isDockerHubByDefault, normaliseHost, parseImageRef, readImageRef } from '../../src/engine/image-ref.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

type Expected = Omit<ImageRef, 'reference'> & { reference?: string };

const VALID: ReadonlyArray<readonly [string, Expected]> = [
  // Docker Hub, implicit and explicit, with aliases
  ['nginx', { host: 'docker.io', provider: 'dockerhub', account: 'library', repository: 'library/nginx', reference: 'docker.io/library/nginx' }],
  ['nginx:1.25-alpine', { host: 'docker.io', provider: 'dockerhub', account: 'library', repository: 'library/nginx', tag: '1.25-alpine' }],
  ['user/app', { host: 'docker.io', provider: 'dockerhub', account: 'user', repository: 'user/app', reference: 'docker.io/user/app' }],
  ['docker.io/nginx', { host: 'docker.io', provider: 'dockerhub', account: 'library', repository: 'library/nginx' }],
  ['index.docker.io/acme/app:v1', { host: 'docker.io', provider: 'dockerhub', account: 'acme', repository: 'acme/app', tag: 'v1', reference: 'docker.io/acme/app:v1' }],
  ['registry-1.docker.io/bitnami/redis', { host: 'docker.io', provider: 'dockerhub', account: 'bitnami', repository: 'bitnami/redis' }],
  ['registry.hub.docker.com/library/busybox', { host: 'docker.io', provider: 'dockerhub', account: 'library', repository: 'library/busybox' }],
  ['docker://alpine:3.20', { host: 'docker.io', provider: 'dockerhub', account: 'library', repository: 'library/alpine', tag: '3.20' }],
  ['localhost', { host: 'docker.io', provider: 'dockerhub', account: 'library', repository: 'library/localhost' }],
  // ECR
  ['123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1', { host: '123456789012.dkr.ecr.us-east-1.amazonaws.com', provider: 'ecr', account: '123456789012', region: 'us-east-1', repository: 'team/app', tag: 'v1' }],
  ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app', { host: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', provider: 'ecr', account: '123456789012', region: 'cn-north-1', repository: 'app' }],
  ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1', { host: '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', provider: 'ecr', account: '123456789012', region: 'us-gov-west-1', repository: 'app', tag: '1' }],
  ['123456789012.dkr-ecr.eu-central-1.on.aws/app', { host: '123456789012.dkr-ecr.eu-central-1.on.aws', provider: 'ecr', account: '123456789012', region: 'eu-central-1', repository: 'app' }],
  ['https://123456789012.DKR.ECR.ap-southeast-2.amazonaws.com:443/app', { host: '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com:443', provider: 'ecr', account: '123456789012', region: 'ap-southeast-2', repository: 'app' }],
  ['public.ecr.aws/my-alias/tool:latest', { host: 'public.ecr.aws', provider: 'ecr', account: 'my-alias', repository: 'my-alias/tool', tag: 'latest' }],
  // Artifact Registry and GCR
  ['us-central1-docker.pkg.dev/my-proj/repo/img:1.0', { host: 'us-central1-docker.pkg.dev', provider: 'gar', account: 'my-proj', region: 'us-central1', repository: 'my-proj/repo/img', tag: '1.0' }],
  ['europe-docker.pkg.dev/my-proj/repo/nested/img', { host: 'europe-docker.pkg.dev', provider: 'gar', account: 'my-proj', region: 'europe', repository: 'my-proj/repo/nested/img' }],
  ['us-docker.pkg.dev/example.com/proj/repo/img', { host: 'us-docker.pkg.dev', provider: 'gar', account: 'example.com:proj', region: 'us', repository: 'example.com/proj/repo/img' }],
  ['gcr.io/my-proj/img:tag', { host: 'gcr.io', provider: 'gcr', account: 'my-proj', repository: 'my-proj/img', tag: 'tag' }],
  ['us.gcr.io/my-proj/img', { host: 'us.gcr.io', provider: 'gcr', account: 'my-proj', region: 'us', repository: 'my-proj/img' }],
  ['eu.gcr.io/my-proj/img', { host: 'eu.gcr.io', provider: 'gcr', account: 'my-proj', region: 'eu', repository: 'my-proj/img' }],
  ['asia.gcr.io/my-proj/a/b', { host: 'asia.gcr.io', provider: 'gcr', account: 'my-proj', region: 'asia', repository: 'my-proj/a/b' }],
  ['gcr.io/example.com/proj/img', { host: 'gcr.io', provider: 'gcr', account: 'example.com:proj', repository: 'example.com/proj/img' }],
  ['mirror.gcr.io/library/nginx', { host: 'mirror.gcr.io', provider: 'gcr', account: 'library', repository: 'library/nginx' }],
  // ACR
  ['myregistry.azurecr.io/app:1', { host: 'myregistry.azurecr.io', provider: 'acr', account: 'myregistry', repository: 'app', tag: '1' }],
  ['contoso.azurecr.cn/team/app', { host: 'contoso.azurecr.cn', provider: 'acr', account: 'contoso', repository: 'team/app' }],
  ['contoso.azurecr.us/app', { host: 'contoso.azurecr.us', provider: 'acr', account: 'contoso', repository: 'app' }],
  ['contoso.azurecr.de/app', { host: 'contoso.azurecr.de', provider: 'acr', account: 'contoso', repository: 'app' }],
  ['contoso.westeurope.data.azurecr.io/app', { host: 'contoso.westeurope.data.azurecr.io', provider: 'acr', account: 'contoso', region: 'westeurope', repository: 'app' }],
  ['contoso.eastus.geo.azurecr.io/app', { host: 'contoso.eastus.geo.azurecr.io', provider: 'acr', account: 'contoso', region: 'eastus', repository: 'app' }],
  // GHCR
  ['ghcr.io/acme/app:sha-4f5a9c3', { host: 'ghcr.io', provider: 'ghcr', account: 'acme', repository: 'acme/app', tag: 'sha-4f5a9c3' }],
  ['docker.pkg.github.com/acme/repo/app:1', { host: 'docker.pkg.github.com', provider: 'ghcr', account: 'acme', repository: 'acme/repo/app', tag: '1' }],
  // Other OCI registries, ports, digests
  ['localhost:5000/app', { host: 'localhost:5000', provider: 'other', repository: 'app' }],
  ['localhost:5000', { host: 'docker.io', provider: 'dockerhub', account: 'library', repository: 'library/localhost', tag: '5000' }],
  ['registry.example.com:8443/team/app:2.0@' + DIGEST, { host: 'registry.example.com:8443', provider: 'other', repository: 'team/app', tag: '2.0', digest: DIGEST }],
  ['quay.io/org/app@' + DIGEST, { host: 'quay.io', provider: 'other', repository: 'org/app', digest: DIGEST }],
  ['oci://harbor.example.com/proj/app', { host: 'harbor.example.com', provider: 'other', repository: 'proj/app' }],
  ['[::1]:5000/app', { host: '[::1]:5000', provider: 'other', repository: 'app' }],
  ['a.b/c__d/e-f/g.h_i---j', { host: 'a.b', provider: 'other', repository: 'c__d/e-f/g.h_i---j' }],
  // Pasted forms
  ['  ghcr.io/acme/app  ', { host: 'ghcr.io', provider: 'ghcr', account: 'acme', repository: 'acme/app' }],
  ['[123456789012.dkr.ecr.us-east-1.amazonaws.com/app]', { host: '123456789012.dkr.ecr.us-east-1.amazonaws.com', provider: 'ecr', account: '123456789012', region: 'us-east-1', repository: 'app' }],
  ['"quay.io/org/app:1"', { host: 'quay.io', provider: 'other', repository: 'org/app', tag: '1' }],
  ["'quay.io/org/app:1'", { host: 'quay.io', provider: 'other', repository: 'org/app', tag: '1' }],
  ['`quay.io/org/app:1`', { host: 'quay.io', provider: 'other', repository: 'org/app', tag: '1' }],
  ['docker push ghcr.io/acme/app:1', { host: 'ghcr.io', provider: 'ghcr', account: 'acme', repository: 'acme/app', tag: '1' }],
  ['$ sudo podman image push --quiet quay.io/org/app', { host: 'quay.io', provider: 'other', repository: 'org/app' }],
  ['<https://ghcr.io/acme/app|ghcr.io/acme/app>', { host: 'ghcr.io', provider: 'ghcr', account: 'acme', repository: 'acme/app' }],
];

const INVALID: ReadonlyArray<readonly [string, string | RegExp]> = [
  ['', 'image reference is empty'],
  ['   ', 'image reference is empty'],
  ['""', 'image reference is empty'],
  ['docker://', 'image reference is empty'],
  ['ghcr.io/Acme/app', 'upper-case letters are not allowed in a repository name'],
  ['MyApp', 'upper-case letters are not allowed in a repository name'],
  ['app:-bad', /^invalid tag "-bad"/],
  ['app:.bad', /^invalid tag "\.bad"/],
  [`app:${'a'.repeat(129)}`, /^invalid tag/],
  ['app:bad/tag', /^invalid registry host "app:bad"/],
  ['app@sha256:1234', /^invalid digest "sha256:1234"/],
  ['app@sha256:' + 'A'.repeat(64), /^invalid digest/],
  ['app@nonsense', /^invalid digest "nonsense"/],
  ['ghcr.io/', 'repository name is empty'],
  [':tag', 'repository name is empty'],
  ['ghcr.io//app', /empty path component/],
  ['ghcr.io/app/', /empty path component/],
  ['ghcr.io/-app', /invalid repository path component "-app"/],
  ['ghcr.io/app_', /invalid repository path component "app_"/],
  ['ghcr.io/a___b', /invalid repository path component "a___b"/],
  ['bad_host.example.com/app', /^invalid registry host "bad_host\.example\.com"/],
  ['-bad.example.com/app', /^invalid registry host/],
  ['registry.example.com:99999/app', /^invalid port in registry host/],
  ['ghcr.io/acme/my app', /contains whitespace/],
  ['docker push a b', /contains whitespace/],
  [`example.com/${'a'.repeat(256)}`, 'repository name must not be more than 255 characters'],
];

describe('parseImageRef', () => {
  it.each(VALID)('%s', (input, expected) => {
    const result = parseImageRef(input);
    if (!result.ok) throw new Error(result.error);
    const { reference, ...rest } = expected;
    expect(result.ref).toEqual({ ...rest, reference: result.ref.reference });
    if (reference) expect(result.ref.reference).toBe(reference);
    expect(result.ref.reference).toBe(
      `${expected.host}/${expected.repository}${expected.tag ? `:${expected.tag}` : ''}${expected.digest ? `@${expected.digest}` : ''}`,
    );
  });

  it.each(INVALID)('rejects %j', (input, message) => {
    const result = parseImageRef(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    if (typeof message === 'string') expect(result.error).toBe(message);
    else expect(result.error).toMatch(message);
  });

  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
  const host = fc
    .tuple(fc.array(label, { minLength: 2, maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
    .map(([labels, port]) => `${labels.join('.')}${port === undefined ? '' : `:${port}`}`)
    .filter((h) => !['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(h));
  const component = fc.stringMatching(/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+){0,2}$/).filter((c) => c.length <= 30);
  const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
  const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);
  const reference = fc
    .tuple(host, fc.array(component, { minLength: 1, maxLength: 4 }), fc.option(tag, { nil: undefined }), fc.option(digest, { nil: undefined }))
    .map(([h, path, t, d]) => `${h}/${path.join('/')}${t === undefined ? '' : `:${t}`}${d === undefined ? '' : `@${d}`}`);

  it('round-trips any valid reference through `reference`', () => {
    fc.assert(
      fc.property(reference, (input) => {
        const result = parseImageRef(input);
        if (!result.ok) throw new Error(`${input}: ${result.error}`);
        expect(result.ref.reference).toBe(input);
        const again = parseImageRef(result.ref.reference);
        expect(again).toEqual(result);
      }),
      { numRuns: 500 },
    );
  });

  it('normalises idempotently, with any prefix and wrapping a user adds', () => {
    const wrapped = fc.tuple(
      fc.oneof(
        reference,
        // Implicit Docker Hub: a first component with a dot would be read as a host.
        fc.array(component.filter((c) => !c.includes('.')), { minLength: 1, maxLength: 3 }).map((p) => p.join('/')),
      ),
      fc.constantFrom('', 'docker://', 'oci://', 'https://', 'http://'),
      fc.constantFrom(['', ''], ['"', '"'], ['[', ']'], ['`', '`'], [' ', '\n']),
    );
    fc.assert(
      fc.property(wrapped, ([ref, scheme, [open, close]]) => {
        const result = parseImageRef(`${open}${scheme}${ref}${close}`);
        if (!result.ok) throw new Error(`${ref}: ${result.error}`);
        expect(parseImageRef(result.ref.reference)).toEqual(result);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (input) => {
        const result = parseImageRef(input);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('identifyHost', () => {
  it.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', undefined, { provider: 'ecr', account: '123456789012', region: 'eu-west-1' }],
    ['HTTPS://123456789012.DKR.ECR.eu-west-1.amazonaws.com:443/v2/app/blobs/uploads/', undefined, { provider: 'ecr', account: '123456789012', region: 'eu-west-1' }],
    ['api.ecr.us-east-1.amazonaws.com', undefined, { provider: 'ecr', region: 'us-east-1' }],
    ['prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com', undefined, { provider: 'ecr', region: 'us-east-1' }],
    ['public.ecr.aws', 'alias/tool', { provider: 'ecr', account: 'alias' }],
    ['europe-west1-docker.pkg.dev', 'proj/repo/img', { provider: 'gar', account: 'proj', region: 'europe-west1' }],
    ['https://us-docker.pkg.dev/v2/proj/repo/img/manifests/latest', undefined, { provider: 'gar', account: 'proj', region: 'us' }],
    ['artifactregistry.googleapis.com', undefined, { provider: 'gar' }],
    ['eu.gcr.io', 'proj/x', { provider: 'gcr', account: 'proj', region: 'eu' }],
    ['gcr.io', undefined, { provider: 'gcr' }],
    ['MyReg.AzureCR.io', undefined, { provider: 'acr', account: 'myreg' }],
    ['myreg.azurecr.io:443', undefined, { provider: 'acr', account: 'myreg' }],
    ['auth.docker.io', undefined, { provider: 'dockerhub' }],
    ['registry-1.docker.io', 'library/nginx', { provider: 'dockerhub', account: 'library' }],
    ['index.docker.io', undefined, { provider: 'dockerhub' }],
    ['production.cloudflare.docker.com', undefined, { provider: 'dockerhub' }],
    ['ghcr.io', 'acme/app', { provider: 'ghcr', account: 'acme' }],
    ['pkg-containers.githubusercontent.com', undefined, { provider: 'ghcr' }],
    ['[ghcr.io]', undefined, { provider: 'ghcr' }],
    ['registry.example.com:5000', undefined, { provider: 'other' }],
    ['', undefined, { provider: 'other' }],
    ['not a host at all', undefined, { provider: 'other' }],
    ['evil.azurecr.io.attacker.example', undefined, { provider: 'other' }],
    ['gcr.io.attacker.example', undefined, { provider: 'other' }],
  ] as const)('%s (%s)', (host, repository, expected) => {
    expect(identifyHost(host, repository)).toEqual(expected);
  });

  it('always answers', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.option(fc.string({ maxLength: 50 }), { nil: undefined }), (host, repo) => {
        expect(identifyHost(host, repo).provider).toBeTypeOf('string');
      }),
    );
  });

  it('normalises hosts as the adapters see them', () => {
    expect(normaliseHost('HTTPS://Registry-1.Docker.io/v2/')).toBe('docker.io');
    expect(normaliseHost('user@ghcr.io')).toBe('ghcr.io');
    expect(normaliseHost('Quay.IO:443')).toBe('quay.io:443');
    expect(normaliseHost('bad host')).toBeUndefined();
  });
});

describe('identifyHost with masked or placeholder names, as pasted in issue threads', () => {
  it.each([
    ['account-id.dkr.ecr.us-east-1.amazonaws.com', { provider: 'ecr', region: 'us-east-1' }],
    ['XXXXXXXXXXXX.dkr.ecr.eu-west-1.amazonaws.com', { provider: 'ecr', region: 'eu-west-1' }],
    ['***.dkr.ecr.us-east-1.amazonaws.com', { provider: 'ecr', region: 'us-east-1' }],
    ['<acr-name>.azurecr.io', { provider: 'acr' }],
    ['https://<acr-name>.azurecr.io/v2/', { provider: 'acr' }],
    ['contoso.privatelink.azurecr.io', { provider: 'acr', account: 'contoso' }],
  ])('%s', (host, expected) => {
    expect(identifyHost(host)).toEqual(expected);
  });
});

describe('readImageRef: references as pasted from CI logs', () => {
  it.each([
    ['***.dkr.ecr.us-east-1.amazonaws.com/app', { provider: 'ecr', region: 'us-east-1', repository: 'app' }],
    ['<account>.dkr.ecr.eu-west-1.amazonaws.com/x', { provider: 'ecr', region: 'eu-west-1', repository: 'x' }],
    ['$AWS_ACCOUNT_ID.dkr.ecr.$REGION.amazonaws.com/app', { provider: 'ecr', repository: 'app' }],
    ['${AWS_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/app:${TAG}', { provider: 'ecr', region: 'eu-west-1', repository: 'app' }],
    ['[MASKED].dkr.ecr.us-west-2.amazonaws.com/app:1', { provider: 'ecr', region: 'us-west-2', tag: '1' }],
    ['quay.io/***/x:tag', { provider: 'other', host: 'quay.io', repository: '***/x', tag: 'tag' }],
    ['***/app:1', { provider: 'dockerhub', host: 'docker.io', tag: '1' }],
    ['<acr-name>.azurecr.io/team/app', { provider: 'acr', repository: 'team/app' }],
    ['$REGISTRY/team/app:1', { provider: 'other', host: '$REGISTRY', repository: 'team/app', tag: '1' }],
    ['***/***/app:v1', { provider: 'other', host: '***', repository: '***/app', tag: 'v1' }],
    ['${{ secrets.REGISTRY }}/app:1', { provider: 'other', repository: 'app', tag: '1' }],
  ] as const)('%s is read, its masked parts unknown, and not called invalid', (input, expected) => {
    const reading = readImageRef(input);
    expect(reading.invalid).toBeUndefined();
    expect(reading.ref).toMatchObject(expected);
    expect(reading.ref?.account).toBeUndefined();
    if (!('tag' in expected)) expect(reading.ref?.tag).toBeUndefined();
  });

  it.each([
    ['ACME/App:1', /repository name must be lowercase/, { provider: 'dockerhub', repository: 'acme/app', tag: '1' }],
    ['ghcr.io/acme/app:-abc123', /tag "-abc123" starts with "-".*tag template/, { provider: 'ghcr', repository: 'acme/app' }],
    ['registry.example.com/app:', /tag "" is empty/, { provider: 'other', host: 'registry.example.com' }],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/My-App:v1', /lowercase/, { provider: 'ecr', account: '123456789012', region: 'eu-west-1', repository: 'my-app' }],
    ['acme.azurecr.io/team app:1', /whitespace/, { provider: 'acr' }],
  ] as const)('%s: Docker would refuse it, and what it names is still read', (input, why, expected) => {
    const reading = readImageRef(input);
    expect(reading.invalid).toMatch(/^invalid reference format/);
    expect(reading.invalid).toMatch(why);
    expect(reading.ref).toMatchObject(expected);
  });

  it('gives nothing for an empty reference, and the strict parse for a valid one', () => {
    expect(readImageRef('  ')).toEqual({});
    const valid = parseImageRef('ghcr.io/acme/app:1');
    expect(readImageRef('ghcr.io/acme/app:1')).toEqual({ ref: valid.ok ? valid.ref : undefined });
  });

  it('never throws, whatever is pasted', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        const reading = readImageRef(input);
        if (reading.ref) expect(reading.ref.repository.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('readImageRef on text with spaces', () => {
  it('reads through a stray space next to a separator, and reads no reference out of words apart', () => {
    expect(readImageRef('ghcr.io/acme/app: 1.0').ref).toMatchObject({ host: 'ghcr.io', repository: 'acme/app', tag: '1.0' });
    const prose = readImageRef('posting with a token to C0123456789');
    expect(prose.ref).toBeUndefined();
    expect(prose.invalid).toMatch(/invalid reference format/);
  });
});

describe('isDockerHubByDefault: a name without a host, as Docker normalises it', () => {
  it.each(['webapp', 'webapp:1.0', 'acme/api', 'acme/api:2@' + DIGEST, '***/api:1', '"acme/api:1"', 'docker://acme/api'])('%s is Docker Hub', (name) => {
    expect(isDockerHubByDefault(name)).toBe(true);
  });
  it.each([
    ['a host', 'ghcr.io/acme/api'],
    ['a host with a port', 'registry:5000/api'],
    ['localhost', 'localhost/api'],
    ['a docker.io host written out (the host itself says so)', 'docker.io/acme/api'],
    ['three path components, which Docker Hub does not hold', 'myregistry/team/api'],
    ['a wholly masked name', '<REDACTED>'],
    ['a wholly masked name with a tag', '${IMAGE}:1'],
    ['a masked registry variable', '$REGISTRY/api'],
  ])('not with %s', (_name, name) => {
    expect(isDockerHubByDefault(name)).toBe(false);
  });
});
