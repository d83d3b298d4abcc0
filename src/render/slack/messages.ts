// Slack views other than the diagnosis thread reply: the ack, the parent status message, help, status, the
// modal, App Home and the failure notes. Every user-supplied string is escaped; ids are validated upstream.
import type { KnownBlock, View } from '@slack/types';
import { escapeMrkdwn, truncate } from './mrkdwn.js';
import type { ProbeStatus } from '../../engine/vocabulary.js';

export interface SlackText {
  text: string;
  blocks: KnownBlock[];
}

/** What App Home and `status` know about a configured registry. */
export interface RegistrySummary {
  name: string;
  provider: string;
  host: string;
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
  source: 'command' | 'modal';
  /** The top finding, once known. */
  top?: { category: string; title: string; confidence?: number };
  /** How many findings in total. */
  findingCount?: number;
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
} as const;
/** The registry picker's value when no registry is chosen (or none is configured). */
export const ANY_REGISTRY = '__any__';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SECTION_MAX) }] });
const code = (text: string) => `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;

/** The ephemeral answer to `/registry diagnose …`, sent as the ack. */
export function renderAck(jobId: string): SlackText {
  const text = `:mag: Diagnosing… the findings will be posted in this channel, in a thread (job ${escapeMrkdwn(jobId)}).`;
  return { text, blocks: [section(text)] };
}

const STATUS_LINE: Record<ParentStatus, string> = {
  queued: ':hourglass_flowing_sand: queued',
  diagnosing: ':mag: diagnosing…',
  probing: ':satellite_antenna: probing the registry…',
  retrying: ':repeat: retrying',
  done: ':white_check_mark: done',
  failed: ':x: failed',
};

/** The message in the channel whose thread holds the findings; updated as work progresses. */
export function renderParentMessage(input: ParentMessageInput): SlackText {
  const what = input.image ? ` for ${code(input.image)}` : '';
  const where = input.registry ? ` (registry ${code(input.registry)})` : '';
  const kind = input.purpose === 'preflight' ? 'Preflight check' : 'Push failure diagnosis';
  const head = `*${kind}*${what}${where}, asked by <@${input.user}>`;
  let status = `*Status:* ${STATUS_LINE[input.status]}`;
  if (input.status === 'probing' && input.probes) {
    const p = input.probes;
    const running = p.running.length ? ` (running: ${p.running.slice(0, 6).map(code).join(', ')}${p.running.length > 6 ? ', …' : ''})` : '';
    status += ` ${p.done} of ${p.total} checks against ${code(p.registry)} done${running}`;
  }
  let fallback = `Push failure diagnosis: ${input.status}`;
  if (input.status === 'done' && input.verdict === 'push_allowed') {
    status += ' — a push would succeed now: the registry accepted an upload, which was cancelled. Details in the thread.';
    fallback = 'Preflight check: a push would succeed';
  } else if (input.status === 'done') {
    if (input.top) {
      const conf = input.top.confidence === undefined ? '' : ` (${Math.round(input.top.confidence * 100)}% sure)`;
      status += ` — top finding: *${escapeMrkdwn(input.top.category)}*: ${escapeMrkdwn(input.top.title)}${conf}`;
      const more = (input.findingCount ?? 1) - 1;
      if (more > 0) status += ` (+${more} more)`;
      status += '. Details in the thread.';
      fallback = `Push failure diagnosis: ${input.top.category}: ${input.top.title}`;
    } else if (input.purpose === 'preflight') {
      status += ' — could not tell whether a push would succeed (see the checks in the thread).';
      fallback = 'Preflight check: could not tell';
    } else {
      status += ' — no registry failure recognised in the log. Details in the thread.';
      fallback = 'Push failure diagnosis: no registry failure recognised';
    }
    const p = input.probes;
    if (p?.statuses) {
      const counts = Object.entries(p.statuses).map(([name, n]) => `${n} ${name}`).join(', ');
      status += `\n*Probes:* ${p.total} checks against ${code(p.registry)} in ${formatSeconds(p.ms ?? 0)} (${counts}).`;
    }
  }
  if (input.status === 'retrying' || input.status === 'failed') {
    const n = input.status === 'failed' ? `after ${input.attempts ?? input.attempt ?? 1} attempts` : `(attempt ${input.attempt ?? 1} of ${input.attempts ?? '?'} failed)`;
    const reason = input.error ? `: ${escapeMrkdwn(truncate(input.error, 300))}` : '';
    status += ` — diagnosis ${input.status === 'failed' ? 'failed' : 'will be retried'} ${n}${reason}`;
    fallback = input.status === 'failed' ? `Diagnosis failed ${n}${input.error ? `: ${input.error}` : ''}` : fallback;
  }
  return {
    text: escapeMrkdwn(truncate(fallback, 300)),
    blocks: [section(head), section(status), context(`job ${escapeMrkdwn(input.jobId)} · from ${input.source === 'modal' ? 'the diagnose form' : 'a slash command'}`)],
  };
}

/** A thread note when a job fails for good (the parent is updated too). */
export function renderFailureNote(attempts: number, reason: string): SlackText {
  const text = `:x: Diagnosis failed after ${attempts} attempts: ${escapeMrkdwn(truncate(reason, 500))}. Try again, or run \`registry-doctor diagnose --log <file>\` locally.`;
  return { text, blocks: [section(text)] };
}

