// The one rate-aware way to post: a Web API client whose channel writes wait for the channel's slot, whose
// chat.update calls wait for the workspace's slot (SlackPacer), and whose 429s wait Retry-After — for this
// channel or method, across every process — then retry. Any code that holds this client (workers, listeners)
// posts through it without knowing.
import { webApi } from '@slack/bolt';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { SlackPacer } from './slack-pacer.js';
import { classifySlackError, slackClientOptions, watchRateLimits, type SlackClientSettings, type SlackProblemListener, type WebClient } from './web-client.js';

/** Methods Slack limits per channel (about one message a second). */
const PACED_METHODS = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.scheduleMessage']);
/** Channel writes whose 429 holds the channel (unless the method is paced workspace-wide: then it holds the method). */
const CHANNEL_WRITES = new Set([...PACED_METHODS, 'chat.update', 'chat.delete']);
const MAX_RATE_LIMIT_RETRIES = 5;

type ApiCallArgs = Parameters<WebClient['apiCall']>;

class PacedWebClient extends webApi.WebClient {
  constructor(
    token: string | undefined,
    options: NonNullable<ConstructorParameters<typeof webApi.WebClient>[1]>,
    private readonly pacer: SlackPacer,
    private readonly log: Logger,
    private readonly onProblem: SlackProblemListener | undefined,
  ) {
    super(token, { ...options, rejectRateLimitedCalls: true });
  }

  override async apiCall(method: ApiCallArgs[0], options?: ApiCallArgs[1]): ReturnType<WebClient['apiCall']> {
    const channel = typeof options?.channel === 'string' ? options.channel : undefined;
    for (let attempt = 0; ; attempt += 1) {
      if (channel && PACED_METHODS.has(method)) await this.pacer.take(channel);
      if (this.pacer.pacesMethod(method)) await this.pacer.takeMethod(method);
      try {
        return await super.apiCall(method, options);
      } catch (error) {
        const e = error as { code?: string; retryAfter?: number };
        if (e.code !== webApi.ErrorCode.RateLimitedError || attempt >= MAX_RATE_LIMIT_RETRIES) {
          this.onProblem?.(classifySlackError(error).code, method);
          throw error;
        }
        this.onProblem?.('ratelimited', method);
        const waitMs = Math.max(1, e.retryAfter ?? 1) * 1000;
        this.log.warn({ method, channel, retryAfterMs: waitMs, attempt }, 'Slack answered 429: waiting Retry-After');
        if (this.pacer.pacesMethod(method)) await this.pacer.holdMethod(method, waitMs);
        else if (channel && CHANNEL_WRITES.has(method)) await this.pacer.hold(channel, waitMs);
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }
}

/** `onProblem` hears every call that failed for good and every 429 (for `/registry status`). */
export function createPacedSlackClient(settings: SlackClientSettings, pacer: SlackPacer, logger: Logger, metrics: Metrics, onProblem?: SlackProblemListener): WebClient {
  const client = new PacedWebClient(settings.token, slackClientOptions(settings, logger), pacer, logger.child({ component: 'slack-pacing' }), onProblem);
  watchRateLimits(client, logger, metrics);
  return client;
}
