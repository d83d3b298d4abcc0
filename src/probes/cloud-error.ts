// One error type for everything a cloud or registry answers that a person will read: which provider, its
// code, whether trying again may help, and a sentence. Built from SDK errors by shape (no SDK import here),
// so no stack text or SDK internals reach Slack or a terminal.
import { redact } from '../engine/redact.js';

/** What kind of trouble, for the runner (retry, skip) and for probes deciding what a failure means. */
export type CloudErrorKind =
  | 'throttled'
  | 'no_credentials'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'network'
  | 'timeout'
  | 'service';

export class CloudError extends Error {
  override readonly name = 'CloudError';

  constructor(
    readonly provider: string,
    readonly code: string,
    readonly kind: CloudErrorKind,
    /** One sentence a person understands (already redacted). */
    readonly sentence: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(sentence);
    // Nobody reads this stack: the sentence is the whole story.
    this.stack = `${this.name}: ${sentence}`;
  }
}

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'TOOMANYREQUESTS',
  'RESOURCE_EXHAUSTED',
  'TooManyRequests',
]);
const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'ExpiredTokenException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  statusCode?: unknown;
  status?: unknown;
  reason?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

function asShape(error: unknown): ErrorShape {
  return error !== null && typeof error === 'object' ? (error as ErrorShape) : {};
}

function statusOf(shape: ErrorShape): number | undefined {
  for (const value of [shape.$metadata?.httpStatusCode, shape.statusCode, shape.status]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** Google errors carry the gRPC code as a number and a reason (`SERVICE_DISABLED`) beside it. */
const GRPC_CODES: Readonly<Record<number, string>> = {
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  10: 'ABORTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

function codeOf(shape: ErrorShape): string {
  if (typeof shape.reason === 'string' && shape.reason) return shape.reason;
  if (typeof shape.code === 'string' && shape.code) return shape.code;
  if (typeof shape.code === 'number' && GRPC_CODES[shape.code]) return GRPC_CODES[shape.code]!;
  const causeCode = asShape(shape.cause).code;
  if (typeof causeCode === 'string' && causeCode) return causeCode;
  if (typeof shape.name === 'string' && shape.name && shape.name !== 'Error') return shape.name;
  return 'Error';
}

function kindOf(code: string, status: number | undefined, shape: ErrorShape): CloudErrorKind {
  // Google errors carry a reason (RATE_LIMIT_EXCEEDED, IAM_PERMISSION_DENIED) as their code; the gRPC code
  // says the kind, except for an API switched off, which is neither a permission nor a credential matter.
  const grpc = typeof shape.code === 'number' ? GRPC_CODES[shape.code] : undefined;
  if (grpc && grpc !== code && code !== 'SERVICE_DISABLED') return kindOf(grpc, status, {});
  if (THROTTLING_CODES.has(code) || status === 429) return 'throttled';
  if (code === 'AbortError' || code === 'TimeoutError' || code === 'DEADLINE_EXCEEDED') return 'timeout';
  if (CREDENTIAL_CODES.has(code) || shape.name === 'CredentialsProviderError') return 'no_credentials';
  if (NETWORK_CODES.has(code) || code === 'UNAVAILABLE') return 'network';
  if (status === 401 || code === 'UNAUTHENTICATED' || code === 'UnrecognizedClientException' || code === 'InvalidSignatureException')
    return 'unauthenticated';
  if (status === 403 || code === 'PERMISSION_DENIED' || /AccessDenied|AuthorizationFailed|Forbidden/.test(code)) return 'forbidden';
  if (status === 404 || code === 'NOT_FOUND' || /NotFound/.test(code)) return 'not_found';
  return 'service';
}

const KIND_SENTENCES: Readonly<Record<CloudErrorKind, string>> = {
  throttled: 'throttled the request (too many requests); try again shortly',
  no_credentials: 'found no credentials to use',
  unauthenticated: 'did not accept the credentials',
  forbidden: 'refused the request: the identity lacks permission',
  not_found: 'says it does not exist',
  network: 'could not be reached',
  timeout: 'did not answer in time',
  service: 'answered with an error',
};

/**
 * The first line of an SDK message, redacted, then bounded (SDKs sometimes put whole bodies there). Redacted
 * first: a cut through a secret would leave a piece the redactor no longer recognises.
 */
function plainMessage(shape: ErrorShape): string {
  const raw = typeof shape.message === 'string' ? shape.message : '';
  const line = redact(raw.split('\n')[0]!.trim());
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/**
 * The CloudError for whatever an SDK (or fetch, or a socket) threw. `what` names the thing asked about,
 * for the sentence: "ECR DescribeRepositories".
 */
export function toCloudError(provider: string, what: string, error: unknown): CloudError {
  if (error instanceof CloudError) return error;
  const shape = asShape(error);
  const status = statusOf(shape);
  const code = codeOf(shape);
  const kind = kindOf(code, status, shape);
  const message = plainMessage(shape);
  const sentence = `${what} ${KIND_SENTENCES[kind]}${message && message !== code ? `: ${message}` : ''} (${code}${status ? `, HTTP ${status}` : ''}).`;
  const retryable = kind === 'throttled' || kind === 'network' || kind === 'timeout' || (status !== undefined && status >= 500) || shape.$retryable !== undefined;
  return new CloudError(provider, code, kind, sentence, retryable, status);
}
