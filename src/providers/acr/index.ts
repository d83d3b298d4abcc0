// Azure Container Registry: login servers (public and sovereign clouds), data endpoints, geo-replicas.
import type { HostMatch, LogSignal, ProviderAdapter, RemediationContext } from '../types.js';
import { arg, bareHost, doc, fromTable, gatherKnown, ipArg, isSafeArg, step, type RemediationTable } from '../remediation-kit.js';

// NAME[-HASH][.REGION.(data|geo)|.privatelink].azurecr.(io|cn|us|de). Registry names are 5–50
// alphanumerics, so a `-` can only start the hash suffix of a login server with a domain-name-label
// scope. Pasted logs mask the name (`<acr-name>`, `***`): still ACR, the name stays unknown.
const ACR_HOST = /^([^.]+?)(?:-[a-z0-9]+)?(?:\.([a-z0-9]+)\.(?:data|geo)|\.privatelink)?\.azurecr\.(?:io|cn|us|de)$/;
const REGISTRY_NAME = /^[a-z0-9]{5,50}$/;

function matchHost(host: string): HostMatch | undefined {
  const match = ACR_HOST.exec(bareHost(host));
  if (!match) return undefined;
  const name = match[1] ?? '';
  const result: HostMatch = { provider: 'acr', ...(REGISTRY_NAME.test(name) ? { account: name } : {}) };
  if (match[2]) result.region = match[2];
  return result;
}

const logSignals: readonly LogSignal[] = [
  /aka\.ms\/acr/i,
  /\bCONNECTIVITY_[A-Z_]+_ERROR\b/,
  /\baz acr\b/,
  /\bAzure\.RequestFailedException\b/,
  /azurecr\b/i,
  /^##\[section\]/,
  /The process '\/usr\/bin\/docker' failed with exit code/,
  /\bTasksOperationsNotAllowed\b/,
  // The Azure CLI's and ACR's own wording: its AAD token exchange and its resource provider.
  /\bAAD\b/,
  /\bAzureContainerRegistry\b/,
  /\bMicrosoft\.ContainerRegistry\b/,
].map((pattern) => ({ pattern, provider: 'acr' as const }));

// ---------------------------------------------------------------------------------------------------

const NAME = /^[a-z0-9]{5,50}$/i;

interface AcrTarget {
  name: string;
  loginServer: string;
  repository: string;
  tag: string;
  assignee: string;
  clientIp: string;
}

function readTarget(context: RemediationContext): AcrTarget {
  const known = gatherKnown(context);
  const host = known.host ? bareHost(known.host) : undefined;
  const fromHost = host ? ACR_HOST.exec(host)?.[1] : undefined;
  const name = arg(known.account ?? fromHost, '<registry-name>', NAME).toLowerCase();
  const loginServer = host !== undefined && ACR_HOST.test(host) && !/\.(?:data|geo)\./.test(host);
  // A configured entry's host is where Docker logs in, whatever its domain (a custom domain, a proxy).
  const configured = host !== undefined && context.image?.registry !== undefined && isSafeArg(host);
  const safeHost = loginServer || configured ? host : undefined;
  return {
    name,
    loginServer: safeHost ?? (name.startsWith('<') ? '<registry-name>.azurecr.io' : `${name}.azurecr.io`),
    repository: arg(known.repository, '<repository>'),
    tag: arg(known.tag, '<tag>'),
    assignee: arg(known.principal, '<principal-id>'),
    clientIp: ipArg(known.clientIp),
  };
}

const registryId = (t: AcrTarget) => `$(az acr show --name ${t.name} --query id --output tsv)`;

