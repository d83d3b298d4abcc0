// Slack views other than the diagnosis thread reply: the ack, the parent status message, help, status, the
// modal, App Home and the failure notes. Every user-supplied string is escaped; ids are validated upstream.
import type { KnownBlock, View } from '@slack/types';
import { deliveryMeaning, type DeliveryProblem } from '../../slack/delivery-health.js';
import { isCategory, type Provider } from '../../engine/vocabulary.js';
import { providerName } from '../../providers/index.js';
import { CAUSE_WORDS } from './answer.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';
import type { ProbeStatus } from '../../engine/vocabulary.js';

export interface SlackText {
  text: string;
  blocks: KnownBlock[];
}

/** What App Home and `status` know about a configured registry. */
export interface RegistrySummary {
  name: string;
  provider: Provider;
  host: string;
}

/** "Amazon ECR `host`"; a registry of no known provider is named by its host alone. */
function registryKind(r: RegistrySummary): string {
  const host = `\`${escapeMrkdwn(r.host)}\``;
  const name = providerName(r.provider, r.host);
  return name === r.host ? host : `${escapeMrkdwn(name)} ${host}`;
}

/** A small, redacted record of a past diagnosis (no logs), kept in Redis for App Home. */
export interface RecentDiagnosis {
  jobId: string;
  at: number;
  user: string;
  channel: string;
  parentTs?: string;
  image?: string;
  registry?: string;
  provider?: string;
  category?: string;
  title?: string;
  /** The answer record (buttons, resolved state). */
  answerId?: string;
  private?: boolean;
}

export type ParentStatus = 'queued' | 'diagnosing' | 'probing' | 'retrying' | 'done' | 'failed';

/** Probes under way (or done) for a diagnosis: against which registry, how far, what is still running. */
export interface ProbeProgressSummary {
  registry: string;
  done: number;
  total: number;
  /** Names of the probes still running. */
  running: string[];
  /** Once finished: how long the probes took together. */
  ms?: number;
  /** Once finished: how many ended as each status. */
  statuses?: Partial<Record<ProbeStatus, number>>;
}

export interface ParentMessageInput {
  status: ParentStatus;
  user: string;
  jobId: string;
  image?: string;
  registry?: string;
  source: 'command' | 'modal' | 'rerun';
  /** Once done: the answer sentence (mrkdwn, escaped; see answer.ts). */
  answer?: string;
  /** Once marked resolved: who and when (epoch ms). */
  resolved?: { by: string; at: number };
  attempt?: number;
  attempts?: number;
  /** Short, redacted reason of the last failure. */
  error?: string;
  /** `preflight`: a `check IMAGE` (would a push succeed?), not a failure diagnosis. */
  purpose?: 'diagnose' | 'preflight';
  probes?: ProbeProgressSummary;
  /** A preflight's conclusion, once done. */
  verdict?: 'push_allowed' | 'push_blocked' | 'unknown';
}

/** Max characters of a section's text (Slack allows 3,000). */
const SECTION_MAX = 2900;
const MODAL_LOG_MAX = 3000;

export const MODAL_CALLBACK_ID = 'registry_doctor_diagnose';
export const MODAL_BLOCKS = {
  log: { block: 'log', action: 'log' },
  image: { block: 'image', action: 'image' },
  registry: { block: 'registry', action: 'registry' },
  private: { block: 'private', action: 'private' },
} as const;
/** The registry picker's value when no registry is chosen (or none is configured). */
export const ANY_REGISTRY = '__any__';

const USER = /^[UW][A-Z0-9]+$/;
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SECTION_MAX) }] });
const code = (text: string) => `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;

/** The ephemeral answer to `/registry diagnose …`, sent as the ack. */
export function renderAck(jobId: string, privately = false): SlackText {
  const where = privately ? 'sent only to you, in a direct message from me' : 'posted in this channel, in a thread';
  const text = `:mag: Diagnosing… the answer will be ${where} (job ${escapeMrkdwn(jobId)}).`;
  return { text, blocks: [section(text)] };
}

const STATUS_LINE: Record<Exclude<ParentStatus, 'done'>, string> = {
  queued: ':hourglass_flowing_sand: Push failure diagnosis queued',
  diagnosing: ':mag: Diagnosing the push failure…',
  probing: ':satellite_antenna: Probing the registry…',
  retrying: ':repeat: Diagnosis retrying',
  failed: ':x: Diagnosis could not be completed',
};

const SOURCE_WORDS: Record<ParentMessageInput['source'], string> = { command: 'a slash command', modal: 'the diagnose form', rerun: 'a re-run' };

/** `<!date^…>`: each reader sees the time in their own zone; the fallback is UTC. */
export function slackDate(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16)} UTC>`;
}

