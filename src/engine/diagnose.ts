// The engine's entry points: a log (and what else we know) in, a Diagnosis out. Pure: no I/O, no clock.
import { providerLogSignals, remediationFor } from '../providers/index.js';
import type { LogSignal } from '../providers/types.js';
import { categoryTexts } from './categories.js';
import { clientToolPatterns, detectClientTool } from './client-tool.js';
import type { Diagnosis, Evidence, Facts, Finding, ImageRef, PipelineFacts } from './diagnosis.js';
import { identifyHost, isDockerHubByDefault, normaliseHost, readImageRef } from './image-ref.js';
import { matchKnownRegistry, type KnownRegistry } from './known-registry.js';
import { LogScanner, withoutCopySource, type LogLine, type LogScannerOptions, type ScanResult } from './log-scanner.js';
import { rankCauses, type RankedCause } from './rank.js';
import { redact } from './redact.js';
import type { Provider } from './vocabulary.js';

export interface DiagnoseRequest {
  /** The CI log or pasted error, any size. */
  log: string;
  /** Image reference, when the user or the webhook gave one. */
  image?: string;
  /** Client IP of the CI runner, when the webhook gave one. */
  runnerIp?: string;
  pipeline?: PipelineFacts;
  /**
   * The configured registries: the one whose host the push went to decides the provider (a custom domain
   * or private-link host says nothing itself) and gives its identifiers to the remediation.
   */
  registries?: readonly KnownRegistry[];
}

/** Diagnose a log held in memory. */
export function diagnose(request: DiagnoseRequest): Diagnosis {
  const scanner = newScanner();
  scanner.push(request.log);
  return buildDiagnosis(scanner.finish(), request);
}

