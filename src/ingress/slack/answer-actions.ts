// The buttons under a diagnosis: Re-run, Resolved, Wrong cause?, Show full evidence. None changes a registry.
// Every click is checked before it acts: the id must name a stored answer (else: expired), and the click must
// come from the very message the bot posted for it, in its channel. Bolt has already refused unsigned and
// stale (over 5 minutes) requests. A CI alert's diagnosis has the same buttons; on it Resolved resolves the
// alert (closed, its mute "until resolved" ended) and Re-run reads the alert's latest failure.
import type { KnownBlock } from '@slack/types';
import type { AlertControls } from '../../alerts/alert-controls.js';
import { renderAlertResolvedNote } from '../../alerts/render-alert.js';
import type { DiagnoseJobData } from '../../queue/jobs.js';
import { OPAQUE_ID, parseWrongCauseValue } from '../../render/slack/actions.js';
import { CAUSE_WORDS } from '../../render/slack/answer.js';
import { blocksJsonLength, SLACK_LIMITS } from '../../render/slack/blocks.js';
import { renderParentMessage, slackDate } from '../../render/slack/messages.js';
import { escapeCodeBlock, escapeMrkdwn } from '../../render/slack/mrkdwn.js';
import type { AnswerRecord, AnswerStore } from '../../slack/answer-store.js';
import { callSlack } from '../../slack/web-client.js';
import { fromThisBot, type ActionContext, type ActionHandler } from './action-router.js';

export interface AnswerActionDeps {
  answers: AnswerStore;
  enqueue: (data: DiagnoseJobData, requestKey: string) => Promise<string>;
  /** CI alerts, when set up: what Resolved and Re-run do on an alert's diagnosis. */
  alerts?: AlertControls;
}

/** The stored answer a click is about, or undefined after telling the person why not. */
async function answerOf(ctx: ActionContext, answers: AnswerStore, id: string | undefined): Promise<AnswerRecord | undefined> {
  if (!id || !OPAQUE_ID.test(id)) {
    await ctx.ephemeral(':no_entry: That button is not one of mine.');
    return undefined;
  }
  const record = await answers.get(id);
  if (!record) {
    await ctx.ephemeral(':hourglass: This diagnosis has expired (answers are kept 30 days). Run `/registry diagnose` again.');
    return undefined;
  }
  const fromItsMessage =
    fromThisBot(ctx) &&
    ctx.channel === record.channel &&
    ctx.messageTs !== undefined &&
    (ctx.messageTs === record.replyTs || ctx.messageTs === record.parentTs);
  if (!fromItsMessage) {
    ctx.log.warn({ id, channel: ctx.channel, messageTs: ctx.messageTs, messageBot: ctx.messageBotId ?? null }, 'refused a click from a message that is not the answer it names');
    await ctx.ephemeral(':no_entry: That button is not on a message I posted for this diagnosis, so I did nothing.');
    return undefined;
  }
  return record;
}

/** The whole redacted excerpt, in code blocks, within Slack's limits; the CLI for anything beyond. */
export function renderFullEvidence(record: AnswerRecord): { text: string; blocks: KnownBlock[] } {
  const text = 'Full evidence (redacted excerpt the diagnosis read)';
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } }];
  const excerpt = record.excerpt.trim() || '(the log was empty)';
  const lines = excerpt.split('\n');
  let chunk = '';
  const pointer: KnownBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: '_More than fits here: run `registry-doctor diagnose --log FILE` on the whole log._' }] };
  const flush = (): boolean => {
    if (!chunk) return true;
    const block: KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: `\`\`\`\n${chunk}\n\`\`\`` } };
    if (blocks.length + 2 > SLACK_LIMITS.blocks || blocksJsonLength([...blocks, block, pointer]) > SLACK_LIMITS.blocksJson) return false;
    blocks.push(block);
    chunk = '';
    return true;
  };
  for (const raw of lines) {
    const line = escapeCodeBlock(raw).slice(0, 2900);
    if (chunk.length + line.length + 1 > 2900 && !flush()) return { text, blocks: [...blocks, pointer] };
    chunk = chunk ? `${chunk}\n${line}` : line;
  }
  if (!flush()) blocks.push(pointer);
  return { text, blocks };
}

