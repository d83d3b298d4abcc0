// Image references as users paste them, parsed with the Docker reference grammar. Pure.
// Which provider a host belongs to is decided by the provider adapters, never here.
import type { ImageRef } from './diagnosis.js';
import { providerAdapters } from '../providers/index.js';
import type { HostMatch } from '../providers/types.js';

export type ImageRefResult = { ok: true; ref: ImageRef } | { ok: false; error: string };

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

const SCHEME = /^(?:docker|oci|https?):\/\//i;
// A whole pasted command: `docker push ghcr.io/acme/app:1` names the image after the verb.
const PUSH_COMMAND = /^(?:\$\s+)?(?:sudo\s+)?(?:docker|podman|nerdctl|buildah)\s+(?:image\s+)?(?:push|pull)\s+(?:(?:-q|--quiet|--all-tags|-a)\s+)*(?=\S+$)/;
const WRAPPERS: Readonly<Record<string, string>> = { '"': '"', "'": "'", '`': '`', '[': ']', '(': ')', '<': '>', '{': '}' };

// Docker reference grammar (distribution/reference).
const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const HOST_IPV6 = /^\[[0-9a-f:.]+\]$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const DIGEST_HEX: Readonly<Record<string, { length: number; pattern: RegExp }>> = {
  sha256: { length: 64, pattern: /^[a-f0-9]{64}$/ },
  sha384: { length: 96, pattern: /^[a-f0-9]{96}$/ },
  sha512: { length: 128, pattern: /^[a-f0-9]{128}$/ },
};
const MAX_REPOSITORY = 255;

/** Strip surrounding quotes and brackets (logs write `[host/repo]`), and a Slack link's `<url|text>` form. */
function unwrap(input: string): string {
  let text = input.trim();
  for (;;) {
    const close = WRAPPERS[text.charAt(0)];
    if (close === undefined || text.length < 2 || !text.endsWith(close)) break;
    text = text.slice(1, -1).trim();
    if (close === '>' && text.includes('|')) text = text.slice(0, text.indexOf('|')).trim();
  }
  return text;
}

function stripScheme(text: string): string {
  let out = text;
  while (SCHEME.test(out)) out = out.replace(SCHEME, '');
  return out;
}

/** Validate a `host[:port]` and give it back lower-cased, or an error. */
function checkHost(raw: string): { host: string } | { error: string } {
  const host = raw.toLowerCase();
  let name = host;
  let port: string | undefined;
  const portMatch = /^(.*):(\d+)$/.exec(host);
  if (portMatch && !(host.startsWith('[') && !portMatch[1]!.endsWith(']'))) {
    name = portMatch[1]!;
    port = portMatch[2];
  }
  if (port !== undefined && (port.length > 5 || Number(port) > 65535 || Number(port) === 0)) {
    return { error: `invalid port in registry host "${raw}"` };
  }
  if (!HOST_NAME.test(name) && !HOST_IPV6.test(name)) return { error: `invalid registry host "${raw}"` };
  if (name.length > 253) return { error: `registry host "${raw}" is too long` };
  return { host: port === undefined ? name : `${name}:${port}` };
}

/** A registry host as the adapters see it: lower case, port kept, Docker Hub aliases folded into docker.io. */
export function normaliseHost(input: string): string | undefined {
  let text = stripScheme(unwrap(input));
  const slash = text.indexOf('/');
  if (slash >= 0) text = text.slice(0, slash);
  const at = text.lastIndexOf('@'); // user@host
  if (at >= 0) text = text.slice(at + 1);
  if (text === '') return undefined;
  const checked = checkHost(text);
  if ('error' in checked) return undefined;
  const bare = checked.host.replace(/:443$/, '');
  return DOCKER_HUB_ALIASES.has(bare) ? DOCKER_HUB : checked.host;
}

function matchProvider(host: string, repository: string): HostMatch {
  for (const adapter of providerAdapters) {
    const match = adapter.matchHost(host, repository);
    if (match) return match;
  }
  return { provider: 'other' };
}

/**
 * Which provider, account and region a registry host (as seen in a log: any case, maybe a port, maybe
 * `https://host/v2/…`) belongs to. Always answers; `{ provider: 'other' }` when no adapter knows it.
 */
export function identifyHost(host: string, repository?: string): HostMatch {
  // A masked or placeholder name (`<acr-name>.azurecr.io`, `***.dkr.ecr…`) fails the host grammar, but
  // its suffix still names the registry.
  const normal = normaliseHost(host) ?? stripScheme(unwrap(host)).split('/')[0]?.toLowerCase();
  if (!normal) return { provider: 'other' };
  let repo = repository;
  if (repo === undefined) {
    // A URL path: `/v2/<name>/(manifests|blobs|tags)/…` names the repository.
    const path = stripScheme(unwrap(host)).split('/').slice(1).join('/');
    const api = /^v2\/(.+?)\/(?:manifests|blobs|tags|referrers)\//.exec(path);
    repo = api?.[1] ?? '';
  }
  return matchProvider(normal, repo.toLowerCase());
}

