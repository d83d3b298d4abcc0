// The one line a person acts on: what broke in plain words, for whom, and the first thing to do. Pure.
// Every value from a log, a registry or a user is escaped here; the result is Slack mrkdwn.
import type { Diagnosis, Finding, RemediationStep } from '../../engine/diagnosis.js';
import type { Category } from '../../engine/vocabulary.js';
import { oneLine } from '../sanitize.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

/** Below this confidence the top finding is a possible cause, shown with its alternatives and the check between them. */
export const CONFIDENT = 0.6;

/** Each category in plain words, for a person choosing from a list (the "Wrong cause?" menu, App Home). */
export const CAUSE_WORDS: Record<Category, string> = {
  auth_missing: 'Not logged in to the registry',
  auth_expired: 'Registry login expired',
  permission_denied: 'Not allowed to push there',
  repo_not_found: 'Repository does not exist',
  tag_immutable: 'Tag already exists and may not move',
  repo_locked: 'Repository or tag is locked',
  quota_exceeded: 'Quota or storage limit reached',
  rate_limited: 'Registry is throttling requests',
  firewall_denied: 'Blocked by the registry firewall',
  network: 'Could not reach the registry',
  blob_upload: 'A layer upload failed',
  manifest_invalid: 'Registry rejected the manifest',
  image_not_found_locally: 'Image was never built or tagged on the runner',
  other: 'Something else',
};

/** A value inside inline code: escaped, and no backtick that could end the span. */
export function inlineCode(value: string, max = 120): string {
  return `\`${escapeMrkdwn(truncate(oneLine(value), max)).replace(/`/g, "'")}\``;
}

/** Who was refused, in a few words: an IAM role or user from an ARN, a service account, or the principal as written. */
export function identityWords(principal: string | undefined): string | undefined {
  if (!principal) return undefined;
  const arn = /^arn:[\w-]+:(?:iam|sts)::\d{12}:(.+)$/.exec(principal);
  const parts = arn?.[1]?.split('/') ?? [];
  if (parts[0] === 'assumed-role' && parts[1]) return `role ${inlineCode(parts[1])}`;
  if ((parts[0] === 'role' || parts[0] === 'user') && parts.length >= 2) return `${parts[0]} ${inlineCode(parts.at(-1)!)}`;
  return inlineCode(principal);
}

export interface Answer {
  /** Severity by emoji: never a tick. */
  emoji: string;
  /** `Push failed` or `Possible cause`. */
  lead: string;
  /** The cause in plain words with the values we know (mrkdwn, escaped). */
  cause: string;
  /** The first step: its command's first line, or its text (mrkdwn, escaped). */
  first?: string;
  /** `emoji *lead:* cause. First: …` (mrkdwn, one line). */
  sentence: string;
  confident: boolean;
}

function target(d: Diagnosis): { repo?: string; host?: string; image?: string; tag?: string } {
  const repository = d.image?.repository ?? d.facts.repository;
  const host = d.image?.host ?? d.facts.host;
  const image = d.image?.reference ?? d.facts.image ?? d.input.image;
  return {
    ...(repository ? { repo: inlineCode(repository) } : {}),
    ...(host ? { host: inlineCode(host) } : {}),
    ...(image ? { image: inlineCode(image, 160) } : {}),
    ...(d.image?.tag ? { tag: inlineCode(d.image.tag) } : {}),
  };
}

/** The cause of one finding in plain words, with whose identity and which permission or repository. */
export function causeWords(d: Diagnosis, finding: Finding): string {
  const t = target(d);
  const who = identityWords(d.facts.principal);
  const where = t.repo ?? t.host ?? 'the repository';
  const at = t.host ? ` on ${t.host}` : '';
  switch (finding.category) {
    case 'auth_missing':
      return `the push sent no credentials ${t.host ? `${t.host} accepts` : 'the registry accepts'} (not logged in)`;
    case 'auth_expired':
      return `the registry login${t.host ? ` for ${t.host}` : ''} has expired`;
    case 'permission_denied': {
      const permission = d.facts.permission ? ` (missing ${inlineCode(d.facts.permission)})` : '';
      return `${who ?? 'the CI identity'} may not push to ${where}${permission}`;
    }
    case 'repo_not_found':
      return `repository ${t.repo ?? 'named in the image'} does not exist${at}`;
    case 'tag_immutable':
      return `tag ${t.tag ?? 'being pushed'} already exists in ${where} and tags there are immutable`;
    case 'repo_locked':
      return `${where} is locked against writes`;
    case 'quota_exceeded':
      return `a quota or storage limit of ${t.host ?? 'the registry'} was reached`;
    case 'rate_limited':
      return `${t.host ?? 'the registry'} is throttling requests`;
    case 'firewall_denied':
      return `the firewall of ${t.host ?? 'the registry'} refused ${d.facts.clientIp ? inlineCode(d.facts.clientIp) : "the runner's address"}`;
    case 'network':
      return `the runner could not reach ${t.host ?? 'the registry'}`;
    case 'blob_upload':
      return `a layer upload to ${where} failed`;
    case 'manifest_invalid':
      return `${t.host ?? 'the registry'} rejected the image manifest${t.repo ? ` for ${t.repo}` : ''}`;
    case 'image_not_found_locally':
      return `image ${t.image ?? ''} was never built or tagged on the runner`.replace('  ', ' ');
    case 'other':
      return escapeMrkdwn(truncate(oneLine(finding.title), 200));
  }
}

/** The step to take first: the provider's first step that has a command, else its first step. */
export function firstStep(finding: Finding): RemediationStep | undefined {
  return finding.remediation.find((s) => s.command?.trim()) ?? finding.remediation[0];
}

/** The step that tells causes apart: a check (see, list, check…) with a command, else the first command. */
export function checkStep(finding: Finding): RemediationStep | undefined {
  return finding.remediation.find((s) => s.command?.trim() && /^(check|see|list|look|run|show|verify|find)\b/i.test(s.text.trim())) ?? firstStep(finding);
}

/** A command's first line, as inline code, marked when there is more. */
export function commandLine(command: string, max = 160): string {
  const lines = command.trim().split('\n');
  const first = lines[0]!.replace(/\s*\\$/, '');
  return inlineCode(lines.length > 1 ? `${first} …` : first, max);
}

function stepWords(s: RemediationStep): string {
  return s.command?.trim() ? commandLine(s.command) : escapeMrkdwn(truncate(oneLine(s.text), 200));
}

export function answerFor(d: Diagnosis): Answer | undefined {
  const top = d.findings[0];
  if (!top) return undefined;
  const confident = top.confidence >= CONFIDENT;
  const emoji = !confident ? ':large_yellow_circle:' : top.severity === 'warning' || top.severity === 'info' ? ':large_orange_circle:' : ':red_circle:';
  const lead = confident ? 'Push failed' : 'Push failed — possible cause';
  const cause = causeWords(d, top);
  const step = confident ? firstStep(top) : checkStep(top);
  const first = step ? stepWords(step) : undefined;
  const then = first ? ` ${confident ? 'First' : 'Check'}: ${first}` : '';
  const sentence = `${emoji} *${lead}:* ${cause}.${then}`;
  return { emoji, lead, cause, ...(first ? { first } : {}), sentence, confident };
}

/** The answer when the log shows no registry failure: it still never reads as a success. */
export const NO_FINDING_SENTENCE =
  ':grey_question: *Push failure not recognised:* no registry error found in what was given. Paste the full job log, or give the image reference.';