/**
 * The message in the channel. Until done it says what is happening; once done it IS the answer (one line:
 * the cause in plain words, whose identity and which permission or repository, the first command), with
 * the person who asked mentioned. Never a tick for a failed push: a tick means someone marked it resolved.
 */
export function renderParentMessage(input: ParentMessageInput): SlackText {
  const mention = USER.test(input.user) ? `<@${input.user}>` : '';
  const what = input.image ? ` for ${code(input.image)}` : '';
  const where = input.registry ? ` (registry ${code(input.registry)})` : '';
  const meta = `job ${escapeMrkdwn(input.jobId)} · from ${SOURCE_WORDS[input.source]}`;
  if (input.status === 'done') {
    let answer = input.answer ?? ':grey_question: *Push failure not recognised.*';
    if (input.verdict === 'push_allowed') answer = ':large_green_circle: *Preflight check:* a push would succeed now: the registry accepted an upload, which was cancelled.';
    else if (input.purpose === 'preflight' && !input.answer) answer = ':grey_question: *Preflight check:* could not tell whether a push would succeed (see the checks in the thread).';
    else if (input.purpose === 'preflight') answer = answer.replace('*Push failed', '*Preflight check: a push would fail');
    const p = input.probes;
    if (p?.statuses) {
      const counts = Object.entries(p.statuses).map(([name, n]) => `${n} ${name}`).join(', ');
      answer += `\n*Probes:* ${p.total} checks against ${code(p.registry)} in ${formatSeconds(p.ms ?? 0)} (${counts}).`;
    }
    const resolved = input.resolved ? `:white_check_mark: *Resolved* by <@${input.resolved.by}> ${slackDate(input.resolved.at)}` : '';
    const text = `${mention} ${answer}`.trim();
    const blocks = [
      section(text),
      ...(resolved ? [section(resolved)] : []),
      context(`${input.image ? `${code(input.image)} · ` : ''}Evidence, the other steps and buttons in the thread · ${meta}`),
    ];
    return { text: truncate(resolved ? `${text} (resolved)` : text, 3000), blocks };
  }
  let status = STATUS_LINE[input.status];
  if (input.status === 'probing' && input.probes) {
    const p = input.probes;
    const running = p.running.length ? ` (running: ${p.running.slice(0, 6).map(code).join(', ')}${p.running.length > 6 ? ', …' : ''})` : '';
    status += ` ${p.done} of ${p.total} checks against ${code(p.registry)} done${running} —`;
  }
  status += `${what}${where}, asked by ${mention}`;
  let fallback = `${STATUS_LINE[input.status]}${what}`;
  if (input.status === 'retrying' || input.status === 'failed') {
    const n = input.status === 'failed' ? `after ${input.attempts ?? input.attempt ?? 1} attempts` : `(attempt ${input.attempt ?? 1} of ${input.attempts ?? '?'} failed)`;
    const reason = input.error ? `: ${escapeMrkdwn(truncate(input.error, 300))}` : '';
    status += ` — ${n}${reason}`;
    fallback += ` ${n}`;
  }
  return { text: truncate(fallback, 300), blocks: [section(status), context(meta)] };
}

/** A thread note when a job fails for good (the parent is updated too). */
export function renderFailureNote(attempts: number, reason: string): SlackText {
  const text = `:x: Diagnosis failed after ${attempts} attempts: ${escapeMrkdwn(truncate(reason, 500))}. Try again, or run \`registry-doctor diagnose --log FILE\` locally.`;
  return { text, blocks: [section(text)] };
}

/**
 * The first words of an answer sent to the person directly (a DM, or response_url) because the channel could
 * not take it: why, and for a channel the bot is not in, how to invite it.
 */
export function renderPrivateNote(why: 'not_in_channel' | 'failed', code: string, command: string): string {
  if (why === 'not_in_channel') {
    return (
      `:wave: I can't post in that conversation (Slack answered \`${escapeMrkdwn(code)}\`), so here is your diagnosis. ` +
      `To get answers in the channel, invite me there with \`/invite @registry-doctor\` and run \`${escapeMrkdwn(command)} diagnose …\` again.`
    );
  }
  return `:warning: Slack would not take the answer in the channel (\`${escapeMrkdwn(code)}\`), so here it is, to you directly.`;
}

