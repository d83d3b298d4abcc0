// Google Artifact Registry (`LOCATION-docker.pkg.dev`) and Container Registry hosts (`gcr.io`, `*.gcr.io`),
// which Artifact Registry now serves. One adapter, two providers: `gar` and `gcr`.
import type { Provider } from '../../engine/vocabulary.js';
import type { HostMatch, LogSignal, ProviderAdapter, RemediationContext } from '../types.js';
import { arg, bareHost, doc, fromTable, gatherKnown, step, type RemediationTable } from '../remediation-kit.js';

const GAR_HOST = /^([a-z0-9]+(?:-[a-z0-9]+)*)-docker\.pkg\.dev$/;
const GAR_API_HOST = /^artifactregistry\.googleapis\.com$/;
const GCR_HOST = /^(?:([a-z0-9-]+)\.)?gcr\.io$/;
const GCR_REGIONS: Readonly<Record<string, string>> = { us: 'us', eu: 'eu', asia: 'asia' };
/** The Artifact Registry location that serves each gcr.io host. */
export const GCR_LOCATIONS: Readonly<Record<string, string>> = {
  'gcr.io': 'us',
  'us.gcr.io': 'us',
  'eu.gcr.io': 'europe',
  'asia.gcr.io': 'asia',
};

/**
 * The project at the start of a path. A domain-scoped project `example.com:proj` is written
 * `example.com/proj` in image paths (project ids themselves never contain a dot).
 */
export function projectOf(repository: string): { project: string; rest: string[] } | undefined {
  const parts = repository.split('/').filter((p) => p !== '');
  const [first, second] = parts;
  if (!first) return undefined;
  if (first.includes('.') && second) return { project: `${first}:${second}`, rest: parts.slice(2) };
  return { project: first, rest: parts.slice(1) };
}

function matchHost(host: string, repository: string): HostMatch | undefined {
  const name = bareHost(host);
  const gar = GAR_HOST.exec(name);
  if (gar) {
    const project = projectOf(repository);
    const match: HostMatch = { provider: 'gar', region: gar[1] };
    if (project && project.rest.length > 0) match.account = project.project;
    return match;
  }
  if (GAR_API_HOST.test(name)) return { provider: 'gar' };
  const gcr = GCR_HOST.exec(name);
  if (gcr) {
    const match: HostMatch = { provider: 'gcr' };
    const region = gcr[1] ? GCR_REGIONS[gcr[1]] : undefined;
    if (region) match.region = region;
    const project = projectOf(repository);
    if (project && project.rest.length > 0) match.account = project.project;
    return match;
  }
  return undefined;
}

const logSignals: readonly LogSignal[] = [
  { pattern: /\bartifactregistry\./, provider: 'gar' },
  { pattern: /\bArtifact Registry\b/i, provider: 'gar' },
  { pattern: /-docker\.pkg\.dev\b/, provider: 'gar' },
  // Google's credential helpers serve Artifact Registry and GCR alike (`gcloud auth configure-docker
  // LOCATION-docker.pkg.dev`, https://cloud.google.com/artifact-registry/docs/docker/authentication): the
  // registry host decides; GCR's when no host is shown.
  { pattern: /docker-credential-gcr\b/, provider: 'gcr', alsoServes: ['gar'] },
  { pattern: /docker-credential-gcloud\b/, provider: 'gcr', alsoServes: ['gar'] },
  { pattern: /gcloud\.auth\.docker-helper/, provider: 'gcr', alsoServes: ['gar'] },
  { pattern: /container-registry\/docs/, provider: 'gcr' },
  { pattern: /Token exchange failed for project/i, provider: 'gcr' },
  { pattern: /\bstorage\.buckets\.get\b/, provider: 'gcr' },
  { pattern: /Project 'projects\/[^']*' not found or deleted/i, provider: 'gcr' },
  { pattern: /\b(?:[a-z]+\.)?gcr\.io\b/, provider: 'gcr' },
];

// ---------------------------------------------------------------------------------------------------

const PROJECT = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{2,28}[a-z0-9]$/;
const LOCATION = /^[a-z]+(?:-[a-z]+\d*)*$/;
const REPO_ID = /^[a-z][a-z0-9.-]*$/;

