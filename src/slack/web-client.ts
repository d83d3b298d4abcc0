// The Slack Web API client with our retry policy, and a classifier for its errors.
import { webApi } from '@slack/bolt';
import type { Logger } from '../ops/logger.js';
import { boltLogger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';

export type WebClient = InstanceType<typeof webApi.WebClient>;
export type WebClientOptions = ConstructorParameters<typeof webApi.WebClient>[1];

/**
 * The client's own retries (p-retry): network errors, HTTP 5xx and error answers get 3 quick retries
 * (0.2 s, 0.4 s, 0.8 s, jittered) — not the default 10 retries over 30 minutes, which would hold a worker.
 * A 429 waits `Retry-After` first (counted here). The posting client makes each call once instead (see
 * SlackClientSettings.retries). When those are spent the job fails and BullMQ retries it
 * with exponential backoff; posting stays once-only across both.
 */
export const SLACK_RETRY_POLICY = { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 3000, randomize: true };

export interface SlackClientSettings {
  token: string | undefined;
  apiUrl: string | undefined;
  timeoutMs: number;
  /**
   * The client's own retries (default SLACK_RETRY_POLICY's). The posting client uses 0: a post that timed out
   * may have been made, so it is retried by the job, which looks for the message before posting again.
   */
  retries?: number;
}

export function slackClientOptions(settings: SlackClientSettings, logger: Logger): NonNullable<WebClientOptions> {
  return {
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    retryConfig: { ...SLACK_RETRY_POLICY, retries: settings.retries ?? SLACK_RETRY_POLICY.retries },
    timeout: settings.timeoutMs,
    logger: boltLogger(logger.child({ component: 'slack-web-api' })),
  };
}

/** Told of every failed Web API call (after the client's own retries) and every 429. */
export type SlackProblemListener = (code: string, method: string) => void;

export function createSlackClient(settings: SlackClientSettings, logger: Logger, metrics: Metrics): WebClient {
  const client = new webApi.WebClient(settings.token, slackClientOptions(settings, logger));
  watchRateLimits(client, logger, metrics);
  return client;
}

/** Count 429s (the client retries them itself after Retry-After). */
export function watchRateLimits(client: WebClient, logger: Logger, metrics: Metrics): void {
  client.on(webApi.WebClientEvent.RATE_LIMITED, (retryAfter: number, info?: { url?: string }) => {
    const method = info?.url?.split('/').pop() ?? 'unknown';
    metrics.slackApiErrors.inc({ method, code: 'ratelimited' });
    logger.warn({ method, retryAfter }, 'Slack rate-limited a call; retrying after Retry-After');
  });
}

export interface SlackErrorInfo {
  /** Slack's error code (`not_in_channel`), `http_<status>`, `request_error`, `ratelimited`, or `unknown`. */
  code: string;
  /** The bot cannot post in this conversation: tell the user how to invite it, don't retry. */
  cannotPost: boolean;
  /** Worth retrying later (5xx, network, rate limit). */
  retryable: boolean;
}

/** Slack refused the message itself (its blocks or size): the same text without blocks may pass, at once. */
export const BLOCKS_REFUSED: ReadonlySet<string> = new Set(['msg_blocks_too_long', 'invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'invalid_attachments']);

const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'channel_is_archived', 'restricted_action', 'cannot_dm_bot']);
const PERMANENT = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'missing_scope', 'invalid_arguments', ...BLOCKS_REFUSED]);

export function classifySlackError(error: unknown): SlackErrorInfo {
  const e = error as { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number };
  switch (e?.code) {
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown';
      return { code, cannotPost: CANNOT_POST.has(code), retryable: !CANNOT_POST.has(code) && !PERMANENT.has(code) };
    }
    case webApi.ErrorCode.HTTPError:
      return { code: `http_${e.statusCode ?? 'error'}`, cannotPost: false, retryable: (e.statusCode ?? 500) >= 500 || e.statusCode === 408 };
    case webApi.ErrorCode.RateLimitedError:
      return { code: 'ratelimited', cannotPost: false, retryable: true };
    case webApi.ErrorCode.RequestError:
      return { code: 'request_error', cannotPost: false, retryable: true };
    default:
      return { code: 'unknown', cannotPost: false, retryable: true };
  }
}

/** Call a Web API method, counting failures by method and code. */
export async function callSlack<T>(metrics: Metrics, method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    metrics.slackApiErrors.inc({ method, code: classifySlackError(error).code });
    throw error;
  }
}