const DOCS = {
  login: doc('Troubleshoot registry login', 'https://learn.microsoft.com/azure/container-registry/container-registry-troubleshoot-login'),
  access: doc('Troubleshoot network issues with a registry', 'https://learn.microsoft.com/azure/container-registry/container-registry-troubleshoot-access'),
  authentication: doc('Authenticate with an Azure container registry', 'https://learn.microsoft.com/azure/container-registry/container-registry-authentication'),
  roles: doc('Azure Container Registry roles and permissions', 'https://learn.microsoft.com/azure/container-registry/container-registry-roles'),
  lock: doc('Lock a container image in an Azure container registry', 'https://learn.microsoft.com/azure/container-registry/container-registry-image-lock'),
  networks: doc('Configure public registry network access', 'https://learn.microsoft.com/azure/container-registry/container-registry-access-selected-networks'),
  firewall: doc('Configure rules to access an Azure container registry behind a firewall', 'https://learn.microsoft.com/azure/container-registry/container-registry-firewall-access-rules'),
  skus: doc('Azure Container Registry service tiers (limits)', 'https://learn.microsoft.com/azure/container-registry/container-registry-skus'),
  health: doc('Check the health of an Azure container registry', 'https://learn.microsoft.com/azure/container-registry/container-registry-check-health'),
  healthErrors: doc('Health check error reference', 'https://learn.microsoft.com/azure/container-registry/container-registry-health-error-reference'),
  performance: doc('Troubleshoot registry performance', 'https://learn.microsoft.com/azure/container-registry/container-registry-troubleshoot-performance'),
  purge: doc('Automatically purge images from an Azure container registry', 'https://learn.microsoft.com/azure/container-registry/container-registry-auto-purge'),
};

