// Docker Hub: docker.io and its aliases, the auth and CDN hosts seen in logs.
import type { HostMatch, LogSignal, ProviderAdapter, RemediationContext } from '../types.js';
import { arg, bareHost, doc, firstSegment, fromTable, gatherKnown, step, type RemediationTable } from '../remediation-kit.js';

const HUB_HOST = /^(?:docker\.io|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.docker\.io|hub\.docker\.com|registry\.hub\.docker\.com|production\.cloudflare\.docker\.com)$/;

function matchHost(host: string, repository: string): HostMatch | undefined {
  if (!HUB_HOST.test(bareHost(host))) return undefined;
  const namespace = firstSegment(repository);
  return namespace ? { provider: 'dockerhub', account: namespace } : { provider: 'dockerhub' };
}

const logSignals: readonly LogSignal[] = [
  /\bregistry\.docker\.io\b/,
  /\bauth\.docker\.io\b/,
  /\bhub\.docker\.com\b/,
  /\bHAP429\b/,
  /You have reached your (?:unauthenticated )?pull rate limit/i,
  /docker\.com\/increase-rate-limit/,
  /too many failed login attempts for username or IP address/i,
].map((pattern) => ({ pattern, provider: 'dockerhub' as const }));

interface HubTarget {
  namespace: string;
  repository: string;
  tag: string;
}

function readTarget(context: RemediationContext): HubTarget {
  const known = gatherKnown(context);
  const repository = known.repository ?? '';
  const namespace = known.account ?? firstSegment(repository);
  return {
    namespace: arg(namespace, '<namespace>'),
    repository: arg(repository.slice(repository.indexOf('/') + 1) || undefined, '<repository>'),
    tag: arg(known.tag, '<tag>'),
  };
}

const DOCS = {
  login: doc('docker login', 'https://docs.docker.com/reference/cli/docker/login/'),
  tokens: doc('Docker Hub access token permissions', 'https://docs.docker.com/security/access-tokens/reference/'),
  usage: doc('Docker Hub usage and limits', 'https://docs.docker.com/docker-hub/usage/'),
  pulls: doc('Docker Hub pull usage and limits', 'https://docs.docker.com/docker-hub/usage/pulls/'),
  createRepo: doc('Create a repository on Docker Hub', 'https://docs.docker.com/docker-hub/repos/create/'),
  push: doc('docker image push', 'https://docs.docker.com/reference/cli/docker/image/push/'),
};

const LOGIN = 'echo "$DOCKERHUB_TOKEN" | docker login --username "$DOCKERHUB_USERNAME" --password-stdin';

const table: RemediationTable<HubTarget> = {
  auth_missing: () => ({
    explanation: 'Docker Hub refused an anonymous push: every push needs a login.',
    steps: [
      step('Log in with a personal (or organization) access token with Read & Write permission, not the account password.', LOGIN),
    ],
    docs: [DOCS.login, DOCS.tokens],
  }),
  auth_expired: () => ({
    explanation: 'The access token used to log in has expired or was revoked.',
    steps: [
      step('Create a new access token (Account settings → Personal access tokens) and store it in the CI secret, then log in again.', LOGIN),
    ],
    docs: [DOCS.tokens, DOCS.login],
  }),
  permission_denied: (t) => ({
    explanation: '"requested access to the resource is denied": the image is not tagged under a namespace you may push to, or the token is read-only.',
    steps: [
      step(
        `Tag the image under your own user or organization namespace (the first path segment${t.namespace === 'library' ? '; library/ holds only official images' : ''}).`,
        `docker tag ${t.repository}:${t.tag} docker.io/<your-namespace>/${t.repository}:${t.tag}`,
      ),
      step('Use an access token with the "Read & Write" permission (a read-only token can pull but not push).'),
      step(`For an organization namespace (${t.namespace}), ask an owner to give your team Read & Write on the repository.`),
    ],
    docs: [DOCS.tokens, DOCS.push],
  }),
  repo_not_found: (t) => ({
    explanation: 'The repository does not exist and your account may not create it on push (organization namespaces need it created first or the right team permission).',
    steps: [
      step(`Create ${t.namespace}/${t.repository} on Docker Hub (Repositories → Create repository), then push again.`),
    ],
    docs: [DOCS.createRepo],
  }),
  quota_exceeded: () => ({
    explanation: 'The Docker Hub plan\'s limit was reached (private repositories, storage or pulls).',
    steps: [step('Check usage on Docker Hub, remove unused repositories or tags, or move to a subscription with higher limits.')],
    docs: [DOCS.usage],
  }),
  rate_limited: () => ({
    explanation: 'Docker Hub limits pulls per 6 hours; anonymous pulls are limited per IP, so shared CI runners hit it first. Base images pulled during the build count too.',
    steps: [
      step('Authenticate every pull (the build\'s base images too): authenticated users get a higher limit, paid subscriptions more.', LOGIN),
      step(
        'See how many pulls are left for the current identity.',
        'TOKEN=$(curl -s "https://auth.docker.io/token?service=registry.docker.io&scope=repository:ratelimitpreview/test:pull" | jq -r .token) && curl -s --head -H "Authorization: Bearer $TOKEN" https://registry-1.docker.io/v2/ratelimitpreview/test/manifests/latest | grep -i ratelimit',
      ),
      step('Pull base images through a registry mirror or a pull-through cache in your own registry.'),
    ],
    docs: [DOCS.pulls, DOCS.usage],
  }),
};

export const dockerhubAdapter: ProviderAdapter = {
  id: 'dockerhub',
  providers: ['dockerhub'],
  displayName: () => 'Docker Hub',
  matchHost,
  logSignals,
  remediate: (context) => fromTable(table, context, readTarget),
};