export function renderUsage(command: string, unknown?: string, note?: string): SlackText {
  const c = escapeMrkdwn(command);
  const lead = (note ? `${note}\n` : '') + (unknown !== undefined ? `I don't know \`${escapeMrkdwn(truncate(unknown, 50))}\`. ` : '');
  const text =
    `${lead}Usage:\n` +
    `• \`${c} diagnose IMAGE-REF and/or a pasted error\` — why did this push fail?\n` +
    `• \`${c} diagnose --private …\` — the same, answered only to you (in a direct message)\n` +
    `• \`${c} diagnose\` — open a form to paste a log (up to 3,000 characters; for longer logs use the CLI)\n` +
    `• \`${c} check IMAGE-REF\` — preflight: would a push succeed right now? (no log needed)\n` +
    `• \`${c} status\` — configured registries, and whether the bot's credentials work on each\n` +
    `• \`${c} mute FINGERPRINT [1h|24h|resolved]\`, \`${c} unmute FINGERPRINT\` — silence a CI alert (still counted)\n` +
    `• \`${c} help\` — this help`;
  return { text, blocks: [section(text)] };
}

export function renderHelp(command: string, registries: readonly RegistrySummary[]): SlackText {
  const usage = renderUsage(command);
  const c = escapeMrkdwn(command);
  const lines = [
    '*registry-doctor* tells you why a container image push failed (ECR, Artifact Registry/GCR, ACR, Docker Hub, GHCR, any OCI registry).',
    usage.text,
    `Example: \`${c} diagnose denied: requested access to the resource is denied\``,
    'Secrets in what you paste (keys, tokens, passwords) are redacted before anything is stored or posted.',
    'Slack passes at most about 4,000 characters of command text and 3,000 in the form; for whole CI logs use the CLI: `registry-doctor diagnose --log build.log`.',
    registries.length ? `Configured registries: ${registries.map((r) => code(r.name)).join(', ')}` : 'No registries configured: diagnoses come from the log alone.',
  ];
  return { text: usage.text, blocks: lines.map(section) };
}

/** `/registry check` without an image reference. */
export function renderCheckUsage(command: string, given?: string): SlackText {
  const c = escapeMrkdwn(command);
  const not = given ? ` (${code(truncate(given, 100))} is not an image reference)` : '';
  const text = `Usage: \`${c} check IMAGE-REF\`, e.g. \`${c} check ghcr.io/acme/app:1.0\`${not}.`;
  return { text, blocks: [section(text)] };
}

/** One registry's credential check, as `/registry status` shows it. */
export interface RegistryHealthLine {
  registry: RegistrySummary;
  probe: string;
  status: ProbeStatus;
  durationMs: number;
  detail: string;
}

const HEALTH_ICON: Record<ProbeStatus, string> = { ok: ':white_check_mark:', failed: ':x:', error: ':warning:', timeout: ':hourglass:', skipped: ':fast_forward:' };

/**
 * `/registry status`: the configured registries; without `health`, the ack while their credentials are
 * being checked; with it, each registry's answer.
 */
export function renderStatus(registries: readonly RegistrySummary[], health?: readonly RegistryHealthLine[], slackProblems?: readonly DeliveryProblem[]): SlackText {
  const slack = slackProblems ? [section(renderDeliveryHealth(slackProblems))] : [];
  if (registries.length === 0) {
    const none = 'No registries are configured (see `registries` in registry-doctor.yml). Diagnoses use the log alone.';
    const text = health ? none : `${none} Checking the bot's Slack delivery; the answer follows here.`;
    return { text, blocks: [section(text), ...slack] };
  }
  if (!health) {
    const lines = registries.map((r) => `• ${code(r.name)} — ${registryKind(r)}`);
    const text = `*Configured registries* — checking the bot's credentials on each now; the answer follows here.\n${lines.join('\n')}`;
    return { text: `Checking ${registries.length} configured ${registries.length === 1 ? 'registry' : 'registries'}…`, blocks: [section(text)] };
  }
  const lines = health.map(
    (h) =>
      `• ${HEALTH_ICON[h.status]} ${code(h.registry.name)} — ${registryKind(h.registry)}: ${escapeMrkdwn(h.status)} (${code(h.probe)}, ${Math.round(h.durationMs)} ms) — ${escapeMrkdwn(truncate(h.detail, 400))}`,
  );
  const ok = health.filter((h) => h.status === 'ok').length;
  const text = `*Configured registries* — ${ok} of ${health.length} accept the bot's credentials\n${lines.join('\n')}`;
  return { text: `Registry status: ${ok} of ${health.length} OK`, blocks: [section(text), ...slack] };
}

