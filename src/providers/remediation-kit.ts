// Helpers every adapter's remediation table uses: what we know, made safe to paste into a shell.
import { isIP } from 'node:net';
import type { DocLink, RemediationStep } from '../engine/diagnosis.js';
import type { Category } from '../engine/vocabulary.js';
import type { ProviderRemediation, RemediationContext } from './types.js';

/** What remediation may fill in, gathered from the parsed image first and the log's facts second. Raw text. */
export interface Known {
  host?: string;
  account?: string;
  region?: string;
  repository?: string;
  tag?: string;
  digest?: string;
  principal?: string;
  permission?: string;
  clientIp?: string;
}

export function gatherKnown(context: RemediationContext): Known {
  const { image, facts } = context;
  return {
    host: image?.host ?? facts.host,
    account: image?.account ?? facts.account,
    region: image?.region ?? facts.region,
    repository: image?.repository ?? facts.repository,
    tag: image?.tag,
    digest: image?.digest,
    principal: facts.principal,
    permission: facts.permission,
    clientIp: facts.clientIp,
  };
}

/**
 * Characters a fact may carry into a command unquoted. No shell metacharacter (`$ ; | & < > ( ) \` ' " * ?`,
 * spaces, newlines) can pass, and no leading `-` (it would read as an option).
 */
const SAFE_ARG = /^(?!-)[\w.\-/:@]{1,256}$/;

/**
 * A fact fit to paste into a command, or the placeholder when it is unknown, malformed or could inject.
 * `shape` narrows what is acceptable (an account id, a region…) beyond the shell-safe character set.
 */
export function arg(value: string | undefined, placeholder: string, shape?: RegExp): string {
  if (value === undefined || !SAFE_ARG.test(value)) return placeholder;
  if (shape && !shape.test(value)) return placeholder;
  return value;
}

/** True when `value` would be pasted as itself (not replaced by a placeholder). */
export function isSafeArg(value: string): boolean {
  return SAFE_ARG.test(value);
}

/** An IPv4/IPv6 address, optionally with a CIDR suffix, or the placeholder. */
export function ipArg(value: string | undefined, placeholder = '<client-ip>'): string {
  if (value === undefined) return placeholder;
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined) return placeholder;
  const family = isIP(address);
  if (family === 0) return placeholder;
  if (bits !== undefined) {
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return placeholder;
  }
  return value;
}

export function step(text: string, command?: string): RemediationStep {
  return command === undefined ? { text } : { text, command };
}

export function doc(title: string, url: string): DocLink {
  return { title, url };
}

/** One entry of an adapter's remediation table: what to do for a category, from what we know. */
export type RemediationEntry<T> = (known: T, context: RemediationContext) => ProviderRemediation | undefined;

/** An adapter's remediation, as data: a table keyed by category. Missing categories fall back to OCI advice. */
export type RemediationTable<T> = Partial<Record<Category, RemediationEntry<T>>>;

/** Look a category up in a table, with the adapter's own reading of the context. */
export function fromTable<T>(
  table: RemediationTable<T>,
  context: RemediationContext,
  read: (context: RemediationContext) => T,
): ProviderRemediation | undefined {
  const entry = table[context.category];
  return entry ? entry(read(context), context) : undefined;
}

/** The first path segment of a repository (Docker Hub / GHCR namespace, ECR Public alias). */
export function firstSegment(repository: string): string | undefined {
  const slash = repository.indexOf('/');
  if (slash <= 0) return undefined;
  return repository.slice(0, slash);
}

/** A host without its `:port`. */
export function bareHost(host: string): string {
  if (host.startsWith('[')) return host.replace(/(\]):\d+$/, '$1');
  return host.replace(/:\d+$/, '');
}
