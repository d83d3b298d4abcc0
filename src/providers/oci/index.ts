// Any OCI Distribution registry (Harbor, Quay, Nexus, self-hosted distribution…): the generic fallback.
// It matches no host (it is what is left) and covers every category with generic OCI/Docker advice.
import type { Category } from '../../engine/vocabulary.js';
import type { ProviderAdapter, ProviderRemediation, RemediationContext } from '../types.js';
import { arg, bareHost, doc, gatherKnown, step } from '../remediation-kit.js';

interface OciTarget {
  host: string;
  /** `host/repository:tag`, or placeholders. */
  ref: string;
  repository: string;
}

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;

function readTarget(context: RemediationContext): OciTarget {
  const known = gatherKnown(context);
  const host = arg(known.host, '<registry>', HOST);
  const repository = arg(known.repository, '<repository>');
  const tag = arg(known.tag, '<tag>');
  return { host, repository, ref: `${host}/${repository}:${tag}` };
}

const DOCS = {
  spec: doc('OCI Distribution Specification (error codes)', 'https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes'),
  login: doc('docker login', 'https://docs.docker.com/reference/cli/docker/login/'),
  push: doc('docker image push', 'https://docs.docker.com/reference/cli/docker/image/push/'),
  tag: doc('docker image tag', 'https://docs.docker.com/reference/cli/docker/image/tag/'),
  proxy: doc('Configure the Docker daemon to use a proxy', 'https://docs.docker.com/engine/daemon/proxy/'),
  certs: doc('Docker: verify repository client with certificates', 'https://docs.docker.com/engine/security/certificates/'),
  dockerd: doc('dockerd reference (max-concurrent-uploads)', 'https://docs.docker.com/reference/cli/dockerd/'),
  nginx: doc('nginx client_max_body_size', 'https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size'),
  distribution: doc('CNCF Distribution registry configuration', 'https://distribution.github.io/distribution/about/configuration/'),
  attestations: doc('Docker Build attestations (provenance, SBOM)', 'https://docs.docker.com/build/metadata/attestations/'),
  buildxBuild: doc('docker buildx build (--push, --load)', 'https://docs.docker.com/reference/cli/docker/buildx/build/'),
  podmanPush: doc('podman push (--format)', 'https://docs.podman.io/en/latest/markdown/podman-push.1.html'),
};

type Entry = (t: OciTarget) => ProviderRemediation;

