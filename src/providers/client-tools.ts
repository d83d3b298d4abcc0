// Remediation in the words of the client that failed. Providers write their commands for the Docker CLI;
// here each `docker login|tag|push|image ls|buildx build` line is said again for podman, buildah, skopeo,
// crane, kaniko, jib, helm, oras or ko, so a `helm push` failure never gets `docker tag` advice. Pure.
import type { ClientTool } from '../engine/client-tool.js';
import type { RemediationStep } from '../engine/diagnosis.js';
import type { ProviderRemediation } from './types.js';
import { doc, step } from './remediation-kit.js';

/** `LEFT | docker login [-u USER] --password-stdin [https://]HOST`, or `docker login HOST`. */
interface Login {
  /** The command that prints the password (left of the pipe), when there is one. */
  passwordFrom?: string;
  user?: string;
  host: string;
  /** The options exactly as written, for tools whose login takes Docker's (`-u`, `--password-stdin`). */
  options: string;
}

const LOGIN_LINE = /^(?:(.+?)\s*\|\s*)?docker login\s+(.*)$/;

function parseLogin(line: string): Login | undefined {
  const match = LOGIN_LINE.exec(line.trim());
  if (!match) return undefined;
  const [, passwordFrom, rest = ''] = match;
  const words = rest.split(/\s+/).filter(Boolean);
  let user: string | undefined;
  let host = 'REGISTRY';
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (word === '-u' || word === '--username') user = words[++i];
    else if (word.startsWith('--username=')) user = word.slice('--username='.length);
    else if (!word.startsWith('-')) host = word.replace(/^https?:\/\//, '');
  }
  return { ...(passwordFrom ? { passwordFrom } : {}), ...(user ? { user } : {}), host, options: rest };
}

/** Base64 of `user:password` for a Docker config file, from what the login line knew. */
function authValue(login: Login): string {
  const password = login.passwordFrom ? `"$(${login.passwordFrom})"` : '"$REGISTRY_PASSWORD"';
  return `$(printf '%s:%s' "${login.user ?? '$REGISTRY_USER'}" ${password} | base64 -w0)`;
}

interface ToolWords {
  /** What replaces `docker login` (the options are kept), or how to give credentials another way. */
  login: (login: Login) => string;
  tag: (from: string, to: string) => string;
  push: (ref: string) => string;
  debugPush: (ref: string) => string;
  listImages?: (repository: string) => string;
  /** Build and push in one go (what `docker buildx build --push` does). */
  buildPush: (ref: string, options: string) => string;
  /** A step added in front when the tool's way differs in kind (kaniko and jib have no login command). */
  note?: RemediationStep;
  docs: ReturnType<typeof doc>[];
}

const sameLogin = (prefix: string) => (l: Login) => `${l.passwordFrom ? `${l.passwordFrom} | ` : ''}${prefix} ${l.options}`.trim();