/** Diagnose a log read as a stream of chunks (a file, stdin): memory stays bounded whatever its size. */
export async function diagnoseStream(
  chunks: AsyncIterable<string | Uint8Array>,
  request: Omit<DiagnoseRequest, 'log'>,
): Promise<Diagnosis> {
  const scanner = newScanner();
  const decoder = new TextDecoder('utf-8'); // invalid UTF-8 becomes U+FFFD, never an exception
  for await (const chunk of chunks) {
    scanner.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  scanner.push(decoder.decode());
  return buildDiagnosis(scanner.finish(), request);
}

/** The scanner a diagnosis reads a log with; `onUsedLine` hears which lines it read (a log cut keeps them). */
export function newScanner(onUsedLine?: LogScannerOptions['onUsedLine']): LogScanner {
  return new LogScanner({
    signalPatterns: [...providerLogSignals.map((signal) => signal.pattern), ...clientToolPatterns, ...SELF_HOSTED_WORDING],
    ...(onUsedLine ? { onUsedLine } : {}),
  });
}

/**
 * Self-hosted registries' own wording, which says "not Docker Hub" when no host is shown: Harbor's v2
 * authorisation (goharbor/harbor src/server/middleware/v2auth/auth.go), read-only mode
 * (src/server/middleware/readonly/readonly.go) and quota overflow (src/pkg/quota/errors.go), and Nexus
 * Repository's redeploy policy (https://www.sonatype.com/blog/2009/11/nexus-tips-disable-redeployment-in-nexus).
 */
const SELF_HOSTED_WORDING: readonly RegExp[] = [
  /unauthorized to access repository: [^,\s]+, action: /,
  /The system is in read only mode\. Any modification is prohibited/,
  /resource, which when updated to current usage of .+ will exceed the configured upper limit/,
  /Repository does not allow updating assets/,
];

const MAX_EXCERPT_LINES = 40;
const MAX_EXCERPT_CHARS = 8_000;

function buildDiagnosis(scan: ScanResult, request: Omit<DiagnoseRequest, 'log'>): Diagnosis {
  // References as pasted from CI: masked parts stay unknown, and one Docker would refuse is read anyway.
  const givenImage = request.image ? readImageRef(request.image) : undefined;
  let provider = resolveProvider(scan, givenImage?.ref, request.image);
  // A destination named without a host is the image too, when the push went to Docker Hub as Docker reads it.
  const loggedName = scan.facts.image ?? (provider === 'dockerhub' ? scan.hubDestination : undefined);
  const loggedImage = loggedName ? readImageRef(loggedName).ref : undefined;
  // The image the user gave wins; the log's image fills in when none was given.
  let image = givenImage?.ref ?? loggedImage;
  const facts: Facts = { ...scan.facts };
  if (!facts.clientIp && request.runnerIp) facts.clientIp = request.runnerIp;
  if (!facts.host && image) facts.host = image.host;
  const pushedHost = image?.host ?? facts.host;
  const known = pushedHost && !pushedLocally(scan, request.image) ? matchKnownRegistry(request.registries ?? [], pushedHost) : undefined;
  if (known) {
    provider = known.provider;
    if (image) image = withKnownRegistry(image, known);
  }
  const tool = detectClientTool([...scan.signalLines, ...scan.hits.flatMap((hit) => hit.evidence.map((e) => e.text)), ...scan.tail.map((l) => l.text)]);
  if (tool) facts.tool = tool;

  // An image reference given with the log says as much as a push line in it: this is about a registry.
  const pushContext = scan.pushContext || request.image !== undefined;
  const causes = rankCauses(scan.hits, { provider, pushContext });
  const findings = causes.map((cause) => toFinding(cause, provider, image, facts));
  // A reference Docker would refuse is itself a cause: the push could not have been made with it.
  if (request.image !== undefined && givenImage?.invalid) addFinding(findings, invalidReference(request.image, givenImage.invalid));

  return {
    input: {
      logExcerpt: excerpt(findings, scan.tail),
      logLines: scan.lines,
      logBytes: scan.bytes,
      ...(request.image ? { image: request.image } : {}),
      ...(request.runnerIp ? { runnerIp: request.runnerIp } : {}),
      ...(request.pipeline ? { pipeline: request.pipeline } : {}),
    },
    provider,
    ...(image ? { image } : {}),
    facts,
    findings,
    probes: [],
  };
}

/** A ranked cause as a finding, with the provider's remediation filled in from what is known. */
export function toFinding(cause: RankedCause, provider: Provider, image: ImageRef | undefined, facts: Facts): Finding {
  const text = categoryTexts[cause.category];
  const remediation = remediationFor({ category: cause.category, provider, facts, ...(image ? { image } : {}) });
  return {
    category: cause.category,
    title: cause.title ?? text.title,
    explanation: remediation.explanation ?? text.explanation,
    severity: text.severity,
    confidence: cause.confidence,
    evidence: cause.evidence,
    remediation: remediation.steps,
    docs: remediation.docs,
    fixes: [],
    rules: cause.rules,
  };
}

const INVALID_REFERENCE_CONFIDENCE = 0.85;

function invalidReference(pasted: string, reason: string): Finding {
  const raw = redact(pasted);
  const why = redact(reason);
  return {
    category: 'other',
    title: 'Docker would refuse this image reference: "invalid reference format"',
    explanation: `Docker answers "${why.replace(/`/g, "'")}" for ${JSON.stringify(raw.trim())} before it contacts any registry. In CI this is almost always the tag template: a variable that expanded to nothing (an empty tag, or one starting with "-" or "."), upper-case letters from a repository or branch name, or a stray space.`,
    severity: 'error',
    confidence: INVALID_REFERENCE_CONFIDENCE,
    evidence: [{ source: 'log', text: `image reference: ${raw.trim()} (${why})` }],
    remediation: [
      { text: 'Print the reference exactly as the job expands it, just before the build and push.', command: 'echo "image=[$IMAGE]"' },
      { text: 'Give every variable in the tag a default (or stop when one is empty), so the tag never starts with "-" or is empty.', command: 'TAG="${BRANCH_NAME:-main}-${GIT_SHA:?GIT_SHA is empty}"' },
      { text: 'Lower-case the repository part (owner and branch names are often mixed case).', command: "IMAGE=\"$(echo \"$IMAGE\" | tr '[:upper:]' '[:lower:]')\"" },
    ],
    docs: [
      { title: 'Image reference grammar (distribution/reference)', url: 'https://github.com/distribution/reference/blob/main/reference.go' },
      { title: 'docker image tag: tag and name rules', url: 'https://docs.docker.com/reference/cli/docker/image/tag/' },
    ],
    fixes: [],
    rules: ['invalid-image-reference'],
  };
}