const table: Record<Category, Entry> = {
  auth_missing: (t) => ({
    steps: [
      step('Log in to the registry the image is tagged for (the host part of the image name), with credentials that may push.', `docker login ${t.host}`),
      step('Check Docker has an entry (auths or credHelpers) for that exact host; a login to another host name or port does not count.', 'cat ~/.docker/config.json'),
    ],
    docs: [DOCS.login, DOCS.spec],
  }),
  auth_expired: (t) => ({
    steps: [
      step('Log in again: the stored token or password has expired or was rotated.', `docker login ${t.host}`),
      step('In CI, log in within the same job, right before the push.'),
    ],
    docs: [DOCS.login],
  }),
  permission_denied: (t) => ({
    steps: [
      step('Check the registry answers and which auth it asks for.', `curl -sI https://${t.host}/v2/`),
      step(`Make sure the credentials may push to ${t.repository} (push scope on that repository or project), and that the image is tagged under a namespace you own.`),
    ],
    docs: [DOCS.spec, DOCS.login],
  }),
  repo_not_found: (t) => ({
    steps: [
      step('Check the repository path for typos, then create the repository (or project/namespace) in the registry if it does not create them on push.'),
      step('List what the registry has under that name.', `crane ls ${t.host}/${t.repository}`),
    ],
    docs: [DOCS.spec],
  }),
  tag_immutable: (t) => ({
    steps: [
      step('Push under a tag unique per build (the commit id) instead of overwriting an existing one.', `docker tag ${t.ref} ${t.host}/${t.repository}:$(git rev-parse --short HEAD)`),
      step('Or ask the registry admin to relax the tag-immutability rule for this repository (trade-off: tags then stop pinning one image).'),
    ],
    docs: [DOCS.tag],
  }),
  repo_locked: () => ({
    steps: [
      step('The repository (or the whole registry) is read-only: ask its admin to unlock it, or to end maintenance mode (distribution: storage.maintenance.readonly).'),
    ],
    docs: [DOCS.distribution],
  }),
  quota_exceeded: () => ({
    steps: [
      step('Free space: delete unused tags and run the registry\'s garbage collection, or ask for a larger quota on the project.'),
    ],
    docs: [DOCS.spec],
  }),
  rate_limited: () => ({
    steps: [
      step('Retry with exponential backoff; authenticate (anonymous requests get lower limits).'),
      step('Push fewer layers at once: set max-concurrent-uploads in /etc/docker/daemon.json and restart Docker.', '{ "max-concurrent-uploads": 1 }'),
      step('Pull base images through a mirror or pull-through cache.'),
    ],
    docs: [DOCS.dockerd, DOCS.spec],
  }),
  firewall_denied: (t) => ({
    steps: [
      step('Allow the runner\'s egress IP in the registry\'s (or a proxy\'s) firewall rules.'),
      step('Check what stands in between: proxy settings of the Docker daemon and the answer of the registry.', `curl -v https://${t.host}/v2/`),
    ],
    docs: [DOCS.proxy],
  }),
  network: (t) => {
    const bare = t.host.startsWith('<') ? t.host : bareHost(t.host);
    const port = /:(\d+)$/.exec(t.host)?.[1] ?? '443';
    return {
      steps: [
        step('Check DNS resolution from the runner.', `nslookup ${bare}`),
        step('Check TCP and TLS, and that /v2/ answers (401 is fine).', `curl -v https://${t.host}/v2/`),
        step('Inspect the certificate chain; a private CA goes into /etc/docker/certs.d/HOST/ca.crt.', `openssl s_client -connect ${bare}:${port} -servername ${bare} </dev/null`),
        step('Behind a proxy, the Docker daemon needs HTTPS_PROXY/NO_PROXY in its own environment (not the shell\'s).'),
      ],
      docs: [DOCS.proxy, DOCS.certs],
    };
  },
  blob_upload: () => ({
    steps: [
      step('Retry the push: interrupted layer uploads are common on flaky links.'),
      step('A 413 "Request Entity Too Large" comes from a proxy in front of the registry: lift its body size limit (nginx).', 'client_max_body_size 0;\nproxy_request_buffering off;'),
      step('BLOB_UPLOAD_UNKNOWN / BLOB_UPLOAD_INVALID behind a load balancer: all registry replicas need shared storage and the same http.secret, or sticky sessions.'),
      step('Upload one layer at a time to ride out a weak link.', '{ "max-concurrent-uploads": 1 }'),
    ],
    docs: [DOCS.nginx, DOCS.distribution, DOCS.spec],
  }),
  manifest_invalid: (t) => ({
    steps: [
      step('See the manifest you are pushing and its media type.', `docker buildx imagetools inspect --raw ${t.ref}`),
      step('Registries that reject OCI indexes with attestations accept a build without them.', `docker buildx build --provenance=false --sbom=false -t ${t.ref} --push .`),
      step('With podman, buildah or skopeo, push the Docker v2 schema 2 format.', `podman push --format v2s2 ${t.ref}`),
      step('Make sure every layer the manifest references was pushed first (MANIFEST_BLOB_UNKNOWN): push again from a complete local image.'),
    ],
    docs: [DOCS.attestations, DOCS.podmanPush, DOCS.spec],
  }),
  image_not_found_locally: (t) => ({
    steps: [
      step('List the local images: the name you push must exist locally, host included.', `docker image ls ${t.repository === '<repository>' ? '' : t.repository}`.trimEnd()),
      step('Tag the built image with the full registry name before pushing.', `docker tag <local-image>:<tag> ${t.ref}`),
      step('With buildx (docker-container driver) the image is not loaded into Docker: push from the build itself, or add --load.', `docker buildx build -t ${t.ref} --push .`),
    ],
    docs: [DOCS.tag, DOCS.buildxBuild, DOCS.push],
  }),
  other: (t) => ({
    steps: [
      step('Run the push again with debug output and read the first error the registry returned.', `docker --debug push ${t.ref}`),
      step('Check the registry answers /v2/.', `curl -v https://${t.host}/v2/`),
    ],
    docs: [DOCS.spec, DOCS.push],
  }),
};

function remediate(context: RemediationContext): ProviderRemediation {
  return table[context.category](readTarget(context));
}

export const ociAdapter: ProviderAdapter = {
  id: 'oci',
  providers: ['other'],
  // No provider to name: the host is what the team knows the registry by (`registry.example.com:5000`); without
  // one, nothing in the input identified the registry.
  displayName: (_provider, host) => host || 'Unidentified registry',
  matchHost: () => undefined,
  logSignals: [],
  remediate,
};

/** Generic OCI/Docker advice for every category: the engine's fallback when an adapter has none. */
export const genericRemediation: (context: RemediationContext) => ProviderRemediation = remediate;