const TOOLS: Record<Exclude<ClientTool, 'docker' | 'buildx'>, ToolWords> = {
  podman: {
    login: sameLogin('podman login'),
    tag: (from, to) => `podman tag ${from} ${to}`,
    push: (ref) => `podman push ${ref}`,
    debugPush: (ref) => `podman --log-level=debug push ${ref}`,
    listImages: (repo) => `podman images ${repo}`.trimEnd(),
    buildPush: (ref) => `podman build -t ${ref} . && podman push ${ref}`,
    docs: [doc('podman push', 'https://docs.podman.io/en/latest/markdown/podman-push.1.html')],
  },
  buildah: {
    login: sameLogin('buildah login'),
    tag: (from, to) => `buildah tag ${from} ${to}`,
    push: (ref) => `buildah push ${ref}`,
    debugPush: (ref) => `buildah --log-level=debug push ${ref}`,
    listImages: (repo) => `buildah images ${repo}`.trimEnd(),
    buildPush: (ref) => `buildah build -t ${ref} . && buildah push ${ref}`,
    docs: [doc('podman push (buildah push takes the same options)', 'https://docs.podman.io/en/latest/markdown/podman-push.1.html')],
  },
  skopeo: {
    login: sameLogin('skopeo login'),
    tag: (from, to) => `skopeo copy docker://${from} docker://${to}`,
    push: (ref) => `skopeo copy oci-archive:image.tar docker://${ref}`,
    debugPush: (ref) => `skopeo --debug copy oci-archive:image.tar docker://${ref}`,
    buildPush: (ref) => `skopeo copy oci-archive:image.tar docker://${ref}`,
    docs: [doc('skopeo login', 'https://github.com/containers/skopeo/blob/main/docs/skopeo-login.1.md')],
  },
  crane: {
    login: (l) => `${l.passwordFrom ? `${l.passwordFrom} | ` : ''}crane auth login ${l.host} -u ${l.user ?? '"$REGISTRY_USER"'} ${l.passwordFrom ? '--password-stdin' : '-p "$REGISTRY_PASSWORD"'}`,
    tag: (from, to) => `crane copy ${from} ${to}`,
    push: (ref) => `crane push image.tar ${ref}`,
    debugPush: (ref) => `crane push -v image.tar ${ref}`,
    buildPush: (ref) => `crane push image.tar ${ref}`,
    docs: [doc('crane auth login', 'https://github.com/google/go-containerregistry/blob/main/cmd/crane/doc/crane_auth_login.md')],
  },
  kaniko: {
    login: (l) => `mkdir -p /kaniko/.docker && echo "{\\"auths\\":{\\"${l.host}\\":{\\"auth\\":\\"${authValue(l)}\\"}}}" > /kaniko/.docker/config.json`,
    tag: (_from, to) => `/kaniko/executor --context . --destination ${to}`,
    push: (ref) => `/kaniko/executor --context . --destination ${ref}`,
    debugPush: (ref) => `/kaniko/executor --context . --destination ${ref} --verbosity=debug`,
    buildPush: (ref) => `/kaniko/executor --context . --destination ${ref}`,
    note: step('kaniko has no login command: it reads credentials from /kaniko/.docker/config.json (or a credential helper named there) when it pushes.'),
    docs: [doc('kaniko: pushing to different registries', 'https://github.com/GoogleContainerTools/kaniko#pushing-to-different-registries')],
  },
  jib: {
    login: (l) =>
      `mvn compile jib:build -Dimage=${l.host}/REPOSITORY -Djib.to.auth.username=${l.user ?? '"$REGISTRY_USER"'} -Djib.to.auth.password=${l.passwordFrom ? `"$(${l.passwordFrom})"` : '"$REGISTRY_PASSWORD"'}`,
    tag: (_from, to) => `mvn compile jib:build -Dimage=${to}`,
    push: (ref) => `mvn compile jib:build -Dimage=${ref}`,
    debugPush: (ref) => `mvn -X compile jib:build -Dimage=${ref}`,
    buildPush: (ref) => `mvn compile jib:build -Dimage=${ref}`,
    note: step('Jib pushes without a Docker daemon: it takes credentials from jib.to.auth, a credential helper (jib.to.credHelper) or ~/.docker/config.json. (Gradle: ./gradlew jib with the same properties.)'),
    docs: [doc('Jib: authentication methods', 'https://github.com/GoogleContainerTools/jib/blob/master/jib-maven-plugin/README.md#authentication-methods')],
  },
  helm: {
    login: (l) => `${l.passwordFrom ? `${l.passwordFrom} | ` : ''}helm registry login ${l.host} --username ${l.user ?? '"$REGISTRY_USER"'} ${l.passwordFrom ? '--password-stdin' : '--password "$REGISTRY_PASSWORD"'}`,
    // A chart's OCI tag is its version: a new tag is a new version in Chart.yaml.
    tag: (_from, to) => `helm package ./CHART_DIR --version NEW_VERSION && helm push CHART-NEW_VERSION.tgz oci://${parentOf(to)}`,
    push: (ref) => `helm push CHART-VERSION.tgz oci://${parentOf(ref)}`,
    debugPush: (ref) => `helm push --debug CHART-VERSION.tgz oci://${parentOf(ref)}`,
    buildPush: (ref) => `helm package ./CHART_DIR && helm push CHART-VERSION.tgz oci://${parentOf(ref)}`,
    docs: [doc('Helm: use OCI-based registries', 'https://helm.sh/docs/topics/registries/')],
  },
  oras: {
    login: sameLogin('oras login'),
    tag: (from, to) => `oras tag ${from} ${to.slice(to.lastIndexOf(':') + 1)}`,
    push: (ref) => `oras push ${ref} FILE`,
    debugPush: (ref) => `oras push --debug ${ref} FILE`,
    buildPush: (ref) => `oras push ${ref} FILE`,
    docs: [doc('oras login', 'https://oras.land/docs/commands/oras_login')],
  },
  ko: {
    login: (l) => `${l.passwordFrom ? `${l.passwordFrom} | ` : ''}ko login ${l.host} --username ${l.user ?? '"$REGISTRY_USER"'} ${l.passwordFrom ? '--password-stdin' : '--password "$REGISTRY_PASSWORD"'}`,
    tag: (_from, to) => `KO_DOCKER_REPO=${repoOf(to)} ko build --bare --tags ${to.slice(to.lastIndexOf(':') + 1)} ./CMD_PATH`,
    push: (ref) => `KO_DOCKER_REPO=${repoOf(ref)} ko build --bare ./CMD_PATH`,
    debugPush: (ref) => `KO_DOCKER_REPO=${repoOf(ref)} ko build --bare -v ./CMD_PATH`,
    buildPush: (ref) => `KO_DOCKER_REPO=${repoOf(ref)} ko build --bare ./CMD_PATH`,
    docs: [doc('ko: authenticating to registries', 'https://ko.build/configuration/')],
  },
};

