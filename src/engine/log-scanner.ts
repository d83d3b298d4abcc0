// Reads a CI log of any size, in chunks, and keeps only what the diagnosis needs: the lines that matched
// a rule (a few per rule), the facts they carry, the registry hosts they name, and the last lines.
// Memory stays bounded whatever the log's size; nothing here does I/O.
import { rules, type Rule } from './catalog.js';
import type { Facts } from './diagnosis.js';
import { extractFacts } from './facts.js';
import { isDockerHubByDefault } from './image-ref.js';
import { normalizeLine } from './normalize-line.js';
import { redact } from './redact.js';
import { wordFinder } from './word-finder.js';

/**
 * Words at least one rule, fact extractor or provider signal needs (matched ignoring case). Only lines
 * holding one of them are looked at closely, which is what makes the scan fast: plain ASCII words, no
 * character classes, found in one pass over the log (word-finder.ts). The catalog tests check every
 * rule's examples get through.
 */
export const CANDIDATE_WORDS: readonly string[] = [
  // Error wording.
  'denied', 'unauthori', 'unauthenticated', 'authenticat', 'credential', 'forbidden', 'not found', 'unknown',
  'not known', 'does not exist', 'no such', 'not allowed', 'not permitted', 'disallowed', 'not authorized',
  'permission', 'access', 'expired', 'invalid', 'immutab', 'read only', 'read-only', 'disabled', 'quota',
  'limit', 'exceed', 'too many', 'toomany', 'throttl', 'status', 'response code', 'timeout', 'timed out',
  'deadline', 'refused', 'reset by peer', 'broken pipe', 'unreachable', 'no route', 'resolve', 'enotfound',
  'econn', 'eai_again', 'proxyconnect', 'misbehaving', 'name resolution', 'x509', 'certificate', 'tls',
  'https response', 'eof', 'retrying', 'blob', 'digest', 'upload', 'manifest', 'media type', 'oci ind',
  'image not known', 'local storage', 'no space left', 'error', 'fail', 'unsupported', 'cannot connect',
  'daemon running', 'non tty', 'password', 'username', 'login', 'logging in', 'token', 'grant', 'rapt',
  'aadsts', 'connectivity_', 'too large', 'vpc', "organization's policy", 'ip address', 'client with ip',
  'ip allow', 'exception', 'not logged in', 'no credentialed', 'invalid choice', 'keychain', 'providers in chain',
  'kms', 'skew', 'not yet valid', 'billing', 'not enabled', 'did not resolve', 'closed pipe', 'request timeout',
  'https client', 'plain http request', 'can only contain', 'bearer response', 'challenge',
  'exporting cache', 'exporting content cache', 'exporting to github', 'build cache', 'non-zero code', 'did not complete', 'unavailable',
  'already pushed', 'tag_already', 'maximum', 'per repository', 'per image', 'geo-ip', 'perhaps you should', 'federated token', 'login prior', 'guest mode', 'overwritten', 'updating assets', 'hard limit', 'schema 1',
  'manifest list', 'alreadyexists', 'health check', 'could not parse', 'scheme prefix', 'tag is needed',
  'readonly', 'no credentials', 'method not allowed', 'may not support', '_uploads', ': pushed', 'already exists',
  'logs bucket', 'stream logs', 'is locked',
  // Push context and the tools that push.
  'push refers to', '"pushing"', 'docker push', 'docker image push', 'podman push', 'nerdctl push', 'buildah push', 'crane',
  'skopeo', 'oras', 'helm push', '/v2/', 'acb_step',
  // Provider signals: hosts, helpers, CLIs, CI steps.
  'azurecr', 'az acr', 'aka.ms/acr', 'dkr.ecr', 'amazonaws', 'arn:aws', 'ecr:', 'aws ecr', 'aws-actions',
  'amazonec2containerregistry', 'pkg.dev', 'gcr.io', 'gcloud', 'artifactregistry', 'artifact registry',
  'container-registry', 'token exchange', 'storage.buckets', 'projects/', 'ghcr.io', 'installation not allowed',
  'docker.io', 'hub.docker.com', 'hap429', '##[',
];

