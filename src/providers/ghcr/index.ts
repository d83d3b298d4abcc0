// GitHub Container Registry (ghcr.io; docker.pkg.github.com is the legacy Docker registry of GitHub Packages).
import type { HostMatch, LogSignal, ProviderAdapter, RemediationContext } from '../types.js';
import { arg, bareHost, doc, firstSegment, fromTable, gatherKnown, step, type RemediationTable } from '../remediation-kit.js';

const GHCR_HOST = /^(?:ghcr\.io|docker\.pkg\.github\.com|pkg-containers\.githubusercontent\.com)$/;

function matchHost(host: string, repository: string): HostMatch | undefined {
  if (!GHCR_HOST.test(bareHost(host))) return undefined;
  const owner = firstSegment(repository);
  return owner ? { provider: 'ghcr', account: owner } : { provider: 'ghcr' };
}

const logSignals: readonly LogSignal[] = [
  /\bghcr\.io\b/,
  /installation not allowed to/i,
  /\bpackages: write\b/,
  /User cannot be authenticated with the token provided/i,
].map((pattern) => ({ pattern, provider: 'ghcr' as const }));

interface GhcrTarget {
  owner: string;
  /** Package name: the path below the owner. */
  packageName: string;
  /** The same, as written in package settings URLs (`/` encoded). */
  packageUrlName: string;
}

function readTarget(context: RemediationContext): GhcrTarget {
  const known = gatherKnown(context);
  const repository = known.repository ?? '';
  const owner = arg(known.account ?? firstSegment(repository), '<owner>');
  const packageName = arg(repository.slice(repository.indexOf('/') + 1) || undefined, '<package>');
  return { owner, packageName, packageUrlName: packageName.startsWith('<') ? packageName : encodeURIComponent(packageName) };
}

const DOCS = {
  registry: doc('Working with the Container registry', 'https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry'),
  actions: doc('Publishing and installing a package with GitHub Actions', 'https://docs.github.com/en/packages/managing-github-packages-using-github-actions-workflows/publishing-and-installing-a-package-with-github-actions'),
  access: doc("Configuring a package's access control and visibility", 'https://docs.github.com/en/packages/learn-github-packages/configuring-a-packages-access-control-and-visibility'),
  pat: doc('Managing your personal access tokens', 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens'),
};

const login = (t: GhcrTarget) => `echo "$GITHUB_TOKEN" | docker login ghcr.io -u ${t.owner === '<owner>' ? '<github-user>' : t.owner} --password-stdin`;

const WORKFLOW_PERMISSIONS = 'permissions:\n  contents: read\n  packages: write';

const table: RemediationTable<GhcrTarget> = {
  auth_missing: (t) => ({
    explanation: 'Docker has no credentials for ghcr.io.',
    steps: [
      step('Log in with the workflow\'s GITHUB_TOKEN (in Actions) or a personal access token (classic) with write:packages; the user name is your GitHub login.', login(t)),
      step('In a workflow, give the job the right to write packages.', WORKFLOW_PERMISSIONS),
    ],
    docs: [DOCS.registry, DOCS.actions],
  }),
  auth_expired: (t) => ({
    explanation: 'The token used to log in has expired (a personal access token past its expiry, or a GITHUB_TOKEN used after its job ended).',
    steps: [
      step('Create a new token with write:packages and log in again; in Actions, log in within the job that pushes.', login(t)),
    ],
    docs: [DOCS.pat, DOCS.registry],
  }),
  permission_denied: (t) => ({
    explanation: 'The token may not write this package: the workflow lacks `packages: write`, the PAT lacks `write:packages`, or the package does not grant this repository write access.',
    steps: [
      step('Give the job the permission in the workflow file.', WORKFLOW_PERMISSIONS),
      step('For a personal access token (classic), include the write:packages scope.'),
      step(
        `If the package already exists (created by another repository), add this repository with the Write role under the package's "Manage Actions access": https://github.com/orgs/${t.owner}/packages/container/${t.packageUrlName}/settings (for a user account: https://github.com/users/${t.owner}/packages/container/${t.packageUrlName}/settings).`,
      ),
      step('For "installation not allowed to Create organization package", an organization owner must allow members (or the app) to create packages in the organization\'s package settings.'),
    ],
    docs: [DOCS.access, DOCS.actions],
  }),
  repo_not_found: (t) => ({
    explanation: 'ghcr.io creates a package on first push; a missing one on pull means a typo, an upper-case owner name, or a private package the token cannot see.',
    steps: [
      step('Use the owner in lower case in the image name.', `docker tag <image> ghcr.io/${t.owner.toLowerCase()}/${t.packageName}:<tag>`),
    ],
    docs: [DOCS.registry],
  }),
};

export const ghcrAdapter: ProviderAdapter = {
  id: 'ghcr',
  providers: ['ghcr'],
  displayName: () => 'GitHub Container Registry',
  matchHost,
  logSignals,
  remediate: (context) => fromTable(table, context, readTarget),
};
