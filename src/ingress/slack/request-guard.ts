// In front of Bolt's receiver: read the body (bounded), check the signature and a timestamp within 5 minutes
// either way, and refuse a body Bolt would choke on (`payload=null`, a JSON `null`, a repeated form field) with
// a 4xx and a JSON message. Bolt reads the body we buffered (`rawBody`) and verifies it again.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from '../../ops/logger.js';

/** Slack's own bound on a request's age; a timestamp this far in the future is refused too. */
const MAX_SKEW_SECONDS = 5 * 60;

export interface RequestGuardOptions {
  signingSecret: string;
  bodyLimit: number;
  logger: Logger;
  now?: () => number;
}

type Verdict = { ok: true; raw: Buffer } | { ok: false; status: number; error: string };

/** The request's identity for replay checks: the same body is the same request (Slack puts a trigger_id or event_id in each). */
export function requestKey(raw: Buffer | string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 32);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function verifySignature(req: IncomingMessage, raw: Buffer, secret: string, nowSeconds: number): string | undefined {
  const ts = header(req, 'x-slack-request-timestamp');
  const signature = header(req, 'x-slack-signature');
  if (!ts || !signature || !/^\d{1,12}$/.test(ts)) return 'missing or malformed signature headers';
  if (Math.abs(nowSeconds - Number(ts)) > MAX_SKEW_SECONDS) return 'request timestamp is more than 5 minutes away from now';
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(raw).digest('hex')}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch';
  return undefined;
}

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The shape Bolt relies on: a form with single-valued fields whose `payload` (if any) is a JSON object, or a JSON object. */
function checkShape(raw: Buffer, contentType: string): string | undefined {
  const text = raw.toString('utf8');
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const form = parseQuery(text);
    const repeated = Object.entries(form).find(([, v]) => Array.isArray(v));
    if (repeated) return `form field "${repeated[0].slice(0, 40)}" is repeated`;
    if (form.payload === undefined) return undefined;
    let payload: unknown;
    try {
      payload = JSON.parse(String(form.payload));
    } catch {
      return 'payload is not valid JSON';
    }
    return isObject(payload) ? checkInteraction(payload as Record<string, unknown>) : 'payload is not a JSON object';
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not valid JSON';
  }
  if (!isObject(body)) return 'body is not a JSON object';
  const { type, event } = body as { type?: unknown; event?: unknown };
  if (type === 'event_callback' && !isObject(event)) return 'event_callback without an event object';
  return undefined;
}

/** What Bolt reads from an interaction before any listener runs: the actions of a click, the view of a form. */
function checkInteraction(payload: Record<string, unknown>): string | undefined {
  const { type, actions, view } = payload;
  if ((type === 'block_actions' || type === 'interactive_message') && !(Array.isArray(actions) && actions.length > 0 && actions.every(isObject))) {
    return `${type} without a list of actions`;
  }
  if ((type === 'view_submission' || type === 'view_closed') && !isObject(view)) return `${type} without a view object`;
  return undefined;
}

async function inspect(req: IncomingMessage, options: RequestGuardOptions): Promise<Verdict> {
  const raw = await readBody(req, options.bodyLimit);
  if (!raw) return { ok: false, status: 413, error: 'request body too large' };
  const contentType = header(req, 'content-type') ?? '';
  // Slack's ssl_check comes unsigned; Bolt answers it (and strips anything else from the body).
  if (contentType.startsWith('application/x-www-form-urlencoded') && parseQuery(raw.toString('utf8')).ssl_check === '1') return { ok: true, raw };
  const now = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const refused = verifySignature(req, raw, options.signingSecret, now);
  if (refused) return { ok: false, status: 401, error: refused };
  const malformed = checkShape(raw, contentType);
  if (malformed) return { ok: false, status: 400, error: malformed };
  return { ok: true, raw };
}

/** Wrap Bolt's request listener: only well-formed, signed, fresh requests reach it; nothing a request holds can throw past here. */
export function guardSlackRequests(handle: (req: IncomingMessage, res: ServerResponse) => void, options: RequestGuardOptions) {
  const answer = (res: ServerResponse, status: number, error: string) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    inspect(req, options)
      .then((verdict) => {
        if (!verdict.ok) {
          options.logger.warn({ status: verdict.status, reason: verdict.error }, 'refused a Slack request');
          answer(res, verdict.status, verdict.error);
          return;
        }
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = verdict.raw;
        handle(req, res);
      })
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'could not read a Slack request');
        answer(res, 400, 'could not read the request');
      });
  };
}
