// Secrets out of log excerpts, Slack text and stored payloads. Pure and fast: the patterns are compiled
// once; each replaces only the secret, keeping key names and surrounding evidence visible.

export const REDACTED = '[REDACTED]';

/**
 * One kind of secret. `pattern` is global; when it has a named group `secret`, only that group is
 * replaced, and `pre`/`post` groups are kept around it. Without a `secret` group the whole match goes.
 * `keep` may veto a match (a `$VARIABLE`, an already masked value).
 */
export interface RedactionPattern {
  id: string;
  description: string;
  pattern: RegExp;
  keep?: (secret: string) => boolean;
}

/** A value that is a reference or an existing mask, not a secret: keep it (it is evidence). */
function isNotASecret(value: string): boolean {
  const v = value.replace(/^["']|["']$/g, '');
  return (
    v === '' ||
    v.startsWith('$') ||
    v.startsWith('%') ||
    v.startsWith('<') ||
    v.startsWith('{{') ||
    /^\[(?:REDACTED|MASKED|FILTERED|SECURE)\]$/i.test(v) ||
    /^\*+$/.test(v) ||
    /^(?:true|false|null|none|nil|undefined|required|optional|yes|no)$/i.test(v)
  );
}

// A bare value runs through `&` and `,` (`PASSWORD=abc&more` is one value) unless the next `key=` or a space follows.
const BARE_VALUE = String.raw`(?:[^\s"'&;,)}\]]|[&,](?![A-Za-z_][\w.-]*=|[\s,&]|$))+`;
// The rest of a value whose opening quote came before the user name (`"user:pass word"`): words up to the
// closing quote, or one bare word.
const QUOTED_WORDS = String.raw`[^\s"']+(?:[ \t]+[^\s"'-][^\s"']*)*(?=["'])|[^\s"']+`;
const QUOTED_OR_BARE = String.raw`(?:"[^"\r\n]*"|'[^'\r\n]*'|\[[A-Za-z]+\]|${BARE_VALUE})`;
// Key names whose value is a secret (bounded, so a long word cannot make matching quadratic). Keys ending in
// _id, _type, _url, _file, _name, _stdin… after the secret-ish word are not: see isNotASecretKey.
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]{0,40}?(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|auth[_-]?key|session[_-]?key|signature|credentials?_?json|dockerconfigjson|dockercfg)[A-Za-z0-9_.-]{0,40}`;
const KEYWORD = /(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|auth[_-]?key|session[_-]?key|signature|credentials?_?json|dockerconfigjson|dockercfg)/gi;
/** What follows the last secret-ish word of a key name when the key names something else (`token_type`, `secret_name`). */
const NOT_A_SECRET_SUFFIX = /^[_.-]?(?:id|type|url|uri|endpoint|path|file|name|stdin|expiry|expires|expires_in|expires_at|length|env|var|ttl|policy|hint|less|required|set)$/i;

/** A key like `token_type` or `private_key_id` holds no secret even though it contains a secret-ish word. */
function isNotASecretKey(key: string): boolean {
  let tail = key;
  for (const match of key.matchAll(KEYWORD)) tail = key.slice((match.index ?? 0) + match[0].length);
  return NOT_A_SECRET_SUFFIX.test(tail);
}

export const REDACTION_PATTERNS: readonly RedactionPattern[] = [
  {
    id: 'pem-private-key',
    description: 'PEM private key blocks, also across lines and with escaped \\n (JSON key files)',
    pattern: /(?<pre>-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(?<secret>(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----)){0,20000}?)(?<post>-----END [A-Z0-9 ]*PRIVATE KEY-----)/g,
  },
  {
    id: 'pem-private-key-truncated',
    description: 'a PEM private key whose END line was cut off',
    pattern: /(?<pre>-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(?<secret>(?:\\n|\\r|\s|[A-Za-z0-9+/=])+)/g,
  },
  {
    id: 'json-private-key',
    description: 'private_key / private_key_id values of a service-account JSON key',
    pattern: /(?<pre>\\?"private_key(?:_id)?\\?"[ \t]*:[ \t]*\\?")(?<secret>(?:[^"\\]|\\[^"])+)(?<post>\\?")/g,
    keep: (s) => s === REDACTED || s.includes(REDACTED),
  },
  {
    id: 'url-password',
    description: 'passwords in URLs: scheme://user:password@host',
    pattern: /(?<pre>\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]+:)(?<secret>[^\s@/"'<>]+)(?<post>@)(?![a-z0-9]+:[a-f0-9]{32,})/gi,
    keep: isNotASecret,
  },
  {
    id: 'gitlab-ci-token-userinfo',
    description: 'gitlab-ci-token:PASSWORD@ without a scheme',
    pattern: /(?<pre>\bgitlab-ci-token:)(?<secret>[^\s@/"'<>]+)(?<post>@)/g,
    keep: isNotASecret,
  },
  {
    id: 'authorization-header',
    description: 'Authorization / Proxy-Authorization header credentials (Bearer, Basic, token…)',
    pattern: /(?<pre>\b(?:Proxy-)?Authorization[ \t]*[:=][ \t]*["']?(?:Bearer|Basic|Token|Digest|Negotiate|AWS4-HMAC-SHA256)?[ \t]*)(?<secret>[^\s"',]+(?:,[ \t]*[^\s"',]+)*)/gi,
    keep: isNotASecret,
  },
  {
    id: 'bearer-basic-token',
    description: 'a Bearer/Basic credential outside an Authorization header',
    pattern: /(?<pre>\b(?:Bearer|Basic)[ \t]+)(?!realm\b|error\b|scope\b|service\b)(?<secret>(?=[A-Za-z0-9._~+/-]*(?:\d|[A-Z][a-z]|[a-z][A-Z]|[._~+/-]))[A-Za-z0-9._~+/-]{8,}=*)/g,
  },
  {
    id: 'jwt',
    description: 'JSON Web Tokens (header.payload.signature), also one cut short after its payload began',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*)?/g,
  },
  {
    id: 'aws-access-key-id',
    description: 'AWS access key ids (AKIA long-term, ASIA temporary)',
    // Bounded by what cannot continue a key id, not by \b: a key glued to lower-case text still ends there.
    pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g,
  },
  {
    id: 'aws-session-token',
    description: 'AWS session tokens by their fixed prefix',
    pattern: /\b(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE|FQoGZXIvYXdzE)[A-Za-z0-9+/=]{20,}/g,
  },
  {
    id: 'github-token',
    description: 'GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
  },
  {
    id: 'gitlab-token',
    description: 'GitLab tokens (glpat-, gldt-, glcbt-, glrt-, gloas-, glptt-, glft-, glimt-, glagent-, glsoat-, glffct-, glwt- …) and runner registration tokens',
    pattern: /\b(?:gl(?:pat|dt|cbt|rt|rtr|oas|ptt|ft|imt|agent|soat|ffct|wt|cic)-[A-Za-z0-9_.-]{16,}|GR1348941[A-Za-z0-9_-]{20,})/g,
  },
  {
    id: 'slack-token',
    description: 'Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp-) and webhook URL secrets',
    pattern: /\b(?:xox[abprse](?:\.[A-Za-z0-9-]+)?-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,})/g,
  },
  {
    id: 'slack-webhook',
    description: 'the secret part of a Slack incoming-webhook URL',
    pattern: /(?<pre>hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Z0-9]+\/[A-Z0-9]+\/)(?<secret>[A-Za-z0-9]{16,})/g,
  },
  {
    id: 'docker-hub-pat',
    description: 'Docker Hub personal and organization access tokens',
    pattern: /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}/g,
  },
  {
    id: 'google-oauth-token',
    description: 'Google OAuth access tokens (ya29.) and API keys (AIza)',
    pattern: /\b(?:ya29\.[A-Za-z0-9_-]{20,}|AIza[A-Za-z0-9_-]{35})/g,
  },
  {
    id: 'npm-token',
    description: 'npm access tokens',
    pattern: /\bnpm_[A-Za-z0-9]{36}\b/g,
  },
  {
    id: 'json-key-base64',
    description: 'a base64-encoded JSON key (_json_key_base64, .dockerconfigjson)',
    pattern: /\b(?:ewog|ewoi|eyAi|eyJ0eXBlIjoi|eyJhdXRocyI6)[A-Za-z0-9+/]{60,}={0,2}/g,
  },
  {
    id: 'registry-login-flag',
    description: 'password flags of login commands: -p X, -pX, --password X, --password=X (docker, podman, helm, crane, az login --service-principal …)',
    pattern: /(?<pre>\blogin\b[^\r\n|;&]{0,300}?(?:^|[ \t])(?:-p[ \t]*|--password(?:[ \t]+|=)|--registry-token(?:[ \t]+|=)|--client-secret(?:[ \t]+|=)|--creds(?:[ \t]+|=)))(?!-)(?<secret>"[^"\r\n]*"|'[^'\r\n]*'|[^\s"']+)/g,
    keep: isNotASecret,
  },
  {
    id: 'echo-password-stdin',
    description: 'echo X | docker login --password-stdin, where X is literal',
    pattern: /(?<pre>\b(?:echo(?:[ \t]+-[neE]+)?|printf(?:[ \t]+'%s')?)[ \t]+)(?<secret>"[^"\r\n]*"|'[^'\r\n]*'|[^\s|"']+)(?<post>[ \t]*\|[^\r\n]{0,300}?--password-stdin)/g,
    keep: isNotASecret,
  },
  {
    id: 'azure-connection-string',
    description: 'Azure storage / Service Bus connection-string keys and SAS signatures',
    pattern: /(?<pre>\b(?:AccountKey|SharedAccessKey|SharedAccessKeyValue|AccessKey|ClientSecret|Password|Pwd)=)(?<secret>(?:[^;\s"'&]|&(?![A-Za-z_][\w.-]*=))+)/g,
    keep: isNotASecret,
  },
  {
    id: 'azure-sas-signature',
    description: 'the sig= of an Azure SAS token (and X-Amz-Signature of a presigned URL)',
    pattern: /(?<pre>[?&;](?:sig|X-Amz-Signature|X-Goog-Signature|Signature)=)(?<secret>[^&\s"'#;]+)/gi,
  },
  {
    id: 'creds-flag',
    description: 'user:password of --creds / --src-creds / --dest-creds (skopeo, crane, podman); the whole value when it has no user',
    pattern: new RegExp(String.raw`(?<pre>(?:^|[ \t])--(?:src-|dest-)?creds(?:[ \t]+|=)["']?(?:[^\s:"']*:)?)(?<secret>"[^"\r\n]*"|'[^'\r\n]*'|${QUOTED_WORDS})`, 'g'),
    keep: isNotASecret,
  },
  {
    id: 'curl-user',
    description: 'the password of curl -u / --user user:password',
    pattern: new RegExp(String.raw`(?<pre>\bcurl\b[^\r\n|;&]{0,300}?[ \t](?:-u[ \t]*|--user(?:[ \t]+|=))["']?[^\s:"']*:)(?<secret>${QUOTED_WORDS})`, 'g'),
    keep: isNotASecret,
  },
  {
    id: 'cli-config-set',
    description: '`aws configure set aws_secret_access_key X` and the like: a secret-ish setting given as the next word',
    pattern: new RegExp(String.raw`(?<pre>\bconfig(?:ure)?[ \t]+set[ \t]+(?:--[\w-]+[ \t]+)*(?<key>${SECRET_KEY})[ \t]+)(?<secret>"[^"\r\n]*"|'[^'\r\n]*'|[^\s"']+)`, 'gi'),
    keep: isNotASecret,
  },
  {
    id: 'registry-auth-header',
    description: "Docker Engine API X-Registry-Auth / X-Registry-Config headers (base64 JSON holding the password)",
    pattern: /(?<pre>\bX-Registry-(?:Auth|Config)[ \t]*[:=][ \t]*["']?)(?<secret>[^\s"',]+)/gi,
    keep: isNotASecret,
  },
  {
    id: 'ecr-token',
    description: 'ECR login passwords and authorization tokens, bare (base64 of {"payload": …} and of AWS:{"payload": …})',
    pattern: /\b(?:eyJwYXlsb2Fk|QVdTOmV5SndZWGxzYjJGa)[A-Za-z0-9+/]{20,}={0,2}/g,
  },
  {
    id: 'escaped-json-key-value',
    description: 'JSON-escaped \\"key\\":\\"value\\" pairs (kaniko and other tools printing JSON inside JSON)',
    pattern: new RegExp(String.raw`(?<pre>\\+["'](?<key>${SECRET_KEY}|auth|identitytoken|registrytoken)\\+["'][ \t]*:[ \t]*\\+["'])(?<secret>(?:[^"'\\\r\n]|\\(?!["']))+)(?<post>\\+["'])`, 'gi'),
    keep: isNotASecret,
  },
  {
    id: 'env-key-colon-value',
    description: 'ENV_STYLE_SECRET: value anywhere on a line (after a timestamp or a log prefix)',
    pattern: /(?<pre>(?<![A-Za-z0-9_.-])(?<key>[A-Z][A-Z0-9_]{0,40}?(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY|AUTH_KEY|CREDENTIALS)[A-Z0-9_]{0,40}):[ \t]+)(?<secret>"[^"\r\n]*"|'[^'\r\n]*'|[^\s"']+)/g,
    keep: isNotASecret,
  },
  {
    id: 'quoted-key-value',
    description: 'JSON/YAML/Python-style "key": "value" pairs with a secret-ish key name',
    pattern: new RegExp(String.raw`(?<pre>["'](?<key>${SECRET_KEY}|auth|identitytoken|registrytoken)["'][ \t]*:[ \t]*)(?<secret>"[^"\r\n]*"|'[^'\r\n]*')`, 'gi'),
    keep: isNotASecret,
  },
  {
    id: 'key-equals-value',
    description: 'key=value pairs with a secret-ish key name (env, INI, query strings, flags)',
    pattern: new RegExp(String.raw`(?<pre>(?<![A-Za-z0-9_.-])(?:--?)?(?<key>${SECRET_KEY})[ \t]*=[ \t]*)(?<secret>${QUOTED_OR_BARE})`, 'gi'),
    keep: isNotASecret,
  },
  {
    id: 'yaml-key-value',
    description: 'YAML `key: value` lines with a secret-ish key name',
    pattern: new RegExp(String.raw`(?<pre>^[ \t]*(?:- )?(?<key>${SECRET_KEY}):[ \t]+)(?<secret>"[^"\r\n]*"|'[^'\r\n]*'|[^\s#"'][^\r\n#]*?)(?=[ \t]*(?:#|$))`, 'gim'),
    keep: isNotASecret,
  },
];

/** Keep quotes around a redacted quoted value. */
function masked(secret: string): string {
  const first = secret.charAt(0);
  if ((first === '"' || first === "'") && secret.length >= 2 && secret.endsWith(first)) return `${first}${REDACTED}${first}`;
  return REDACTED;
}

type Groups = { pre?: string; secret?: string; post?: string; key?: string } | undefined;

function replacerFor(rule: RedactionPattern): (match: string, ...args: unknown[]) => string {
  return (match: string, ...args: unknown[]) => {
    const last = args.at(-1);
    const groups = (typeof last === 'object' && last !== null ? last : undefined) as Groups;
    if (groups?.secret === undefined) {
      if (match === REDACTED) return match;
      return rule.keep?.(match) ? match : REDACTED;
    }
    const { pre = '', secret, post = '' } = groups;
    const offset = args.at(-3);
    const input = args.at(-2);
    // Already masked by an earlier pattern (possibly with a trailing character of its own): leave it.
    if (typeof offset === 'number' && typeof input === 'string' && input.startsWith(REDACTED, offset + pre.length)) return match;
    if (secret.startsWith(`"${REDACTED}`) || secret.startsWith(`'${REDACTED}`)) return match;
    if (groups.key !== undefined && isNotASecretKey(groups.key)) return match;
    if (rule.keep?.(secret)) return match;
    return `${pre}${masked(secret)}${post}`;
  };
}

const COMPILED = REDACTION_PATTERNS.map((rule) => ({ pattern: rule.pattern, replace: replacerFor(rule) }));

/** Replace every secret in `text` with `[REDACTED]`, keeping key names and the evidence around it. */
export function redact(text: string): string {
  let out = text;
  for (const { pattern, replace } of COMPILED) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, replace);
  }
  return out;
}

const SECRET_KEY_NAME = new RegExp(String.raw`^(?:${SECRET_KEY}|auth|identitytoken|registrytoken|authorization)$`, 'i');

/**
 * Redact every string in a JSON-like value (objects, arrays), returning a copy. Values under secret-ish key
 * names (`password`, `token`, `client_secret`…) are replaced whole, whatever they look like.
 */
export function redactDeep<T>(value: T): T {
  return walk(value, new WeakMap()) as T;
}

function walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  const cached = seen.get(value);
  if (cached !== undefined) return cached;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(walk(item, seen));
    return copy;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value; // Dates, Buffers, class instances: as they are
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      SECRET_KEY_NAME.test(key) && !isNotASecretKey(key) && (typeof item === 'string' || typeof item === 'number') && !isNotASecret(String(item))
        ? REDACTED
        : walk(item, seen);
  }
  return copy;
}