/** Sent through response_url when the bot cannot post in the channel. */
export function renderInviteHint(command: string): SlackText {
  const text =
    `:wave: I can't post in this conversation, so the diagnosis has nowhere to go. ` +
    `Invite me with \`/invite @registry-doctor\` and run \`${escapeMrkdwn(command)} diagnose …\` again. ` +
    `(In a direct message with someone else, use a channel I'm in instead.)`;
  return { text, blocks: [section(text)] };
}

/** Through response_url (ephemeral) when a job fails for good before anything could be posted. */
export function renderEphemeralFailure(attempts: number, reason: string): SlackText {
  const text = `:x: Diagnosis failed after ${attempts} attempts: ${escapeMrkdwn(truncate(reason, 500))}.`;
  return { text, blocks: [section(text)] };
}

export function renderUsage(command: string, unknown?: string, note?: string): SlackText {
  const c = escapeMrkdwn(command);
  const lead = (note ? `${note}\n` : '') + (unknown !== undefined ? `I don't know \`${escapeMrkdwn(truncate(unknown, 50))}\`. ` : '');
  const text =
    `${lead}Usage:\n` +
    `• \`${c} diagnose <image-ref and/or pasted error>\` — why did this push fail?\n` +
    `• \`${c} diagnose\` — open a form to paste a log (up to 3,000 characters; for longer logs use the CLI)\n` +
    `• \`${c} check <image-ref>\` — preflight: would a push succeed right now? (no log needed)\n` +
    `• \`${c} status\` — configured registries, and whether the bot's credentials work on each\n` +
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
  const text = `Usage: \`${c} check <image-ref>\`, e.g. \`${c} check ghcr.io/acme/app:1.0\`${not}.`;
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
export function renderStatus(registries: readonly RegistrySummary[], health?: readonly RegistryHealthLine[]): SlackText {
  if (registries.length === 0) {
    const text = 'No registries are configured (see `registries` in registry-doctor.yml). Diagnoses use the log alone.';
    return { text, blocks: [section(text)] };
  }
  if (!health) {
    const lines = registries.map((r) => `• ${code(r.name)} — ${escapeMrkdwn(r.provider)} \`${escapeMrkdwn(r.host)}\``);
    const text = `*Configured registries* — checking the bot's credentials on each now; the answer follows here.\n${lines.join('\n')}`;
    return { text: `Checking ${registries.length} configured ${registries.length === 1 ? 'registry' : 'registries'}…`, blocks: [section(text)] };
  }
  const lines = health.map(
    (h) =>
      `• ${HEALTH_ICON[h.status]} ${code(h.registry.name)} — ${escapeMrkdwn(h.registry.provider)} \`${escapeMrkdwn(h.registry.host)}\`: ${escapeMrkdwn(h.status)} (${code(h.probe)}, ${Math.round(h.durationMs)} ms) — ${escapeMrkdwn(truncate(h.detail, 400))}`,
  );
  const ok = health.filter((h) => h.status === 'ok').length;
  const text = `*Configured registries* — ${ok} of ${health.length} accept the bot's credentials\n${lines.join('\n')}`;
  return { text: `Registry status: ${ok} of ${health.length} OK`, blocks: [section(text)] };
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export interface ModalMetadata {
  channel: string;
  responseUrl?: string;
  command: string;
}

/** The form behind `/registry diagnose` with no text. */
export function buildDiagnoseModal(registries: readonly RegistrySummary[], metadata: ModalMetadata): View {
  const options = [
    { text: { type: 'plain_text' as const, text: registries.length ? 'Any / detect from the log' : 'Any (no registries configured)' }, value: ANY_REGISTRY },
    ...registries.slice(0, 99).map((r) => ({
      text: { type: 'plain_text' as const, text: truncate(`${r.name} (${r.provider})`, 75) },
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

/** App Home: the viewer's recent diagnoses (only their own: others may come from private channels) and the registries. */
export function renderHome(recent: readonly RecentDiagnosis[], registries: readonly RegistrySummary[], now = Date.now()): View {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'registry-doctor' } },
    context('Why did that image push fail? Run `/registry diagnose <image or pasted error>` in a channel, or `/registry help`.'),
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: 'Your recent diagnoses' } },
  ];
  if (recent.length === 0) blocks.push(section('_None yet._'));
  for (const r of recent.slice(0, 20)) {
    const what = r.category ? `*${escapeMrkdwn(r.category)}* — ${escapeMrkdwn(r.title ?? '')}` : 'no registry failure recognised';
    const image = r.image ? ` · ${code(r.image)}` : '';
    blocks.push(section(`${what}${image}\n<#${r.channel}> · <@${r.user}> · ${ago(now - r.at)} · job ${escapeMrkdwn(r.jobId)}`));
  }
  blocks.push({ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: 'Registries' } });
  blocks.push(renderStatus(registries).blocks[0] as KnownBlock);
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