function fail(error: string): ImageRefResult {
  return { ok: false, error };
}

/** Parse an image reference in any form a user pastes. */
export function parseImageRef(input: string): ImageRefResult {
  const text = stripScheme(unwrap(unwrap(input).replace(PUSH_COMMAND, '')));
  if (text === '') return fail('image reference is empty');
  if (/\s/.test(text)) return fail(`image reference "${text}" contains whitespace`);

  // name[:tag][@digest]
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const parts = DIGEST.exec(digest);
    if (!parts) return fail(`invalid digest "${digest}": expected algorithm:hex, e.g. sha256: and 64 hex digits`);
    const expected = DIGEST_HEX[parts[1]!];
    if (expected !== undefined && !expected.pattern.test(parts[2]!)) {
      return fail(`invalid digest "${digest}": ${parts[1]} needs ${expected.length} lower-case hex digits`);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      return fail(
        `invalid tag "${tag}": a tag is 1 to 128 letters, digits, "_", "." or "-", and must not start with "." or "-"`,
      );
    }
  }
  if (rest === '') return fail('repository name is empty');

  let host = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      const checked = checkHost(first);
      if ('error' in checked) return fail(checked.error);
      host = DOCKER_HUB_ALIASES.has(checked.host) ? DOCKER_HUB : checked.host;
      path = rest.slice(slash + 1);
    }
  }
  if (path === '') return fail('repository name is empty');
  const components = path.split('/');
  for (const component of components) {
    if (component === '') return fail(`repository name "${path}" has an empty path component`);
    if (/[A-Z]/.test(component)) return fail('upper-case letters are not allowed in a repository name');
    if (!PATH_COMPONENT.test(component)) {
      return fail(
        `invalid repository path component "${component}": use lower-case letters and digits, separated by ".", "_", "__" or "-"`,
      );
    }
  }
  if (host === DOCKER_HUB && components.length === 1) path = `library/${path}`;
  if (path.length > MAX_REPOSITORY) return fail(`repository name must not be more than ${MAX_REPOSITORY} characters`);

  const match = matchProvider(host, path);
  const ref: ImageRef = {
    reference: `${host}/${path}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`,
    host,
    provider: match.provider,
    repository: path,
  };
  if (match.account !== undefined) ref.account = match.account;
  if (match.region !== undefined) ref.region = match.region;
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return { ok: true, ref };
}

/** What could be read from a reference as pasted, and whether Docker itself would refuse it. */
export interface ImageReading {
  /** Host, provider, region, repository…: what the reference shows; masked parts are left out. */
  ref?: ImageRef;
  /** Why Docker would answer "invalid reference format", when it would. */
  invalid?: string;
}

/**
 * CI systems mask secrets and people paste templates: `***`, `[MASKED]`, `<account>`,
 * `$AWS_ACCOUNT_ID`, `${REGION}`, `${{ secrets.REGISTRY }}`. Such a part is unknown, not wrong.
 */
const MASK = /\*{2,}|\[(?:MASKED|REDACTED|secure)\]|<[\w .-]+>|\$\{\{[^}]*\}\}|\$\{?[A-Za-z_]\w*\}?/g;
const MASK_TOKEN = 'rdmasked';

/**
 * Read an image reference the way a person pasted it from a CI log: masked parts stay unknown (a masked
 * account is still ECR in its region); a reference Docker would refuse is read as far as it goes, and
 * the refusal is returned as `invalid`. Never fails on content; only an empty reference gives nothing.
 */
export function readImageRef(input: string): ImageReading {
  const strict = parseImageRef(input);
  if (strict.ok) return { ref: strict.ref };
  if (strict.error === 'image reference is empty') return {};

  const masks: string[] = [];
  const unmasked = maskedRegistryAsHost(input.replace(MASK, (mask) => `${MASK_TOKEN}${masks.push(mask) - 1}x`), masks);
  if (masks.length > 0) {
    const parsed = parseImageRef(unmasked);
    if (parsed.ok) return { ref: restoreMasks(parsed.ref, masks) };
  }

  // Docker refuses the reference; read what it names anyway (its host, provider and repository).
  const lenient = parseImageRef(lenientReference(unmasked));
  const invalid = dockerRefusal(input, strict.error);
  return lenient.ok ? { ref: restoreMasks(lenient.ref, masks), invalid } : { invalid };
}