interface GoogleTarget {
  provider: Provider;
  /** Docker host to configure (`us-docker.pkg.dev`, `gcr.io`). */
  host: string;
  project: string;
  location: string;
  /** Artifact Registry repository id (`my-repo`; `gcr.io` for gcr hosts). */
  repoId: string;
  /** Image path below the repository. */
  image: string;
  tag: string;
  /** IAM member (`serviceAccount:…`, `user:…`, `principal://…`). */
  member: string;
}

/** An IAM member string from a principal named in an error. */
export function memberOf(principal: string | undefined): string | undefined {
  if (!principal) return undefined;
  const p = principal.replace(/^(?:serviceAccount|user|group):/, '');
  if (/^principal(?:Set)?:\/\//.test(principal)) return principal;
  if (/^[\w.+-]+@[\w-]+\.iam\.gserviceaccount\.com$/.test(p) || /^[\w.+-]+@[\w.-]*gserviceaccount\.com$/.test(p)) {
    return `serviceAccount:${p}`;
  }
  if (/^[\w.+-]+@[\w.-]+\.[a-z]{2,}$/i.test(p)) return principal.startsWith('group:') ? `group:${p}` : `user:${p}`;
  return undefined;
}

function readTarget(context: RemediationContext): GoogleTarget {
  const known = gatherKnown(context);
  const host = known.host ? bareHost(known.host) : undefined;
  const path = known.repository ? projectOf(known.repository) : undefined;
  const projectRaw = known.account ?? path?.project;
  const project = arg(projectRaw, '<project>', PROJECT);
  const member = arg(memberOf(known.principal), 'serviceAccount:<service-account-email>');
  const tag = arg(known.tag, '<tag>');
  if (context.provider === 'gcr' || (host !== undefined && GCR_HOST.test(host))) {
    const gcrHost = host && GCR_LOCATIONS[host] ? host : 'gcr.io';
    return {
      provider: 'gcr',
      host: gcrHost,
      project,
      location: GCR_LOCATIONS[gcrHost] ?? 'us',
      repoId: gcrHost,
      image: arg(path?.rest.join('/'), '<image>'),
      tag,
      member,
    };
  }
  const locationRaw = known.region ?? (host ? GAR_HOST.exec(host)?.[1] : undefined);
  const location = arg(locationRaw, '<location>', LOCATION);
  return {
    provider: 'gar',
    host: host && GAR_HOST.test(host) ? host : `${location}-docker.pkg.dev`,
    project,
    location,
    repoId: arg(path?.rest[0], '<repository>', REPO_ID),
    image: arg(path?.rest.slice(1).join('/') || undefined, '<image>'),
    tag,
    member,
  };
}

const DOCS = {
  auth: doc('Artifact Registry: configure authentication to Docker repositories', 'https://cloud.google.com/artifact-registry/docs/docker/authentication'),
  troubleshoot: doc('Artifact Registry: troubleshooting for container images', 'https://cloud.google.com/artifact-registry/docs/docker/troubleshoot'),
  access: doc('Artifact Registry: access control with IAM', 'https://cloud.google.com/artifact-registry/docs/access-control'),
  create: doc('Artifact Registry: create standard repositories', 'https://cloud.google.com/artifact-registry/docs/repositories/create-repos'),
  enable: doc('Artifact Registry: enable the API', 'https://cloud.google.com/artifact-registry/docs/enable-service'),
  quotas: doc('Artifact Registry quotas and limits', 'https://cloud.google.com/artifact-registry/quotas'),
  vpcsc: doc('Artifact Registry: securing with VPC Service Controls', 'https://cloud.google.com/artifact-registry/docs/securing-with-vpc-sc'),
  gcrRepos: doc('Artifact Registry: gcr.io repositories', 'https://cloud.google.com/artifact-registry/docs/transition/gcr-repositories'),
  gcrTransition: doc('Transition from Container Registry', 'https://cloud.google.com/artifact-registry/docs/transition/transition-from-gcr'),
  pushPull: doc('Artifact Registry: push and pull images', 'https://cloud.google.com/artifact-registry/docs/docker/pushing-and-pulling'),
};

function authDocs(t: GoogleTarget) {
  return t.provider === 'gcr' ? [DOCS.auth, DOCS.gcrRepos, DOCS.troubleshoot] : [DOCS.auth, DOCS.troubleshoot];
}

const quotaPage = (t: GoogleTarget) =>
  `https://console.cloud.google.com/iam-admin/quotas?project=${encodeURIComponent(t.project)}&service=artifactregistry.googleapis.com`;

const repoFlags = (t: GoogleTarget) => `--location=${t.location} --project=${t.project}`;

const table: RemediationTable<GoogleTarget> = {
  auth_missing: (t) => ({
    explanation: `Docker has no Google credentials for ${t.host}: register gcloud as its credential helper, or log in with an access token.`,
    steps: [
      step('Check gcloud is logged in with the account the job should use.', 'gcloud auth list'),
      step(`Register gcloud as Docker's credential helper for ${t.host}.`, `gcloud auth configure-docker ${t.host}`),
      step('Or, where gcloud cannot be a credential helper, log in with a short-lived access token.', `gcloud auth print-access-token | docker login -u oauth2accesstoken --password-stdin https://${t.host}`),
    ],
    docs: authDocs(t),
  }),
  auth_expired: (t) => ({
    explanation: 'The Google access token Docker used has expired (they last one hour) or the gcloud login is no longer valid.',
    steps: [
      step('Log gcloud in again (or re-activate the service account in CI).', 'gcloud auth login'),
      ...(t.provider === 'gcr'
        ? [step('If you use the standalone helper, refresh its credentials.', 'docker-credential-gcr gcr-login')]
        : []),
      step('Fetch a fresh token right before the push instead of a stored `docker login`.', `gcloud auth print-access-token | docker login -u oauth2accesstoken --password-stdin https://${t.host}`),
    ],
    docs: authDocs(t),
  }),
  permission_denied: (t) =>
    t.provider === 'gcr'
      ? {
          explanation: 'gcr.io is served by an Artifact Registry repository named gcr.io; pushing needs roles/artifactregistry.writer on it, or roles/artifactregistry.createOnPushWriter on the project when the first push must create it.',
          steps: [
            step('Grant the pusher the right to create the gcr.io repository on first push and write to it.', `gcloud projects add-iam-policy-binding ${t.project} --member=${t.member} --role=roles/artifactregistry.createOnPushWriter`),
            step('Or, when the repository exists, grant write on it only.', `gcloud artifacts repositories add-iam-policy-binding ${t.repoId} ${repoFlags(t)} --member=${t.member} --role=roles/artifactregistry.writer`),
          ],
          docs: [DOCS.gcrRepos, DOCS.access, DOCS.troubleshoot],
        }
      : {
          explanation: 'The principal lacks artifactregistry.repositories.uploadArtifacts on the repository (roles/artifactregistry.writer grants it).',
          steps: [
            step('Grant write on the repository.', `gcloud artifacts repositories add-iam-policy-binding ${t.repoId} ${repoFlags(t)} --member=${t.member} --role=roles/artifactregistry.writer`),
            step('Check who holds which role there now.', `gcloud artifacts repositories get-iam-policy ${t.repoId} ${repoFlags(t)}`),
          ],
          docs: [DOCS.access, DOCS.troubleshoot],
        },
  repo_not_found: (t) =>
    t.provider === 'gcr'
      ? {
          explanation: 'The project has no gcr.io repository in Artifact Registry (or the Artifact Registry API is off), so the gcr.io host has nowhere to store the image.',
          steps: [
            step('Enable the Artifact Registry API.', `gcloud services enable artifactregistry.googleapis.com --project=${t.project}`),
            step(`Create the ${t.repoId} repository that serves this host.`, `gcloud artifacts repositories create ${t.repoId} --repository-format=docker ${repoFlags(t)}`),
            step('Or let the first push create it: grant roles/artifactregistry.createOnPushWriter.', `gcloud projects add-iam-policy-binding ${t.project} --member=${t.member} --role=roles/artifactregistry.createOnPushWriter`),
          ],
          docs: [DOCS.gcrRepos, DOCS.gcrTransition],
        }
      : {
          explanation: 'Artifact Registry does not create repositories on push: the repository (the second path segment) must exist in that project and location.',
          steps: [
            step('List the Docker repositories of the project in that location.', `gcloud artifacts repositories list ${repoFlags(t)}`),
            step('Enable the API if it is off.', `gcloud services enable artifactregistry.googleapis.com --project=${t.project}`),
            step('Create the repository.', `gcloud artifacts repositories create ${t.repoId} --repository-format=docker ${repoFlags(t)}`),
          ],
          docs: [DOCS.create, DOCS.enable],
        },
  tag_immutable: (t) => ({
    explanation: 'The repository has immutable tags and this tag already points to another image.',
    steps: [
      step('Push under a tag unique per build (the commit id).', `docker tag ${t.host}/${t.project.replace(':', '/')}/${t.repoId}/${t.image}:${t.tag} ${t.host}/${t.project.replace(':', '/')}/${t.repoId}/${t.image}:$(git rev-parse --short HEAD)`),
      step(
        'Only if moving tags is really wanted: turn immutable tags off. Trade-off: a tag then no longer pins one image.',
        `gcloud artifacts repositories update ${t.repoId} ${repoFlags(t)} --no-immutable-tags`,
      ),
    ],
    docs: [DOCS.create],
  }),
  quota_exceeded: (t) => ({
    explanation: 'An Artifact Registry quota was reached (requests per minute per project and region, or a storage limit).',
    steps: [
      step('Retry with backoff.'),
      step(`See the quota and its usage in the console: ${quotaPage(t)}`),
    ],
    docs: [DOCS.quotas],
  }),
  rate_limited: (t) => ({
    explanation: 'Artifact Registry answered 429: the per-project request quota was exceeded.',
    steps: [
      step('Retry with exponential backoff and push fewer layers at once (Docker: `max-concurrent-uploads`).', '{ "max-concurrent-uploads": 2 }'),
      step(`Ask for a higher quota if this is steady load: ${quotaPage(t)}`),
    ],
    docs: [DOCS.quotas],
  }),
  firewall_denied: (t) => ({
    explanation: 'A VPC Service Controls perimeter refused the request ("Request is prohibited by organization\'s policy"): the runner is outside the perimeter around the project.',
    steps: [
      step('Find the perimeter and the violation with the vpcServiceControlsUniqueIdentifier from the error, in Logs Explorer.', `gcloud logging read 'protoPayload.metadata.@type="type.googleapis.com/google.cloud.audit.VpcServiceControlAuditMetadata"' --project=${t.project} --limit=5`),
      step('Add an ingress rule (or access level) for the runner, or push from inside the perimeter.'),
    ],
    docs: [DOCS.vpcsc, DOCS.troubleshoot],
  }),
  network: (t) => ({
    explanation: `The runner could not reach ${t.host} (DNS, TCP or TLS).`,
    steps: [
      step('Check DNS, TCP and TLS to the registry (a 401 answer means the network is fine).', `curl -v https://${t.host}/v2/`),
      step('Runners without external IPs need Private Google Access (or a NAT) to reach *.pkg.dev and gcr.io.'),
    ],
    docs: [DOCS.troubleshoot],
  }),
  other: (t) => ({
    steps: [
      step('Check the Artifact Registry API is enabled in the project ("API has not been used in project … or it is disabled").', `gcloud services enable artifactregistry.googleapis.com --project=${t.project}`),
      step('Check the repository and its settings.', `gcloud artifacts repositories describe ${t.repoId} ${repoFlags(t)}`),
    ],
    docs: t.provider === 'gcr' ? [DOCS.gcrRepos, DOCS.troubleshoot] : [DOCS.troubleshoot, DOCS.pushPull],
  }),
};

export const garAdapter: ProviderAdapter = {
  id: 'gar',
  providers: ['gar', 'gcr'],
  displayName: (provider) => (provider === 'gcr' ? 'Google Container Registry' : 'Google Artifact Registry'),
  matchHost,
  logSignals,
  remediate: (context) => fromTable(table, context, readTarget),
};
