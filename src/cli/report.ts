// `registry-doctor report`: the CI step after a failed push. Reads the log, prints the diagnosis (so the CI log
// itself names the cause), redacts, signs and sends it to the bot's /webhooks/ci, retrying 503s and network
// errors with backoff. The bot being down never fails the pipeline: a warning and exit 0, unless --strict.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signCiBody } from '../alerts/ci-signature.js';
import { cutLog, redactAndCut } from '../engine/cut-log.js';
import { diagnose } from '../engine/diagnose.js';
import { parseImageRef } from '../engine/image-ref.js';
import { renderText } from '../render/text.js';
import { parseOrThrow } from './args.js';
import { pipelineFromEnv, type PipelineFacts } from './ci-env.js';
import { REPORT_HELP } from './help.js';
import { EXIT, openInput, PROGRAM, Sink, usageError, type CliIO } from './io.js';

const COMMAND = 'report';
/** What is sent at most; the bot cuts again to its own limit. */
const MAX_LOG_CHARS = 5 * 1024 * 1024;

export interface ReportTransport {
  /** Injected in tests; `fetch` otherwise. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

async function readAll(chunks: AsyncIterable<Buffer>): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  for await (const chunk of chunks) {
    text += decoder.decode(chunk, { stream: true });
    // Keep memory bounded on a huge log: the cut keeps its failure lines and its tail.
    if (text.length > 4 * MAX_LOG_CHARS) text = cutLog(text, 2 * MAX_LOG_CHARS);
  }
  return text + decoder.decode();
}

const validUrl = (url: string | undefined) => (url !== undefined && URL.canParse(url) && /^https?:/.test(url) ? url : undefined);

export async function runReport(args: string[], io: CliIO, transport: ReportTransport = {}): Promise<number> {
  const { values } = parseOrThrow(
    () =>
      parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: {
          log: { type: 'string', short: 'l' },
          image: { type: 'string', short: 'i' },
          url: { type: 'string' },
          channel: { type: 'string' },
          'runner-ip': { type: 'string' },
          retries: { type: 'string' },
          strict: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }),
    COMMAND,
  );
  const out = new Sink(io.stdout);
  const err = new Sink(io.stderr);
  if (values.help) {
    await out.write(REPORT_HELP);
    return EXIT.ok;
  }
  const env = io.env ?? {};
  const base = values.url ?? env.REGISTRY_DOCTOR_URL;
  if (!base) throw usageError('no bot address: set REGISTRY_DOCTOR_URL (or --url https://bot.example.com)', COMMAND);
  if (!URL.canParse(base)) throw usageError(`invalid bot address '${base}'`, COMMAND);
  const secret = env.CI_WEBHOOK_SECRET;
  if (!secret) throw usageError('CI_WEBHOOK_SECRET is not set (the secret shared with the bot)', COMMAND);
  const retries = values.retries === undefined ? 5 : Number(values.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) throw usageError('--retries must be a whole number from 0 to 20', COMMAND);
  if (values.image !== undefined && !parseImageRef(values.image).ok) throw usageError(`invalid --image '${values.image}'`, COMMAND);
  if (values.channel !== undefined && !/^[CG][A-Z0-9]{2,}$/.test(values.channel)) throw usageError('--channel must be a Slack channel id such as C012ABCDEF', COMMAND);

  let path = values.log;
  if (path === undefined) {
    if (io.stdin.isTTY) throw usageError('no log given: use --log FILE, or pipe the failed step\'s output on stdin', COMMAND);
    path = '-';
  }
  // Redacted before it is printed, diagnosed or sent.
  const log = redactAndCut(await readAll(await openInput(path, io)), MAX_LOG_CHARS);
  if (log.trim() === '') {
    await err.write(`${PROGRAM}: the log is empty: nothing to report\n`);
    return values.strict ? EXIT.usage : EXIT.ok;
  }

  const detected = pipelineFromEnv(env);
  const pipeline: PipelineFacts | undefined = detected ? { ...detected, ...(validUrl(detected.url) ? {} : { url: undefined }) } : undefined;
  if (pipeline && pipeline.url === undefined) delete pipeline.url;
  const runnerIp = values['runner-ip'];
  const diagnosis = diagnose({ log, ...(values.image ? { image: values.image } : {}), ...(runnerIp ? { runnerIp } : {}) });
  const color = Boolean(io.stdout.isTTY) && !env.NO_COLOR;
  await out.write(renderText(diagnosis, { color }));

  const body = JSON.stringify({
    log,
    ...(values.image ? { image: values.image } : {}),
    ...(runnerIp ? { runner_ip: runnerIp } : {}),
    ...(values.channel ? { channel: values.channel } : {}),
    ...(pipeline ? { pipeline } : {}),
  });
  const result = await send(new URL('webhooks/ci', base.endsWith('/') ? base : `${base}/`).toString(), secret, body, retries, transport);
  if (result.ok) {
    await err.write(`${PROGRAM}: reported to the bot (alert ${result.id})\n`);
    return EXIT.ok;
  }
  await err.write(`${PROGRAM}: warning: could not report to the bot: ${result.reason}${values.strict ? '' : ' (the pipeline is not failed for this; use --strict to fail it)'}\n`);
  return values.strict ? EXIT.internal : EXIT.ok;
}

type SendResult = { ok: true; id: string } | { ok: false; reason: string };

/** POST with retries on 503/502/504/429 and network errors: 1 s, 2 s, 4 s, … (at most 30 s apart). */
async function send(url: string, secret: string, body: string, retries: number, transport: ReportTransport): Promise<SendResult> {
  const doFetch = transport.fetch ?? fetch;
  const sleep = transport.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // One delivery id across retries: the bot stores a retried delivery once.
  const delivery = randomUUID();
  let reason = 'not sent';
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (attempt > 0) await sleep(Math.min(30_000, 1000 * 2 ** (attempt - 1)));
    // Signed at each attempt: the timestamp must be fresh.
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signCiBody(secret, timestamp, body), [DELIVERY_HEADER]: delivery },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status === 202) {
        const id = (() => {
          try {
            return String((JSON.parse(text) as { id?: unknown }).id ?? '?');
          } catch {
            return '?';
          }
        })();
        return { ok: true, id };
      }
      const message = (() => {
        try {
          return String((JSON.parse(text) as { error?: unknown }).error ?? text);
        } catch {
          return text;
        }
      })().slice(0, 300);
      reason = `HTTP ${res.status}${message ? `: ${message}` : ''}`;
      if (![429, 502, 503, 504].includes(res.status)) return { ok: false, reason };
    } catch (error) {
      reason = `network error: ${(error as Error).message}`;
    }
  }
  return { ok: false, reason: `${reason} (after ${retries + 1} attempts)` };
}
