// The Bolt app: HTTP mode on an ExpressReceiver (sharing the ops routes' express app), or Socket Mode.
import { App, ExpressReceiver, SocketModeReceiver, LogLevel } from '@slack/bolt';
import type { Express } from 'express';
import type { Logger } from '../../ops/logger.js';
import { boltLogger } from '../../ops/logger.js';
import { registerListeners, type ListenerDeps } from './listeners.js';
import { slackClientOptions, watchRateLimits, type SlackClientSettings } from './web-client.js';

export interface SlackAppOptions extends ListenerDeps {
  slack: SlackClientSettings & { signingSecret: string | undefined; appToken: string | undefined };
  /** HTTP mode: the express app holding the ops routes; `/slack/events` is added to it. */
  expressApp: Express;
  logger: Logger;
}

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  /** HTTP mode: the receiver whose `start(port)` serves everything on one port. */
  receiver: ExpressReceiver | SocketModeReceiver;
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const logger = options.logger.child({ component: 'bolt' });
  const blog = boltLogger(logger);
  const levels: Record<string, LogLevel> = { debug: LogLevel.DEBUG, trace: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN };
  const logLevel = levels[logger.level] ?? LogLevel.ERROR;
  let receiver: ExpressReceiver | SocketModeReceiver;
  let mode: SlackApp['mode'];
  if (options.slack.appToken) {
    mode = 'socket';
    receiver = new SocketModeReceiver({ appToken: options.slack.appToken, logger: blog, logLevel, ...(options.slack.apiUrl ? { clientOptions: { slackApiUrl: options.slack.apiUrl } } : {}) });
  } else {
    if (!options.slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
    mode = 'http';
    receiver = new ExpressReceiver({
      signingSecret: options.slack.signingSecret,
      app: options.expressApp,
      endpoints: '/slack/events',
      logger: blog,
      logLevel,
      // Requests beyond Slack's own sizes are refused before parsing.
      bodyLimit: '64kb',
    });
  }
  const app = new App({
    token: options.slack.token,
    receiver,
    logger: blog,
    logLevel,
    clientOptions: slackClientOptions(options.slack, logger),
  });
  watchRateLimits(app.client, logger, options.metrics);
  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled error in a Slack listener');
  });
  registerListeners(app, options);
  return { app, mode, receiver };
}