export function answerActionHandlers(deps: AnswerActionDeps): Record<string, ActionHandler> {
  const { answers, enqueue, alerts } = deps;

  /** Resolved on an alert's diagnosis: the alert is resolved and closed, the thread says so once. */
  async function resolveAlert(ctx: ActionContext, record: AnswerRecord, group: string): Promise<void> {
    if (!alerts) return ctx.ephemeral('CI alerts are not set up on this bot.');
    const result = await alerts.resolve(group, ctx.user);
    if (result.outcome === 'gone') return ctx.ephemeral(':hourglass: This alert has expired; a new failure of this push opens a new one.');
    if (result.outcome === 'already') return ctx.ephemeral(`Already marked resolved by <@${result.resolved.by}> ${slackDate(result.resolved.at)}.`);
    if (record.parentTs) {
      const note = renderAlertResolvedNote(result.resolved.by, result.resolved.at, result.muteEnded);
      await callSlack(ctx.metrics, 'chat.postMessage', () => ctx.client.chat.postMessage({ channel: record.channel, thread_ts: record.parentTs!, ...note }));
    }
    ctx.log.info({ group, by: ctx.user, muteEnded: result.muteEnded }, 'alert marked resolved');
  }

  return {
    async rerun(ctx) {
      const record = await answerOf(ctx, answers, ctx.value);
      if (!record) return;
      if (!record.parentTs) return ctx.ephemeral(':warning: This diagnosis has no thread to answer in; run `/registry diagnose` again.');
      // An alert is re-diagnosed from its latest failure; once the alert has expired, from the one it opened with.
      const latest = record.alert && alerts ? await alerts.latestLog(record.alert.group) : undefined;
      const jobId = await enqueue({
        source: 'rerun',
        log: latest ?? record.log,
        ...(record.image ? { image: record.image } : {}),
        ...(record.registry ? { registry: record.registry } : {}),
        channel: record.channel,
        user: ctx.user,
        requestedAt: Date.now(),
        ...(record.private ? { private: true } : {}),
        rerun: { of: record.id, parentTs: record.parentTs },
      }, ctx.requestKey);
      ctx.log.info({ id: record.id, jobId }, 're-run queued');
      await ctx.ephemeral(`:repeat: Re-running the diagnosis; the new answer will be posted in this thread (job ${escapeMrkdwn(jobId)}).`);
    },

    async resolve(ctx) {
      const record = await answerOf(ctx, answers, ctx.value);
      if (!record) return;
      if (record.alert) return resolveAlert(ctx, record, record.alert.group);
      const result = await answers.resolve(record.id, ctx.user, Date.now());
      if (!result) return;
      const resolved = result.record.resolved;
      if (!result.first || !resolved) {
        return ctx.ephemeral(`Already marked resolved${resolved ? ` by <@${resolved.by}> ${slackDate(resolved.at)}` : ''}.`);
      }
      if (record.parentTs) {
        const parent = renderParentMessage({ status: 'done', user: record.user, jobId: record.jobId, ...(record.image ? { image: record.image } : {}), source: 'command', answer: record.answer, resolved });
        await callSlack(ctx.metrics, 'chat.update', () => ctx.client.chat.update({ channel: record.channel, ts: record.parentTs!, ...parent }));
        await callSlack(ctx.metrics, 'chat.postMessage', () =>
          ctx.client.chat.postMessage({ channel: record.channel, thread_ts: record.parentTs!, text: `:white_check_mark: Marked resolved by <@${ctx.user}> ${slackDate(resolved.at)}.` }),
        );
      }
      ctx.log.info({ id: record.id, by: ctx.user }, 'diagnosis marked resolved');
    },

    async wrong_cause(ctx) {
      const picked = ctx.value ? parseWrongCauseValue(ctx.value) : undefined;
      const record = await answerOf(ctx, answers, picked?.id ?? ctx.value);
      if (!record || !picked) return;
      await answers.addFeedback({
        id: `slack-${record.id}`,
        provider: record.provider,
        category: picked.category,
        decidable: true,
        log: record.log,
        image: record.image ?? null,
        predicted: record.categories[0] ?? 'none',
        by: ctx.user,
        at: Date.now(),
      });
      ctx.log.info({ id: record.id, predicted: record.categories[0] ?? 'none', label: picked.category }, 'wrong-cause feedback stored');
      await ctx.ephemeral(
        `:memo: Thanks — noted as *${escapeMrkdwn(CAUSE_WORDS[picked.category])}*. It is kept with the redacted log and becomes a test case (\`registry-doctor feedback export\`).`,
      );
    },

    async evidence(ctx) {
      const record = await answerOf(ctx, answers, ctx.value);
      if (!record) return;
      await ctx.ephemeral(renderFullEvidence(record));
    },
  };
}
