// App Home: one person's recent diagnoses (each linked to its thread, with its answer and whether it was
// resolved) and the configured registries, published with views.publish. A worker runs it for a
// `publish-home` job: the permalink look-ups and the publish are Slack calls, kept off the ack path.
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { renderHome, type HomeEntry, type RegistrySummary } from '../render/slack/messages.js';
import type { AnswerStore } from './answer-store.js';
import type { PostState } from './post-state.js';
import { callSlack, type WebClient } from './web-client.js';

/** Recent diagnoses shown on App Home (each costs a permalink lookup). */
const HOME_ENTRIES = 10;

export interface HomePublisherDeps {
  slack: WebClient;
  state: PostState;
  answers: AnswerStore;
  registries: readonly RegistrySummary[];
  logger: Logger;
  metrics: Metrics;
}

/** Publish `user`'s App Home; a failed look-up leaves that part out, a failed publish throws (the job retries). */
export function createHomePublisher(deps: HomePublisherDeps): (user: string) => Promise<void> {
  const { slack, state, answers, registries, logger, metrics } = deps;
  return async (user) => {
    const recent = await state.recent(user).catch((error: unknown) => {
      logger.warn({ err: error }, 'recent diagnoses unavailable');
      return [];
    });
    const entries = await Promise.all(
      recent.slice(0, HOME_ENTRIES).map(async (r): Promise<HomeEntry> => {
        const [record, link] = await Promise.all([
          r.answerId ? answers.get(r.answerId).catch(() => undefined) : undefined,
          r.parentTs
            ? callSlack(metrics, 'chat.getPermalink', () => slack.chat.getPermalink({ channel: r.channel, message_ts: r.parentTs! })).catch(() => undefined)
            : undefined,
        ]);
        return {
          ...r,
          ...(record?.answer ? { answer: record.answer } : {}),
          ...(record?.resolved ? { resolved: record.resolved } : {}),
          ...(link?.permalink ? { permalink: link.permalink } : {}),
        };
      }),
    );
    await callSlack(metrics, 'views.publish', () => slack.views.publish({ user_id: user, view: renderHome(entries, registries) }));
  };
}