/** The bot's own Slack delivery in the last day: what failed, what it means, what to do. */
function renderDeliveryHealth(problems: readonly DeliveryProblem[]): string {
  if (problems.length === 0) return '*Slack delivery* — :white_check_mark: no failed calls in the last 24 hours';
  const lines = problems.slice(0, 8).map(
    (p) => `• :warning: ${escapeMrkdwn(deliveryMeaning(p.code))} — ${code(p.code)} on ${code(p.method)}, ${p.count}×, last at ${new Date(p.at).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  );
  return `*Slack delivery* — problems in the last 24 hours\n${lines.join('\n')}`;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export interface ModalMetadata {
  channel: string;
  responseUrl?: string;
  command: string;
  /** Tick "only me" from the start (`/registry diagnose --private`). */
  private?: boolean;
}

/** The form behind `/registry diagnose` with no text. */
export function buildDiagnoseModal(registries: readonly RegistrySummary[], metadata: ModalMetadata): View {
  const onlyMe = {
    text: { type: 'mrkdwn' as const, text: '*Answer only me* (in a direct message, not in the channel)' },
    value: 'private',
  };
  const options = [
    { text: { type: 'plain_text' as const, text: registries.length ? 'Any / detect from the log' : 'Any (no registries configured)' }, value: ANY_REGISTRY },
    ...registries.slice(0, 99).map((r) => ({
      text: { type: 'plain_text' as const, text: truncate(`${r.name} (${providerName(r.provider, r.host)})`, 75) },
      value: r.name,
    })),
  ];
  return {
    type: 'modal',
    callback_id: MODAL_CALLBACK_ID,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: 'Diagnose a push' },
    submit: { type: 'plain_text', text: 'Diagnose' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: MODAL_BLOCKS.log.block,
        optional: true,
        label: { type: 'plain_text', text: 'Log or error message' },
        hint: { type: 'plain_text', text: 'Up to 3,000 characters (a Slack limit). Secrets are redacted. For whole CI logs use the registry-doctor CLI.' },
        element: {
          type: 'plain_text_input',
          action_id: MODAL_BLOCKS.log.action,
          multiline: true,
          max_length: MODAL_LOG_MAX,
          placeholder: { type: 'plain_text', text: 'denied: requested access to the resource is denied' },
        },
      },
      {
        type: 'input',
        block_id: MODAL_BLOCKS.image.block,
        optional: true,
        label: { type: 'plain_text', text: 'Image reference' },
        element: {
          type: 'plain_text_input',
          action_id: MODAL_BLOCKS.image.action,
          max_length: 500,
          placeholder: { type: 'plain_text', text: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2.3' },
        },
      },
      {
        type: 'input',
        block_id: MODAL_BLOCKS.registry.block,
        optional: true,
        label: { type: 'plain_text', text: 'Registry' },
        element: { type: 'static_select', action_id: MODAL_BLOCKS.registry.action, options, initial_option: options[0] },
      },
      {
        type: 'input',
        block_id: MODAL_BLOCKS.private.block,
        optional: true,
        label: { type: 'plain_text', text: 'Who sees the answer' },
        element: {
          type: 'checkboxes',
          action_id: MODAL_BLOCKS.private.action,
          options: [onlyMe],
          ...(metadata.private ? { initial_options: [onlyMe] } : {}),
        },
      },
    ],
  };
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** A recent diagnosis as App Home shows it: with its answer, a link to its thread, and whether it was resolved. */
export interface HomeEntry extends RecentDiagnosis {
  answer?: string;
  permalink?: string;
  resolved?: { by: string; at: number };
}

/** A Slack permalink we may link to (https on a slack.com host), or undefined. */
function slackLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' || !/(^|\.)slack\.com$/.test(parsed.hostname) || /[<>|\s]/.test(url)) return undefined;
    return parsed.href.replace(/&/g, '&amp;');
  } catch {
    return undefined;
  }
}

/** App Home: the viewer's recent diagnoses (only their own: others may come from private channels) and the registries. */
export function renderHome(recent: readonly HomeEntry[], registries: readonly RegistrySummary[], now = Date.now()): View {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'registry-doctor' } },
    context('Why did that image push fail? Run `/registry diagnose IMAGE-REF or a pasted error` in a channel, or `/registry help`. Add `--private` to be answered only yourself.'),
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: 'Your recent diagnoses' } },
  ];
  if (recent.length === 0) blocks.push(section('_None yet._'));
  for (const r of recent.slice(0, 20)) {
    const cause = r.category && isCategory(r.category) ? CAUSE_WORDS[r.category] : 'No registry failure recognised';
    const state = r.resolved ? `:white_check_mark: resolved by <@${r.resolved.by}> ${slackDate(r.resolved.at)}` : r.category ? ':red_circle: open' : ':grey_question: open';
    const link = slackLink(r.permalink);
    const where = r.private ? 'in your DMs' : `in <#${r.channel}>`;
    const image = r.image ? ` · ${code(r.image)}` : '';
    const answer = r.answer ? `\n${truncate(r.answer, 600)}` : '';
    blocks.push(section(`*${escapeMrkdwn(cause)}*${image} — ${state}${answer}\n${link ? `<${link}|Open the thread>` : 'thread link unavailable'} ${where} · ${ago(now - r.at)}`));
  }
  blocks.push({ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: 'Registries' } });
  blocks.push(renderStatus(registries).blocks[0] as KnownBlock);
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