/**
 * Whether a reference written without a registry host names a Docker Hub repository. Docker reads a first
 * component without '.' or ':' that is not 'localhost' as a path on docker.io (distribution/reference,
 * ParseNormalizedNamed and splitDockerDomain), also when its namespace is masked (`***` for a
 * Docker Hub user name). Not so when Docker Hub could not hold the path, whose form is [NAMESPACE/]REPOSITORY
 * (https://docs.docker.com/engine/reference/commandline/image_tag/): a third component means the registry
 * host was left out or replaced by a word (`myregistry/team/app`); nor when the whole name is one mask
 * (`<REDACTED>`, `${IMAGE}`), which may hide a host.
 */
export function isDockerHubByDefault(input: string): boolean {
  const text = stripScheme(unwrap(unwrap(input).replace(PUSH_COMMAND, '')));
  const nameOf = (reference: string): string => reference.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  const name = nameOf(text);
  // (`<REDACTED>` is a mask, not a name in brackets.)
  if (WHOLE_MASK.test(name) || WHOLE_MASK.test(nameOf(input.trim()))) return false;
  const components = name.replace(MASK, MASK_TOKEN).split('/');
  const first = components[0]!;
  if (components.length > 2 || (components.length === 2 && (/[.:]/.test(first) || first === 'localhost'))) return false;
  return readImageRef(text).ref?.host === DOCKER_HUB;
}
const WHOLE_MASK = new RegExp(`^(?:${MASK.source})$`);

/**
 * A masked first component is a registry host when the name has more components than Docker Hub allows
 * (three masked parts, as GitHub Actions prints them) or the variable says so (`$REGISTRY/app`): the
 * host is unknown, not Docker Hub.
 */
function maskedRegistryAsHost(text: string, masks: readonly string[]): string {
  const first = new RegExp(`^(${MASK_TOKEN}(\\d+)x)/`).exec(text);
  if (!first) return text;
  const components = text.split('@')[0]!.split('/').length;
  const named = /REGISTRY|HOST|SERVER|DOMAIN|ECR|ACR|GCR|URL/i.test(masks[Number(first[2])] ?? '');
  return components >= 3 || named ? `${first[1]}${MASKED_HOST_SUFFIX}${text.slice(first[1]!.length)}` : text;
}
const MASKED_HOST_SUFFIX = '.invalid';

/** The reference as Docker would have needed it: no spaces, a lower-case name, no tag it cannot take. */
function lenientReference(text: string): string {
  // A stray space (`app: 1.0`, a variable holding a space) is read through; three words or more are prose,
  // not a reference.
  let rest = stripScheme(unwrap(unwrap(text).replace(PUSH_COMMAND, ''))).replace(/\s*([/:@])\s*/g, '$1');
  if ((rest.match(/\s+/g) ?? []).length > 1) return '';
  rest = rest.replace(/\s+/g, '');
  let suffix = '';
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at); // a broken digest says nothing about the registry
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    const tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (TAG.test(tag)) suffix = `:${tag}`;
  }
  return `${rest.toLowerCase()}${suffix}`;
}

function dockerRefusal(input: string, error: string): string {
  if (/upper-case/.test(error)) return 'invalid reference format: repository name must be lowercase';
  const tag = /^invalid tag "([^"]*)"/.exec(error)?.[1];
  if (tag !== undefined && (tag === '' || /^[-.]/.test(tag))) {
    return `invalid reference format: the tag "${tag}" ${tag === '' ? 'is empty' : `starts with "${tag.charAt(0)}"`}, as when a variable in the tag template expanded to nothing (\`\${BRANCH}-\${SHA}\` with BRANCH unset gives ":-abc123")`;
  }
  return `invalid reference format: ${error}${/\s/.test(input.trim()) ? ' (a variable with a space, or two words where one was meant?)' : ''}`;
}

function restoreMasks(ref: ImageRef, masks: readonly string[]): ImageRef {
  if (masks.length === 0) return ref;
  const token = new RegExp(`${MASK_TOKEN}(\\d+)x(?:\\${MASKED_HOST_SUFFIX})?`, 'g');
  const restore = (text: string): string => text.replace(token, (_, index: string) => masks[Number(index)] ?? '');
  const masked = (text: string | undefined): boolean => text !== undefined && text.includes(MASK_TOKEN);
  const out: ImageRef = { ...ref, reference: restore(ref.reference), host: restore(ref.host), repository: restore(ref.repository) };
  if (masked(ref.account)) delete out.account;
  if (masked(ref.region)) delete out.region;
  if (masked(ref.tag)) delete out.tag;
  return out;
}