/**
 * Add a finding in its place by confidence. With one of the same category, the more confident one
 * speaks for both, with the evidence and rules of both.
 */
function addFinding(findings: Finding[], added: Finding): void {
  let finding = added;
  const same = findings.findIndex((known) => known.category === added.category);
  if (same >= 0) {
    const [known] = findings.splice(same, 1) as [Finding];
    const [first, second] = known.confidence >= added.confidence ? [known, added] : [added, known];
    finding = { ...first, evidence: [...first.evidence, ...second.evidence], rules: [...first.rules, ...second.rules] };
  }
  const at = findings.findIndex((known) => known.confidence < finding.confidence);
  findings.splice(at === -1 ? findings.length : at, 0, finding);
}

/**
 * Which registry the push went to. An image reference that names a known registry decides; otherwise
 * the log votes: registry hosts on error lines, the wording of the rules that matched, and the
 * providers' own signals (credential helpers, ARNs, SDK exceptions). An image without an explicit host
 * (`app:1`, read as Docker Hub) or with an unknown host only counts when the log names no registry, and
 * so does a destination the log names without a host (`failed to push acme/app:1`).
 */
function resolveProvider(scan: ScanResult, image: ImageRef | undefined, rawImage: string | undefined): Provider {
  if (pushedLocally(scan, rawImage)) {
    // Nothing was pushed to a registry; one still failed the job when the copy could not read its source.
    const source = scan.hosts.find((sighting) => sighting.readingSource);
    return source ? identifyHost(source.host).provider : 'other';
  }
  if (image && image.provider !== 'other' && namesHost(rawImage ?? '')) return image.provider;
  // The user gave the image with a host no provider knows (quay.io, a Harbor): that is where the push went,
  // whatever other registries the log names (a local source image, docker.io/library/…). Only a provider's
  // own wording can still say whose registry that host is (ACR Tasks behind a custom domain).
  const givenUnknownHost = image !== undefined && namesHost(rawImage ?? '');

  const votes = new Map<Provider, number>();
  const vote = (provider: Provider, weight: number): void => {
    if (provider !== 'other') votes.set(provider, (votes.get(provider) ?? 0) + weight);
  };
  const hostProviders = new Set<Provider>();
  for (const sighting of givenUnknownHost ? [] : scan.hosts) {
    const { provider } = identifyHost(sighting.host);
    hostProviders.add(provider);
    vote(provider, sighting.onErrorLine ? 3 : 1);
  }
  // A host the log shows as a registry endpoint (a /v2/ or token URL, a login) that no provider knows
  // is a registry of its own: it speaks against Docker Hub's default.
  // (A masked or emptied name, `.azurecr.io`, is not such a host: its suffix may still be a provider's.)
  const endpoint = scan.facts.host;
  if (endpoint && normaliseHost(endpoint) && identifyHost(endpoint).provider === 'other') votes.set('other', 3);
  const ruleHint = strongestRuleProvider(scan);
  if (ruleHint) vote(ruleHint, 2);
  // Each of a provider's own wordings counts once, however often it is repeated: a credential helper
  // named on every line must not outvote the registry host. A helper that serves several registries
  // (docker-credential-gcloud: Artifact Registry and GCR) counts for the one a host in the log names.
  const heard = new Set<LogSignal>();
  for (const line of scan.signalLines.map(withoutCopySource)) {
    for (const signal of providerLogSignals) {
      if (!heard.has(signal) && signal.pattern.test(line)) {
        heard.add(signal);
        vote([signal.provider, ...(signal.alsoServes ?? [])].find((served) => hostProviders.has(served)) ?? signal.provider, 1);
      }
    }
  }
  // A self-hosted registry's own wording counts for `other` (no provider's host could).
  if (scan.signalLines.some((line) => SELF_HOSTED_WORDING.some((pattern) => pattern.test(line)))) votes.set('other', (votes.get('other') ?? 0) + 1);

  let best: Provider | undefined;
  let bestVotes = 0;
  for (const [provider, count] of votes) {
    if (count > bestVotes) {
      best = provider;
      bestVotes = count;
    }
  }
  if (best) return best;
  // A registry no provider knows, named as a registry in the log: not Docker Hub by default.
  if (scan.hosts.some((sighting) => sighting.asRegistry)) return 'other';
  // Docker reads a name without a host as Docker Hub's, unless Docker Hub could not hold it.
  if (image && rawImage !== undefined) return namesHost(rawImage) || isDockerHubByDefault(rawImage) ? image.provider : 'other';
  return scan.hubDestination ? 'dockerhub' : 'other';
}

