// The Diagnosis shape of DESIGN.md: what the engine returns and every renderer reads.
import type { ClientTool } from './client-tool.js';
import type { Category, ProbeStatus, Provider, Severity } from './vocabulary.js';

/** A parsed image reference. `repository` is the registry path, as in `/v2/<repository>/manifests/<tag>`. */
export interface ImageRef {
  /** The reference as normalised: `host/repository[:tag][@digest]`. */
  reference: string;
  /** Registry host, with port when one was given (`docker.io` for Docker Hub). */
  host: string;
  provider: Provider;
  /** The configured `registries[]` entry whose host this is, when the caller gave the configuration. */
  registry?: string;
  /** ECR account id, Artifact Registry / GCR project, ACR registry name, Docker Hub / GHCR namespace. */
  account?: string;
  /** ECR region, Artifact Registry location, GCR multi-region (`us`, `eu`, `asia`). */
  region?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** What the log (or a webhook) told us, beyond the error wording itself. */
export interface Facts {
  /** Image reference as written in the log. */
  image?: string;
  /** Registry host seen in the log (from a URL, a `push refers to` line, a login line). */
  host?: string;
  repository?: string;
  /** A denied permission or IAM action: `ecr:InitiateLayerUpload`, `artifactregistry.repositories.uploadArtifacts`. */
  permission?: string;
  /** IAM principal ARN, service account e-mail, or user named in the error. */
  principal?: string;
  /** The client IP a registry firewall saw. */
  clientIp?: string;
  httpStatus?: number;
  /** OCI Distribution error code: `DENIED`, `NAME_UNKNOWN`, `BLOB_UPLOAD_UNKNOWN`, … */
  ociCode?: string;
  /** Cloud account/project/registry named by the error (ECR account id, GCP project, ACR registry). */
  account?: string;
  region?: string;
  /** The client that ran the push (docker, buildx, podman, helm, …), read from the log's wording. */
  tool?: ClientTool;
}

export interface Evidence {
  source: 'log' | 'probe';
  /** 1-based line number in the log, for log evidence. */
  line?: number;
  /** Redacted text. */
  text: string;
}

export interface RemediationStep {
  /** What to do, in a sentence. */
  text: string;
  /** A copy-paste command, filled in with the facts we know. */
  command?: string;
  /** A file the command reads (an IAM policy, a config file): shown after the command, never before it. */
  document?: { name: string; content: string };
}

export interface DocLink {
  title: string;
  url: string;
}

/** A fix the bot can apply (a plan stored server-side); the button carries only `id`. */
export interface FixProposal {
  id: string;
  title: string;
  /** The exact change, for the confirmation dialog: "Set writeEnabled=true on shopreg/shop/api". */
  change: string;
  /** Dry run: the button says what it would change and changes nothing. */
  dryRun?: boolean;
}

export interface Finding {
  category: Category;
  /** One line a person understands at a glance. */
  title: string;
  /** What the error means and why it happens. */
  explanation: string;
  severity: Severity;
  /** 0–1: how sure we are that this is the cause. */
  confidence: number;
  evidence: Evidence[];
  remediation: RemediationStep[];
  docs: DocLink[];
  fixes: FixProposal[];
  /** Ids of the catalog rules that produced this finding. */
  rules: string[];
}

/** A JSON value: what an observation's state may hold (it is stored and sent as JSON). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * What a probe saw that bears on a cause. `confirm`: the registry shows this category is a cause now
 * (ranking raises the log's finding, or adds it when the log could not show it); `refute`: the registry
 * shows it is not (ranking lowers the finding, saying why). `state` is the observed state of `resource`,
 * which fix plans read.
 */
export interface Observation {
  kind: 'confirm' | 'refute';
  category: Category;
  /** One sentence a person reads as evidence: "repository `app` has imageTagMutability=IMMUTABLE". */
  evidence: string;
  /** What was looked at: an ARN, `registry/repository`, a host. */
  resource?: string;
  /** The state as observed: `{ locked: true }`, `{ firewallDefault: 'Deny', ipRules: [...] }`. */
  state?: { readonly [key: string]: JsonValue };
}

/** A cloud error as people read it: no SDK stack text. */
export interface ProbeError {
  provider: string;
  code: string;
  retryable: boolean;
}

export interface ProbeResult {
  /** `ecr.repository`, `oci.push-scope`: provider (or `oci`/`net`) and what is checked. */
  name: string;
  status: ProbeStatus;
  durationMs: number;
  /** One plain sentence: what was found, or why the probe could not tell. */
  detail: string;
  /** The configured registry name, or the host when no registry entry matched. */
  registry?: string;
  observations?: Observation[];
  error?: ProbeError;
}

export interface PipelineFacts {
  provider?: string;
  name?: string;
  url?: string;
  runId?: string;
  commit?: string;
  branch?: string;
}

export interface DiagnosisInput {
  /** Redacted excerpt of the log: the lines that matter, bounded in size. */
  logExcerpt: string;
  /** Lines and bytes read, so a reader knows how much was looked at. */
  logLines: number;
  logBytes: number;
  image?: string;
  runnerIp?: string;
  pipeline?: PipelineFacts;
}

export interface Diagnosis {
  input: DiagnosisInput;
  /** Provider of the registry the push went to (from the image, the log, or `other`). */
  provider: Provider;
  image?: ImageRef;
  facts: Facts;
  /** Most likely first. Empty when the log shows no registry failure. */
  findings: Finding[];
  probes: ProbeResult[];
}
