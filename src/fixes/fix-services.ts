// The fix parts web and worker share, built once from the configuration: plans, the audit (mirrored to the
// configured audit channel), and who may fix.
import type { FileConfig } from '../config/schema.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { RedisConnection } from '../ops/redis.js';
import { escapeMrkdwn } from '../render/slack/mrkdwn.js';
import { callSlack, type WebClient } from '../slack/web-client.js';
import { AuditLog, type AuditEntry } from './audit-log.js';
import { Fixers, slackUsergroups } from './fixers.js';
import { PlanStore } from './plan-store.js';

export interface FixServices {
  plans: PlanStore;
  audit: AuditLog;
  fixers: Fixers;
}

/** One plain line per attempt for the audit channel. */
export function auditChannelText(entry: AuditEntry): string {
  const what = escapeMrkdwn(entry.change ?? entry.target ?? 'a fix');
  return `Fix audit: <@${entry.user}> ${entry.result} — ${what}${entry.registry ? ` (${escapeMrkdwn(entry.registry)})` : ''}${entry.reason ? `: ${escapeMrkdwn(entry.reason)}` : ''}`;
}

export function createFixServices(options: {
  redis: RedisConnection;
  prefix: string;
  config: FileConfig['fixes'];
  slack: WebClient;
  logger: Logger;
  metrics: Metrics;
}): FixServices {
  const { redis, prefix, config, slack, logger, metrics } = options;
  const channel = config.auditChannel;
  const mirror = channel
    ? async (entry: AuditEntry) => {
        await callSlack(metrics, 'chat.postMessage', () => slack.chat.postMessage({ channel, text: auditChannelText(entry), unfurl_links: false })).catch((error: unknown) =>
          logger.warn({ err: error }, 'could not mirror a fix audit entry to the audit channel'),
        );
      }
    : undefined;
  return {
    plans: new PlanStore(redis, prefix, config.planTtlMinutes * 60),
    audit: new AuditLog(redis, prefix, mirror),
    fixers: new Fixers(slackUsergroups(slack)),
  };
}