/**
 * A destination named by a containers/image transport (`atomic:`, `docker-daemon:`, `oci:`…) is the
 * OpenShift registry or no registry at all, whatever Docker Hub name it was misread as.
 */
function pushedLocally(scan: ScanResult, rawImage: string | undefined): boolean {
  return scan.destinationTransport !== undefined || LOCAL_TRANSPORT.test(rawImage?.trim() ?? '');
}

/**
 * The image as its configured entry knows it: the entry's provider, and its account and region where the
 * host does not show them (a host that does, such as an ECR host, is the push's own word and stays).
 */
function withKnownRegistry(image: ImageRef, known: KnownRegistry): ImageRef {
  const sameProvider = image.provider === known.provider;
  const account = (sameProvider ? image.account : undefined) ?? known.account;
  const region = (sameProvider ? image.region : undefined) ?? known.region;
  return {
    ...image,
    provider: known.provider,
    registry: known.name,
    ...(account !== undefined ? { account } : {}),
    ...(region !== undefined ? { region } : {}),
  };
}

/** An image given with a containers/image transport that is not a registry's (`docker://` is). */
// (`oci://host/…` is helm's and oras's way to name a registry, not the `oci:` layout transport.)
const LOCAL_TRANSPORT = /^(?:atomic|docker-daemon|docker-archive|oci|oci-archive|dir|containers-storage|ostree|sif):(?!\/\/)/i;

/** The provider named by the most confident rule that matched (rules that apply to any provider). */
function strongestRuleProvider(scan: ScanResult): Provider | undefined {
  let best: { provider: Provider; confidence: number } | undefined;
  for (const hit of scan.hits) {
    const { provider, confidence, providers } = hit.rule;
    if (!provider || providers) continue;
    if (!best || confidence > best.confidence) best = { provider, confidence };
  }
  return best?.provider;
}

/** Whether a reference as written names its registry host (`docker.io/x`, `host:5000/x`), not Docker Hub by default. */
function namesHost(raw: string): boolean {
  const path = raw.trim().replace(/^[a-z]+:\/\//i, '');
  const first = path.split('/')[0] ?? '';
  return path.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/** The lines that matter, in log order: every finding's evidence; the last lines when nothing matched. */
function excerpt(findings: readonly Finding[], tail: readonly LogLine[]): string {
  const byLine = new Map<number, string>();
  for (const finding of findings) {
    for (const evidence of finding.evidence) addEvidence(byLine, evidence);
  }
  const lines =
    byLine.size > 0
      ? [...byLine.entries()].sort(([a], [b]) => a - b).map(([, text]) => text)
      : tail.map((line) => line.text);
  let text = lines.slice(-MAX_EXCERPT_LINES).join('\n');
  if (text.length > MAX_EXCERPT_CHARS) text = text.slice(0, MAX_EXCERPT_CHARS);
  return text;
}

function addEvidence(byLine: Map<number, string>, evidence: Evidence): void {
  if (evidence.line !== undefined && !byLine.has(evidence.line)) byLine.set(evidence.line, evidence.text);
}