/** `host/a/b:tag` → `host/a/b` (the repository, for KO_DOCKER_REPO). */
function repoOf(ref: string): string {
  const at = ref.split('@')[0]!;
  const colon = at.lastIndexOf(':');
  return colon > at.lastIndexOf('/') ? at.slice(0, colon) : at;
}

/** `host/charts/app:1.0` → `host/charts` (helm push takes the parent, the chart's name is appended). */
function parentOf(ref: string): string {
  const repo = repoOf(ref);
  const slash = repo.lastIndexOf('/');
  return slash > 0 ? repo.slice(0, slash) : repo;
}

function translateLine(line: string, words: ToolWords): string {
  const login = parseLogin(line);
  if (login) return words.login(login);
  const indent = /^\s*/.exec(line)![0];
  const body = line.trim();
  let match: RegExpExecArray | null;
  if ((match = /^docker (?:image )?tag (\S+) (\S+(?:\$\([^)]*\))?)$/.exec(body))) return indent + words.tag(match[1]!, match[2]!);
  if ((match = /^docker --debug (?:image )?push (\S+)$/.exec(body))) return indent + words.debugPush(match[1]!);
  if ((match = /^docker (?:image )?push (\S+)$/.exec(body))) return indent + words.push(match[1]!);
  if ((match = /^docker buildx build (.*?)-t (\S+)(.*)--push \.$/.exec(body))) return indent + words.buildPush(match[2]!, `${match[1]}${match[3]}`.trim());
  if ((match = /^docker (?:image ls|images)\s*(\S*)$/.exec(body))) return indent + (words.listImages?.(match[1] ?? '') ?? `# ${body}`);
  return line;
}

/** Whether a command still speaks Docker CLI after translation (then the step is Docker-only advice). */
const DOCKER_ONLY = /^\s*docker (?!buildx imagetools)|\|\s*docker /m;

function translateStep(s: RemediationStep, words: ToolWords): RemediationStep | undefined {
  if (s.command === undefined) return s;
  const command = s.command
    .split('\n')
    .map((line) => translateLine(line, words))
    .join('\n');
  // Advice with no equivalent in this tool (daemon settings, `docker buildx imagetools`) is left out rather than misleading.
  if (DOCKER_ONLY.test(command)) return undefined;
  return { ...s, command };
}

/**
 * The remediation said for the tool that failed. Docker and buildx are what providers write for; any other
 * tool gets its own commands, its own note where its way differs, and its reference first among the docs.
 */
export function forClientTool(remediation: ProviderRemediation, tool: ClientTool | undefined): ProviderRemediation {
  if (tool === undefined || tool === 'docker' || tool === 'buildx') return remediation;
  const words = TOOLS[tool];
  const steps = remediation.steps.map((s) => translateStep(s, words)).filter((s): s is RemediationStep => s !== undefined);
  const usesLogin = remediation.steps.some((s) => s.command !== undefined && parseLogin(s.command.split('\n').find((l) => LOGIN_LINE.test(l.trim())) ?? '') !== undefined);
  return {
    ...remediation,
    steps: words.note && usesLogin ? [words.note, ...steps] : steps,
    docs: [...words.docs, ...remediation.docs],
  };
}
