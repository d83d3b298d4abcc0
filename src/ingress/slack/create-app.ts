// The Bolt app: HTTP mode on Bolt's HTTPReceiver (its request listener mounted on our one server), or Socket Mode.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../../ops/logger.js';
import { boltLogger } from '../../ops/logger.js';
import { registerListeners, type ListenerDeps } from './listeners.js';
import { guardSlackRequests, requestKey } from './request-guard.js';
import { slackClientOptions, watchRateLimits, type SlackClientSettings } from '../../slack/web-client.js';

/** Where Slack sends commands, interactions and events. */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Requests beyond Slack's own sizes are refused before parsing. */
const SLACK_BODY_LIMIT = 64 * 1024;

export interface SlackAppOptions extends ListenerDeps {
  slack: SlackClientSettings & { signingSecret: string | undefined; appToken: string | undefined };
  logger: Logger;
}

export type SlackApp =
  | {
      mode: 'http';
      app: App;
      /** Serves `POST /slack/events` (signature check, ack); mount it on the HTTP server. */
      handle: (req: IncomingMessage, res: ServerResponse) => void;
    }
  | { mode: 'socket'; app: App };

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const logger = options.logger;
  const blog = boltLogger(logger);
  const levels: Record<string, LogLevel> = { debug: LogLevel.DEBUG, trace: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN };
  const logLevel = levels[logger.level] ?? LogLevel.ERROR;
  const clientOptions = slackClientOptions(options.slack, logger);

  let app: App;
  let result: SlackApp;
  if (options.slack.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: options.slack.appToken,
      logger: blog,
      logLevel,
      // The Socket Mode client takes its Web API options (apps.connections.open) from here.
      installerOptions: { clientOptions: { ...(options.slack.apiUrl ? { slackApiUrl: options.slack.apiUrl } : {}), retryConfig: clientOptions.retryConfig } },
    });
    app = new App({ token: options.slack.token, receiver, logger: blog, logLevel, clientOptions, convoStore: false });
    result = { mode: 'socket', app };
  } else {
    if (!options.slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
    // Bolt's own HTTP receiver (not ExpressReceiver): measurably faster acks; express serves only the ops routes.
    const receiver = new HTTPReceiver({
      signingSecret: options.slack.signingSecret,
      endpoints: [SLACK_EVENTS_PATH],
      logger: blog,
      logLevel,
      bodyLimit: SLACK_BODY_LIMIT,
      // guardSlackRequests (below) has checked the signature and the timestamp on these very bytes before Bolt
      // sees them: a second HMAC and parse per request would only lengthen the ack.
      signatureVerification: false,
      // The listeners' replay check: the same body is the same request.
      customPropertiesExtractor: (req) => ({ requestKey: requestKey(req.rawBody) }),
    });
    app = new App({ token: options.slack.token, receiver, logger: blog, logLevel, clientOptions, convoStore: false });
    result = { mode: 'http', app, handle: guardSlackRequests(receiver.requestListener, { signingSecret: options.slack.signingSecret, bodyLimit: SLACK_BODY_LIMIT, logger }) };
  }
  watchRateLimits(app.client, logger, options.metrics);
  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled error in a Slack listener');
  });
  registerListeners(app, options);
  return result;
}