const CANDIDATES = wordFinder(CANDIDATE_WORDS);

/** Lines about a registry: generic wording (a timeout, a 403) counts only on such lines or in a push log. */
const REGISTRY_CONTEXT =
  /\/v[12]\/|GetAuthorizationToken|error parsing HTTP|login attempt|registry|"errors":\s*\[\s*\{\s*"code"|(?:^|: )(?:denied|unauthorized|name unknown|name invalid|manifest unknown|manifest invalid|manifest blob unknown|blob unknown|blob upload unknown|blob upload invalid|digest invalid|size invalid|tag invalid|toomanyrequests|unsupported): |docker|\bpush|manifest|blob|layer|\bimage|\boci\b|azurecr|\.dkr\.ecr|pkg\.dev|gcr\.io|ghcr\.io|quay\.io|harbor|kaniko|buildkit|buildx|crane|skopeo|podman|oras/i;

/** Package managers have registries too; their failures are not ours. */
const PACKAGE_MANAGER = /\bnpm (?:ERR|error)|registry\.npmjs|\byarn\b|\bpnpm\b|pypi\.org|\bpip\b|maven|gradle|nuget|rubygems|crates\.io|\bcargo\b|proxy\.golang\.org/i;

/** A log that shows a push or a registry login: generic rules apply to all its lines. */
const PUSH_CONTEXT =
  /push refers to|^[0-9a-f]{12}: (?:Pushed|Pushing|Layer already exists)\b|(?:docker|podman|nerdctl|buildah)(?: image)? push|buildx build[^\n]*--push|error pushing|failed to push|--push\b|Pushing image|pushing manifest|crane (?:push|cp)|"Pushing",\s*"progressDetail"|skopeo copy|oras push|helm push|error checking push permissions|(?:docker|podman|helm registry|crane auth|oras) login|amazon-ecr-login|docker\/login-action|az acr login|get-login-password|configure-docker|Logging in(?:to)? /i;

/**
 * A push or copy whose destination is a containers/image transport other than `docker://`: `atomic:` (the
 * OpenShift integrated registry), or no registry at all (`docker-daemon:`, `oci:`, `dir:`…). The source comes
 * after the options (`--dest-tls-verify=false dir:/src docker://host/app` copies from a directory).
 */
const TRANSPORT_DESTINATION =
  /(?:\b(?:buildah|podman) push|\bskopeo copy)\s+(?:-{1,2}[\w-]+(?:[ =](?!-)\S+)?\s+)*(?!-)\S+\s+(atomic|docker-daemon|docker-archive|oci|oci-archive|dir|containers-storage|ostree|sif):(?!\/\/)|\bto "(atomic|docker-daemon|docker-archive|oci|oci-archive|dir|containers-storage|ostree|sif):(?!\/\/)/i;

/** A registry host inside a quoted repository name (Artifact Registry's `gcr.io` repositories) is not a host. */
const QUOTED_REPOSITORY_BEFORE = /\brepositor(?:y|ies) "$/i;

/**
 * Hosts named with a path (`host/…`), as a URL, or before a colon (containers/image writes "pinging
 * container registry HOST: …" and "… in HOST: …"). A label may be masked as CI prints it (`***`,
 * `[MASKED]`, `$AWS_ACCOUNT_ID`, `${REGION}`, `<account>`): `***.dkr.ecr.***.amazonaws.com` is still ECR.
 */
const HOST_IN_LINE =
  /(?:https?:\/\/|\[|\s|^|"|'|=)((?:(?:[a-z0-9<>_*${}-]+|\[(?:MASKED|REDACTED|secure)\])\.)+(?:[a-z0-9<>*${}-]+|\[(?:MASKED|REDACTED|secure)\])(?::\d+)?|localhost:\d+)(?=\/|"|'|\s|$|:(?:\s|$))/gi;

/** containers/image's copy.go: "initializing source %s: %w", when the source image cannot be read. */
const READING_SOURCE = /\binitializing source\b/i;

/**
 * Wordings that print the pushed name as it was written, not fully qualified: BuildKit's "failed to push
 * %s", moby's "An image does not exist locally with the tag: %s" (reference.FamiliarName), a `docker push`
 * command (podman's and buildah's may name a source first) and a copy's destination. After "failed to push"
 * and "docker push" only a reference with a '/' or a tag is read: "failed to push image:" and "docker push
 * failed" are prose. (moby's "The push refers to repository [%s]" prints the full name,
 * repoInfo.Name.Name(): one without a host there was edited, and is not read.)
 */
const PUSHED_AS_WRITTEN =
  /\bfailed to push ["']?([^\s"'[\]]*[/:][^\s"'[\]]*[^\s"'[\]:,.])|An image does not exist locally with the tag: ["']?([^\s"'[\]]+)|\b(?:docker|nerdctl)(?: image)? push (?:-{1,2}[\w-]+(?:=\S+)? )*["']?([^\s"'[\]-][^\s"'[\]]*[/:][^\s"'[\]]*[^\s"'[\]:,.])["']?(?=\s|$)|\bskopeo\s+(?:\S+\s+){0,6}?copy\s+(?:\S+\s+){0,12}?\S+\s+docker:\/\/([^\s"']+)|\bg?crane (?:copy|cp)\s+(?:-{1,2}[\w-]+(?:[= ](?!-)\S+)?\s+){0,12}?[a-z0-9][\w.:/@-]*\s+([a-z0-9][\w.:/@-]*)(?=\s|$)/gi;

/**
 * The source of a copy (`crane copy SRC DST`, `skopeo copy SRC DST`, `oras cp`, `regctl image copy`): the
 * image is read from there and pushed to the destination, so the source's host says nothing about where
 * the push failed. Options before the two references are skipped; skopeo's references carry a transport.
 */
const TRANSPORTS = 'docker|atomic|docker-daemon|docker-archive|oci|oci-archive|dir|containers-storage|ostree|sif';
const COPY_SOURCE = new RegExp(
  [
    String.raw`\b(?:g?crane (?:copy|cp)|oras (?:copy|cp)|regctl image (?:copy|cp))\s+(?:-{1,2}[\w-]+(?:[= ](?!-)\S+)?\s+){0,12}?([a-z0-9][\w.:/@-]*)\s+[a-z0-9][\w.:/@-]*(?=\s|$)`,
    String.raw`\bskopeo\s+(?:\S+\s+){0,6}?copy\s+(?:\S+\s+){0,12}?((?:${TRANSPORTS}):\S+)\s+(?:${TRANSPORTS}):\S+`,
  ].join('|'),
  'i',
);

const EVIDENCE_PER_RULE = 3;
const TAIL_LINES = 15;
/** A line longer than this without a newline is cut: a log of one endless line must not grow memory. */
const MAX_PENDING = 64 * 1024;

export interface LogLine {
  /** 1-based. */
  line: number;
  /** Normalised and redacted. */
  text: string;
}

export interface RuleHit {
  rule: Rule;
  count: number;
  /** The first lines that matched, then the last one. */
  evidence: LogLine[];
  /** Whether any matching line itself mentioned a registry. */
  inRegistryContext: boolean;
}

export interface HostSighting {
  host: string;
  /** Seen on a line that matched a rule. */
  onErrorLine: boolean;
  count: number;
  /** Seen where a copy failed to read its source image (containers/image's "initializing source …"). */
  readingSource?: boolean;
  /** Named as a registry, not only as a host: see namedAsRegistry. */
  asRegistry?: boolean;
}

export interface ScanResult {
  hits: RuleHit[];
  /** Facts from lines that matched a rule win over facts from other lines. */
  facts: Facts;
  hosts: HostSighting[];
  /**
   * A push destination the log names without a registry host, in a wording that prints the name as it
   * was written (`failed to push acme/app:1`): Docker Hub by Docker's normalisation.
   */
  hubDestination?: string;
  /** Candidate lines, normalised, on which provider signals are tested. Bounded. */
  signalLines: string[];
  pushContext: boolean;
  /** The push went to this containers/image transport, not to a `docker://` registry. */
  destinationTransport?: string;
  lines: number;
  bytes: number;
  /** The last lines of the log, normalised and redacted. */
  tail: LogLine[];
  /** The input held NUL bytes: it is probably not a text log. */
  looksBinary: boolean;
}

export interface LogScannerOptions {
  /** The providers' log signals, tested on the lines the scanner looks at. */
  signalPatterns?: readonly RegExp[];
  /**
   * Told of each line the diagnosis reads: every line a rule matches (with the rule), and each line that
   * first gave context (the push, a fact, a host, a provider signal). A log cut keeps them (cut-log.ts).
   */
  onUsedLine?: (line: number, rule?: Rule) => void;
}

const MAX_SIGNAL_LINES = 200;
/**
 * Lines that differ only in numbers and hex ids (layer ids, sizes, timings) match the same rules: a line
 * of a shape already seen only counts towards its rules' hits. Its facts and hosts were taken from the
 * first line of that shape (the first value of a fact wins anyway). Numbers rules tell apart stay: a
 * three-digit number on its own (an HTTP status: 401 is not 403) and digits that end a word (`x509`,
 * `AADSTS70043`, `HAP429`).
 */
const SHAPE_NOISE = /(?<![\dA-Za-z])(?!\d{3}(?![\da-f]))\d[\da-f]*|[a-f][\da-f]{6,}/g;
const MAX_SHAPES = 5_000;
const MAX_HOSTS = 50;

export class LogScanner {
  private readonly signalPatterns: readonly RegExp[];
  private readonly onUsedLine: LogScannerOptions['onUsedLine'];
  private pending = '';
  private lineCount = 0;
  private byteCount = 0;
  private readonly hits = new Map<string, RuleHit>();
  private readonly errorFacts: Facts = {};
  private readonly contextFacts: Facts = {};
  private readonly hosts = new Map<string, HostSighting>();
  private hubDestination: string | undefined;
  private readonly signalLines: string[] = [];
  private readonly shapes = new Map<string, readonly Rule[]>();
  /** The same, for messages read joined over wrapped lines. */
  private readonly joinedShapes = new Map<string, readonly Rule[]>();
  private pushContext = false;
  private destinationTransport: string | undefined;
  private tail: { line: number; raw: string }[] = [];
  private looksBinary = false;
  /** A line that matched nothing alone, at the end of a block: the next block's first line may finish it. */
  private unfinishedWrap: { joined: string; lineNumber: number } | undefined;

  constructor(options: LogScannerOptions = {}) {
    this.signalPatterns = options.signalPatterns ?? [];
    this.onUsedLine = options.onUsedLine;
  }

  push(chunk: string): void {
    if (chunk.length === 0) return;
    this.byteCount += Buffer.byteLength(chunk, 'utf8');
    if (!this.looksBinary && chunk.includes('\0')) this.looksBinary = true;
    const text = this.pending === '' ? chunk : this.pending + chunk;
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline === -1) {
      this.pending = text;
      if (this.pending.length > MAX_PENDING) {
        this.scanBlock(this.pending);
        this.pending = '';
      }
      return;
    }
    this.scanBlock(text.slice(0, lastNewline + 1));
    this.pending = text.slice(lastNewline + 1);
  }

  finish(): ScanResult {
    if (this.pending !== '') {
      this.scanBlock(this.pending + '\n');
      this.pending = '';
    }
    return {
      hits: [...this.hits.values()].map((hit) => ({
        ...hit,
        evidence: hit.evidence.map(({ line, text }) => ({ line, text: redact(text) })),
      })),
      facts: { ...this.contextFacts, ...this.errorFacts },
      hosts: [...this.hosts.values()],
      ...(this.hubDestination ? { hubDestination: this.hubDestination } : {}),
      signalLines: this.signalLines,
      pushContext: this.pushContext,
      ...(this.destinationTransport ? { destinationTransport: this.destinationTransport } : {}),
      lines: this.lineCount,
      bytes: this.byteCount,
      tail: this.tail
        .map(({ line, raw }) => ({ line, text: redact(normalizeLine(raw)) }))
        .filter(({ text }) => text !== ''),
      looksBinary: this.looksBinary,
    };
  }

  /** `block` ends with a newline. Only candidate lines are split out and examined. */
  private scanBlock(block: string): void {
    if (this.unfinishedWrap) {
      const { joined, lineNumber } = this.unfinishedWrap;
      this.unfinishedWrap = undefined;
      const next = firstLine(block, 0);
      if (next !== '' && continuesLine(next)) this.recordJoined(`${joined} ${next}`, lineNumber);
    }
    let counted = 0; // position up to which newlines are counted into lineCount
    for (let found = CANDIDATES.find(block, 0); found !== -1; ) {
      const start = block.lastIndexOf('\n', found) + 1;
      let end = block.indexOf('\n', found);
      if (end === -1) end = block.length;
      this.lineCount += countNewlines(block, counted, start);
      counted = start;
      this.examine(block.slice(start, end), this.lineCount + 1, block, start);
      found = CANDIDATES.find(block, end + 1);
    }
    this.lineCount += countNewlines(block, counted, block.length);
    this.rememberTail(block);
  }

  /** `start` is where the line begins in `block`, whose earlier lines may be the start of a wrapped message. */
  private examine(raw: string, lineNumber: number, block: string, start: number): void {
    const line = normalizeLine(raw);
    if (line === '') return;
    const shape = line.replace(SHAPE_NOISE, '#');
    const seen = this.shapes.get(shape);
    if (seen) {
      for (const rule of seen) this.recordHit(rule, line, lineNumber);
      return;
    }

    const showsPush = !this.pushContext && PUSH_CONTEXT.test(line);
    if (showsPush) this.pushContext = true;
    if (this.destinationTransport === undefined) {
      const transport = TRANSPORT_DESTINATION.exec(line);
      if (transport) this.destinationTransport = (transport[1] ?? transport[2])!.toLowerCase();
    }
    const packageManagerLine = PACKAGE_MANAGER.test(line);
    const matched = strongestRulesFor(line, packageManagerLine);
    for (const rule of matched) this.recordHit(rule, line, lineNumber);
    const factsBefore = Object.keys(this.contextFacts).length;
    extractFacts(line, matched.length > 0 ? this.errorFacts : this.contextFacts);
    const newHost = this.recordHosts(line, matched.length > 0);
    const signal = this.signalLines.length < MAX_SIGNAL_LINES && this.signalPatterns.some((pattern) => pattern.test(line));
    if (signal) this.signalLines.push(line);
    if (matched.length === 0 && (showsPush || signal || newHost || Object.keys(this.contextFacts).length > factsBefore)) {
      this.onUsedLine?.(lineNumber);
    }
    if (this.shapes.size < MAX_SHAPES) this.shapes.set(shape, matched);
    if (matched.length === 0) this.examineWrapped(line, lineNumber, block, start);
  }

  /**
   * A message wrapped over several lines (a terminal's or an editor's width, an AWS error folded by the
   * CLI): when a line alone matched nothing and reads as the rest of the lines before it, the rules are
   * tried on them joined. Only rules the joined text adds are recorded, on this line.
   */
  private examineWrapped(line: string, lineNumber: number, block: string, start: number): void {
    let joined = line;
    let end = start - 1; // the newline before this line
    for (let back = 0; back < MAX_WRAPPED_LINES && end > 0; back += 1) {
      const previousStart = block.lastIndexOf('\n', end - 1) + 1;
      const previous = normalizeLine(block.slice(previousStart, Math.min(end, previousStart + MAX_LINE_JOINED)));
      if (previous === '' || ENDS_SENTENCE.test(previous)) break;
      joined = `${previous} ${joined}`;
      if (joined.length > MAX_LINE_JOINED || !continuesLine(previous)) break;
      end = previousStart - 1;
    }
    // The message may go on below too (`… failed with status:` / `400 Bad Request`); the next line may
    // only arrive with the next block.
    const nextStart = block.indexOf('\n', start) + 1;
    if (!ENDS_SENTENCE.test(line)) {
      if (nextStart === 0 || nextStart >= block.length) {
        this.unfinishedWrap = { joined, lineNumber };
        if (joined === line) return;
      } else {
        const next = firstLine(block, nextStart);
        if (next !== '' && continuesLine(next)) joined = `${joined} ${next}`;
      }
    }
    if (joined !== line) this.recordJoined(joined, lineNumber);
  }

  /** Rules a wrapped message matches only when joined, recorded on its line. */
  private recordJoined(joined: string, lineNumber: number): void {
    const shape = joined.replace(SHAPE_NOISE, '#');
    let matched = this.joinedShapes.get(shape);
    if (!matched) {
      matched = strongestRulesFor(joined, PACKAGE_MANAGER.test(joined));
      if (this.joinedShapes.size < MAX_SHAPES) this.joinedShapes.set(shape, matched);
    }
    for (const rule of matched) {
      if (!this.hits.get(rule.id)?.evidence.some((evidence) => evidence.line === lineNumber - 1)) {
        this.recordHit(rule, joined, lineNumber);
      }
    }
  }

  private recordHit(rule: Rule, line: string, lineNumber: number): void {
    let hit = this.hits.get(rule.id);
    if (!hit) {
      hit = { rule, count: 0, evidence: [], inRegistryContext: false };
      this.hits.set(rule.id, hit);
    }
    hit.count += 1;
    this.onUsedLine?.(lineNumber, rule);
    if (!hit.inRegistryContext && REGISTRY_CONTEXT.test(line)) hit.inRegistryContext = true;
    const evidence = { line: lineNumber, text: line }; // redacted in finish(), once per kept line
    if (hit.evidence.length < EVIDENCE_PER_RULE) hit.evidence.push(evidence);
    else hit.evidence[EVIDENCE_PER_RULE] = evidence; // keep the latest as the last one
  }

  /** Returns whether the line named a host not seen before. */
  private recordHosts(fullLine: string, onErrorLine: boolean): boolean {
    const line = withoutCopySource(fullLine);
    const readingSource = onErrorLine && READING_SOURCE.test(line);
    this.hubDestination ??= hubDestinationIn(fullLine);
    HOST_IN_LINE.lastIndex = 0;
    let added = false;
    let match: RegExpExecArray | null;
    while ((match = HOST_IN_LINE.exec(line)) !== null) {
      const host = match[1]!.toLowerCase();
      if (!/[a-z<]/.test(host.replace(/:\d+$/, '')) && !/^\d+\.\d+\.\d+\.\d+(?::\d+)?$/.test(host)) continue;
      if (QUOTED_REPOSITORY_BEFORE.test(line.slice(Math.max(0, match.index - 14), match.index + 1))) continue;
      const asRegistry = namedAsRegistry(line, match, host);
      const known = this.hosts.get(host);
      if (known) {
        known.count += 1;
        known.onErrorLine ||= onErrorLine;
        if (readingSource) known.readingSource = true;
        if (asRegistry) known.asRegistry = true;
      } else if (this.hosts.size < MAX_HOSTS) {
        this.hosts.set(host, { host, onErrorLine, count: 1, ...(readingSource ? { readingSource } : {}), ...(asRegistry ? { asRegistry } : {}) });
        added = true;
      }
    }
    return added;
  }

  private rememberTail(block: string): void {
    // Walk back over at most TAIL_LINES lines of this block; older tail lines fill what is missing.
    const fresh: { line: number; raw: string }[] = [];
    let end = block.length - 1; // the final newline
    let lineNumber = this.lineCount;
    while (fresh.length < TAIL_LINES && end > 0) {
      const start = block.lastIndexOf('\n', end - 1) + 1;
      fresh.unshift({ line: lineNumber, raw: block.slice(start, Math.min(end, start + MAX_PENDING)) });
      lineNumber -= 1;
      end = start - 1;
    }
    this.tail = [...this.tail, ...fresh].slice(-TAIL_LINES);
  }
}

/**
 * Whether a host is named as a registry: a Distribution API URL (`/v2/…`, `/v1/…`), a host with a port or
 * in brackets before a repository path (`host:5000/app`, `[host/app]`), or containers/image's "… in HOST: …".
 * (A documentation link or a source import path names a host that is no registry.)
 */
function namedAsRegistry(line: string, match: RegExpExecArray, host: string): boolean {
  const end = match.index + match[0].length;
  const before = line.slice(0, end - match[1]!.length);
  const after = line.slice(end);
  if (/^\/v[12]\//.test(after)) return true;
  if (after.startsWith('/')) return /:\d+$/.test(host) || before.endsWith('[');
  return after.startsWith(':') && / in $/.test(before);
}

/** The line without a copy's source reference: what names the push's registry. */
export function withoutCopySource(line: string): string {
  const copy = COPY_SOURCE.exec(line);
  const source = copy?.[1] ?? copy?.[2];
  if (!copy || source === undefined) return line;
  const at = copy.index + copy[0].indexOf(source);
  return `${line.slice(0, at)}${line.slice(at + source.length)}`;
}

/** The first push destination on the line written without a registry host that Docker Hub could hold. */
function hubDestinationIn(line: string): string | undefined {
  PUSHED_AS_WRITTEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = PUSHED_AS_WRITTEN.exec(line)) !== null) {
    const name = match.slice(1).find((group) => group !== undefined)!.replace(/[:.,]+$/, '');
    if (isDockerHubByDefault(name)) return name;
  }
  return undefined;
}

/**
 * Where several rules match one line, a precise rule speaks for it: generic wording on the same line
 * (a bare `denied:`, a 403) adds no cause of its own when it is much weaker.
 */
const SAME_LINE_MARGIN = 0.3;

function strongestRulesFor(line: string, packageManagerLine: boolean): Rule[] {
  const matched = rules.filter(
    (rule) => !(rule.needsRegistryContext && packageManagerLine) && rule.pattern.test(line),
  );
  if (matched.length < 2) return matched;
  const strongest = Math.max(...matched.map((rule) => rule.confidence));
  return matched.filter((rule) => !rule.needsRegistryContext || rule.confidence >= strongest - SAME_LINE_MARGIN);
}

/** How many earlier lines a wrapped message may span, and the longest joined text tried. */
const MAX_WRAPPED_LINES = 4;
const MAX_LINE_JOINED = 1_200;
/**
 * A line that ends a sentence or a record does not continue on the next one. Docker's "The push refers to
 * repository [host/name]" is a whole record: the error below it is a line of its own.
 */
const ENDS_SENTENCE = /[.!?]["')\]]?$|^-{3,}$|^The push refers to (?:a )?repository \[[^\]]*\]$/;
/** A line that reads as the continuation of the one before: it starts in the middle of a phrase. */
function continuesLine(line: string): boolean {
  return /^(?:[a-z0-9(/"'<]|arn:|https?:)/.test(line);
}

function firstLine(block: string, start: number): string {
  const end = block.indexOf('\n', start);
  return normalizeLine(block.slice(start, Math.min(end === -1 ? block.length : end, start + MAX_LINE_JOINED)));
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let index = text.indexOf('\n', from);
  while (index !== -1 && index < to) {
    count += 1;
    index = text.indexOf('\n', index + 1);
  }
  return count;
}