const table: RemediationTable<AcrTarget> = {
  auth_missing: (t) => ({
    explanation: `Docker has no credentials for ${t.loginServer}.`,
    steps: [
      step('Log in through the Azure CLI (it writes a token into Docker\'s credentials).', `az acr login --name ${t.name}`),
      step(
        'Where the CLI cannot reach a Docker daemon (CI containers, podman), get the token and log in with it.',
        `az acr login --name ${t.name} --expose-token --output tsv --query accessToken | docker login ${t.loginServer} --username 00000000-0000-0000-0000-000000000000 --password-stdin`,
      ),
    ],
    docs: [DOCS.authentication, DOCS.login],
  }),
  auth_expired: (t) => ({
    explanation: 'The token from `az acr login` is valid for 3 hours; a service principal secret or repository-scoped token may also have expired.',
    steps: [
      step('Log in again right before the push.', `az acr login --name ${t.name}`),
      step('If a service principal logs in, check when its secret expires (and reset it if it has).', `az ad app credential list --id ${t.assignee === '<principal-id>' ? '<app-id>' : t.assignee}`),
    ],
    docs: [DOCS.login, DOCS.authentication],
  }),
  permission_denied: (t) => ({
    explanation: 'The identity is signed in but holds no role that allows push on this registry (AcrPush, or Container Registry Repository Writer on ABAC-enabled registries).',
    steps: [
      step('Grant AcrPush on the registry.', `az role assignment create --assignee ${t.assignee} --role AcrPush --scope ${registryId(t)}`),
      step('See which roles the identity holds there now.', `az role assignment list --assignee ${t.assignee} --scope ${registryId(t)} --output table`),
      step('If the registry uses ABAC repository permissions, AcrPush is not honoured: assign "Container Registry Repository Writer" instead.'),
    ],
    docs: [DOCS.roles, DOCS.login],
  }),
  repo_not_found: (t) => ({
    explanation: 'ACR creates repositories on push, so a missing repository usually means a wrong registry name, a typo in the path, or a pull of something never pushed.',
    steps: [
      step('Check the registry exists under that name.', `az acr show --name ${t.name} --query loginServer --output tsv`),
      step('List its repositories.', `az acr repository list --name ${t.name} --output table`),
    ],
    docs: [DOCS.login],
  }),
  tag_immutable: (t) => ({
    explanation: 'The tag is locked (write-enabled is false), so it cannot be overwritten.',
    steps: [
      step('Push under a new tag, or see the lock on the existing one.', `az acr repository show --name ${t.name} --image ${t.repository}:${t.tag}`),
      step('Unlock the tag if overwriting it is intended.', `az acr repository update --name ${t.name} --image ${t.repository}:${t.tag} --write-enabled true`),
    ],
    docs: [DOCS.lock],
  }),
  repo_locked: (t) => ({
    explanation: 'The repository or tag is locked against writes (writeEnabled: false): pushes are refused with "The operation is disallowed on this registry, repository or image".',
    steps: [
      step('See the lock attributes of the repository.', `az acr repository show --name ${t.name} --repository ${t.repository}`),
      step('Unlock the repository.', `az acr repository update --name ${t.name} --repository ${t.repository} --write-enabled true`),
      step('A single locked tag is unlocked on the image instead.', `az acr repository update --name ${t.name} --image ${t.repository}:${t.tag} --write-enabled true`),
    ],
    docs: [DOCS.lock],
  }),
  quota_exceeded: (t) => ({
    explanation: 'The registry reached the storage included in its service tier.',
    steps: [
      step('See storage used against the limit.', `az acr show-usage --name ${t.name} --output table`),
      step('Remove old images (here: untagged manifests and tags older than 30 days in the repository).', `az acr run --registry ${t.name} --cmd "acr purge --filter '${t.repository}:.*' --ago 30d --untagged" /dev/null`),
      step('Or move to a tier with more storage.', `az acr update --name ${t.name} --sku Premium`),
    ],
    docs: [DOCS.skus, DOCS.purge],
  }),
  rate_limited: (t) => ({
    explanation: 'ACR throttled the requests (429): read/write operations per minute depend on the service tier.',
    steps: [
      step('Retry with backoff and push fewer layers at once (Docker: `max-concurrent-uploads`).', '{ "max-concurrent-uploads": 2 }'),
      step('Check the tier; Standard and Premium allow more operations per minute.', `az acr show --name ${t.name} --query sku.name --output tsv`),
    ],
    docs: [DOCS.skus, DOCS.performance],
  }),
  firewall_denied: (t) => ({
    explanation: `The registry firewall refused the client${t.clientIp === '<client-ip>' ? '' : ` ${t.clientIp}`}: public network access is off, or the IP is not in the allowed rules.`,
    steps: [
      step('See the current network rules and default action.', `az acr network-rule list --name ${t.name}`),
      step('Allow the runner\'s address.', `az acr network-rule add --name ${t.name} --ip-address ${t.clientIp}`),
      step(
        'Or, if public access is switched off entirely and you decide to open it (trade-off: the registry is then reachable from the internet, subject to the rules), enable it.',
        `az acr update --name ${t.name} --public-network-enabled true`,
      ),
      step(`With dedicated data endpoints, the firewall in front of the runner must also allow ${t.name}.REGION.data.azurecr.io.`),
    ],
    docs: [DOCS.networks, DOCS.firewall, DOCS.access],
  }),
  network: (t) => ({
    explanation: `The runner could not reach ${t.loginServer} (DNS, TCP or TLS); with a private endpoint, DNS must resolve to the private address.`,
    steps: [
      step('Run the registry health check from the runner.', `az acr check-health --name ${t.name} --ignore-errors --yes`),
      step('Check DNS, TCP and TLS directly (a 401 answer means the network is fine).', `curl -v https://${t.loginServer}/v2/`),
    ],
    docs: [DOCS.health, DOCS.healthErrors, DOCS.access],
  }),
  other: (t) => ({
    steps: [step('Run the registry health check for hints.', `az acr check-health --name ${t.name} --ignore-errors --yes`)],
    docs: [DOCS.health, DOCS.healthErrors],
  }),
};

export const acrAdapter: ProviderAdapter = {
  id: 'acr',
  providers: ['acr'],
  displayName: () => 'Azure Container Registry',
  matchHost,
  logSignals,
  remediate: (context: RemediationContext) => fromTable(table, context, readTarget),
};
