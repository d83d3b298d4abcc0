// A local fake of the Slack Web API (and of response_url): answers like Slack, records every call, and can be
// told to fail a method with not_in_channel / channel_not_found / ratelimited (429 + Retry-After) / HTTP 500,
// or to hold a method to a workspace rate limit as Slack's tiers do (429 + Retry-After beyond it).
//
// File uploads as Slack documents them (files.uploadV2 in the SDK is these three steps):
// - `files.getUploadURLExternal` (form: `filename`, `length` in bytes, optional `snippet_type`, `alt_txt`) →
//   `{ok, upload_url, file_id}`; no filename or a length that is not a positive integer → `invalid_arguments`.
// - `POST <upload_url>` with the bytes, raw or as multipart/form-data (the SDK sends one file part) → HTTP 200
//   `OK - <bytes>`; an upload URL not handed out → 404. Told to fail as method `upload` (`fail('upload', …)`).
// - `files.completeUploadExternal` (`files` a JSON array of `{id, title}`, optional `channel_id`, `thread_ts`,
//   `initial_comment`) → `{ok, files: [{id, name, title, filetype, size, …}]}` and the file is shared: a message
//   with `files` (each `{id, name, title}`) appears in the channel (or its thread), read back by
//   conversations.history / conversations.replies as Slack does (the answer names no message `ts`). A file id
//   never uploaded, or whose bytes differ in length from the `length` announced → `file_not_found` (Slack does
//   not finish an upload it did not get).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSocketMode } from './slack-socket.js';

export interface RecordedCall {
  method: string;
  /** Decoded parameters; JSON-valued form fields (`blocks`, `view`) are parsed. */
  params: Record<string, unknown>;
  /** The raw request body, for "does this secret appear anywhere" checks. */
  raw: string;
  contentType: string;
  authorization: string | undefined;
  /** HTTP status we answered with. */
  status: number;
  /** We answered with an error (as told by `fail`, or not authenticated). */
  failed: boolean;
  /** What we answered (ok answers), e.g. the `ts` a message got. */
  response?: Record<string, unknown>;
  at: number;
}

export interface StoredMessage {
  type: 'message';
  user: string;
  bot_id: string;
  text: string;
  ts: string;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Files shared with the message (files.completeUploadExternal). */
  files?: Array<{ id: string; name: string; title: string }>;
}

/** A file shared through files.completeUploadExternal, with the bytes the upload URL received. */
export interface SharedFile {
  id: string;
  name: string;
  title: string;
  snippetType: string | undefined;
  content: string;
  channel: string | undefined;
  threadTs: string | undefined;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  raw: string;
}

/** HTTP-level failures, or any Slack error code answered as `{ok: false, error}`. */
export type FailureKind = 'ratelimited' | 'server_error' | 'not_in_channel' | 'channel_not_found' | 'invalid_auth' | (string & {});

interface Failure {
  method: string;
  kind: FailureKind;
  remaining: number;
  when?: (params: Record<string, unknown>) => boolean;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decode(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) {
    try {
      return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  const params: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if ((v.startsWith('[') || v.startsWith('{')) && ['blocks', 'attachments', 'view', 'metadata', 'files'].includes(k)) {
      try {
        params[k] = JSON.parse(v);
        continue;
      } catch {
        // keep the string
      }
    }
    params[k] = v;
  }
  return params;
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  private readonly failures: Failure[] = [];
  private readonly limits = new Map<string, { perWindow: number; windowMs: number; answered: number[] }>();
  private readonly delays: Array<{ method: string; ms: number; remaining: number; when?: (params: Record<string, unknown>) => boolean }> = [];
  private server: Server | undefined;
  private tsCounter = 0;
  private readonly history = new Map<string, StoredMessage[]>();
  /** Retry-After seconds on 429s (1 keeps the suite fast). */
  retryAfterSeconds = 1;
  /** User groups and their members, for `usergroups.users.list`. */
  readonly usergroups = new Map<string, string[]>();
  /** Socket Mode: `apps.connections.open` answers with a ws:// URL served here. */
  readonly socketMode = new FakeSocketMode();
  /** Files shared into conversations, in order. */
  readonly sharedFiles: SharedFile[] = [];
  private fileCounter = 0;
  private readonly uploads = new Map<string, { filename: string; length: number; snippetType: string | undefined; bytes?: Buffer }>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.socketMode.attach(this.server);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** Value for SLACK_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A response_url that records what is POSTed to it. */
  responseUrl(id = `R${Math.random().toString(36).slice(2, 10)}`): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  /** Make the next `times` calls of `method` (matching `when`) fail. */
  fail(method: string, kind: FailureKind, times = 1, when?: (params: Record<string, unknown>) => boolean): void {
    this.failures.push({ method, kind, remaining: times, ...(when ? { when } : {}) });
  }

  /**
   * Hold `method` to Slack's kind of limit, workspace-wide: a call that would make more than `perWindow` answered
   * calls within any `windowMs` gets 429 with Retry-After (Tier 3 chat.update: 50 a minute).
   */
  limit(method: string, perWindow: number, windowMs: number): void {
    this.limits.set(method, { perWindow, windowMs, answered: [] });
  }

  /** Hold the answer to the next `times` calls of `method` (matching `when`) for `ms`. */
  delay(method: string, ms: number, times = 1, when?: (params: Record<string, unknown>) => boolean): void {
    this.delays.push({ method, ms, remaining: times, ...(when ? { when } : {}) });
  }

  /** Every call of a method, answered or still held (for "was it attempted"). */
  attempts(method: string, filter?: (c: RecordedCall) => boolean): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && (!filter || filter(c)));
  }

  /** Calls of a method that we answered with ok: true. */
  ok(method: string, filter?: (c: RecordedCall) => boolean): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && !c.failed && (!filter || filter(c)));
  }

  reset(): void {
    this.calls.length = 0;
    this.responseUrlPosts.length = 0;
    this.failures.length = 0;
  }

  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; calls: ${this.calls.map((c) => `${c.method}:${c.status}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    this.socketMode.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections?.();
  }

  /** Slack's ts: the epoch second of the post, and a sequence that keeps it unique and ordered. */
  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private page(messages: StoredMessage[], params: Record<string, unknown>): Record<string, unknown> {
    const oldest = Number(params.oldest ?? 0);
    const withMetadata = params.include_all_metadata === true || params.include_all_metadata === 'true';
    const matching = messages.filter((m) => Number(m.ts) > oldest).map(({ metadata, ...m }) => (withMetadata && metadata ? { ...m, metadata } : m));
    const limit = Math.min(Math.max(Number(params.limit ?? 100) || 100, 1), 999);
    const skip = Number(params.cursor ?? 0) || 0;
    const slice = matching.slice(skip, skip + limit);
    const more = skip + limit < matching.length;
    return { ok: true, messages: slice, has_more: more, response_metadata: { next_cursor: more ? String(skip + limit) : '' } };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const raw = body.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const contentType = String(req.headers['content-type'] ?? '');
    if (url.pathname.startsWith('/upload/v1/')) return this.receiveUpload(url.pathname.slice('/upload/v1/'.length), body, contentType, res);
    if (url.pathname.startsWith('/response/')) {
      this.responseUrlPosts.push({ id: url.pathname.slice('/response/'.length), body: decode(raw, 'application/json'), raw });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const params = decode(raw, contentType);
    const record = (status: number, failed = false, response?: Record<string, unknown>) =>
      this.calls.push({ method, params, raw, contentType, authorization: req.headers.authorization, status, failed, at: Date.now(), ...(response ? { response } : {}) });

    const delay = this.delays.find((d) => d.method === method && d.remaining > 0 && (!d.when || d.when(params)));
    if (delay) delay.remaining -= 1;
    const found = this.failures.find((f) => f.method === method && f.remaining > 0 && (!f.when || f.when(params)));
    if (found) found.remaining -= 1;
    const failure = found ?? (this.overLimit(method) ? { method, kind: 'ratelimited', remaining: 0 } : undefined);
    const authed = req.headers.authorization?.startsWith('Bearer ') || 'token' in params;
    const refused = !failure && authed ? this.refuseMessage(method, params) : undefined;
    // Slack acts on a call before it answers: a slow answer (delay) still posts the message.
    const answer = !failure && authed && !refused ? this.answer(method, params) : undefined;
    if (delay) {
      this.calls.push({ method, params, raw, contentType, authorization: req.headers.authorization, status: 0, failed: true, at: Date.now() });
      await new Promise((r) => setTimeout(r, delay.ms));
      if (res.destroyed || req.socket.destroyed) return;
    }
    if (failure) {
      switch (failure.kind) {
        case 'ratelimited':
          record(429, true);
          res.writeHead(429, { 'retry-after': String(this.retryAfterSeconds), 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
          return;
        case 'server_error':
          record(500, true);
          res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
          return;
        default:
          record(200, true);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: failure.kind }));
          return;
      }
    }
    if (!answer) {
      record(200, true);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: refused ?? 'not_authed' }));
      return;
    }
    record(200, answer.ok === false, answer);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  /** True when one more call of `method` would break its limit; otherwise the call is counted. */
  private overLimit(method: string): boolean {
    const limit = this.limits.get(method);
    if (!limit) return false;
    const now = Date.now();
    while (limit.answered.length && now - limit.answered[0]! >= limit.windowMs) limit.answered.shift();
    if (limit.answered.length >= limit.perWindow) return true;
    limit.answered.push(now);
    return false;
  }

  /** The upload URL's answer: the bytes, raw or the one file part of a multipart form. */
  private async receiveUpload(fileId: string, body: Buffer, contentType: string, res: ServerResponse): Promise<void> {
    const upload = this.uploads.get(fileId);
    const failure = this.failures.find((f) => f.method === 'upload' && f.remaining > 0);
    if (failure) failure.remaining -= 1;
    let bytes = body;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
      const part = [...form.values()].find((v): v is File => typeof v !== 'string');
      bytes = part ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
    }
    const params = { file_id: fileId, bytes: bytes.length };
    if (failure || !upload) {
      const status = failure ? 500 : 404;
      this.calls.push({ method: 'upload', params, raw: '', contentType, authorization: undefined, status, failed: true, at: Date.now() });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(failure ? 'internal error' : 'not found');
      return;
    }
    upload.bytes = bytes;
    this.calls.push({ method: 'upload', params, raw: bytes.toString('utf8'), contentType, authorization: undefined, status: 200, failed: false, at: Date.now() });
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
  }

  /** files.completeUploadExternal: share every file uploaded in full, or none. */
  private completeUploads(params: Record<string, unknown>): Record<string, unknown> {
    const files = Array.isArray(params.files) ? (params.files as Array<{ id?: unknown; title?: unknown }>) : undefined;
    if (!files || files.length === 0) return { ok: false, error: 'invalid_arguments' };
    const done = files.map((f) => ({ id: String(f.id), title: typeof f.title === 'string' ? f.title : undefined, upload: this.uploads.get(String(f.id)) }));
    if (done.some((f) => !f.upload?.bytes || f.upload.bytes.length !== f.upload.length)) return { ok: false, error: 'file_not_found' };
    const channel = typeof params.channel_id === 'string' ? params.channel_id : undefined;
    const threadTs = typeof params.thread_ts === 'string' ? params.thread_ts : undefined;
    const shared = done.map(({ id, title, upload }) => {
      this.uploads.delete(id);
      const file: SharedFile = { id, name: upload!.filename, title: title ?? upload!.filename, snippetType: upload!.snippetType, content: upload!.bytes!.toString('utf8'), channel, threadTs };
      this.sharedFiles.push(file);
      return file;
    });
    if (channel) {
      const message: StoredMessage = {
        type: 'message',
        user: 'U0BOT',
        bot_id: 'B0BOT',
        text: typeof params.initial_comment === 'string' ? params.initial_comment : '',
        ts: this.nextTs(),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        files: shared.map((f) => ({ id: f.id, name: f.name, title: f.title })),
      };
      this.history.set(channel, [...this.messages(channel), message]);
    }
    return {
      ok: true,
      files: shared.map((f) => ({ id: f.id, name: f.name, title: f.title, mode: f.snippetType ? 'snippet' : 'hosted', filetype: f.snippetType ?? 'text', size: Buffer.byteLength(f.content) })),
    };
  }

  /** Messages of a channel as Slack keeps them (newest last), with their metadata. */
  messages(channel: string): StoredMessage[] {
    return this.history.get(channel) ?? [];
  }

  /**
   * What Slack itself refuses in a message, whatever the test asked: more than 50 blocks (invalid_blocks),
   * blocks over about 12,000 characters of JSON (msg_blocks_too_long), text over 40,000 (msg_too_long).
   */
  private refuseMessage(method: string, params: Record<string, unknown>): string | undefined {
    if (!['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(method)) return undefined;
    const blocks = params.blocks;
    if (typeof blocks === 'string') return 'invalid_blocks_format';
    if (Array.isArray(blocks)) {
      if (blocks.length > 50) return 'invalid_blocks';
      if (JSON.stringify(blocks).length > FakeSlack.BLOCKS_JSON_LIMIT) return 'msg_blocks_too_long';
    }
    if (typeof params.text === 'string' && params.text.length > 40_000) return 'msg_too_long';
    return undefined;
  }

  /** Characters of `blocks` JSON beyond which the fake answers msg_blocks_too_long (Slack's is about this). */
  static readonly BLOCKS_JSON_LIMIT = 12_000;

  private answer(method: string, params: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'registry-doctor', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        const metadata = params.metadata as StoredMessage['metadata'] | undefined;
        const message: StoredMessage = {
          type: 'message',
          user: 'U0BOT',
          bot_id: 'B0BOT',
          text: String(params.text ?? ''),
          ts,
          ...(params.thread_ts ? { thread_ts: String(params.thread_ts) } : {}),
          ...(metadata && typeof metadata === 'object' ? { metadata } : {}),
        };
        const channel = String(params.channel);
        this.history.set(channel, [...this.messages(channel), message]);
        const { metadata: _hidden, ...shown } = message;
        return { ok: true, channel, ts, message: shown };
      }
      case 'conversations.history': {
        // Top-level messages newest first, ts > oldest, `limit` a page (cursor = how many to skip);
        // metadata only with include_all_metadata, as Slack does.
        const all = this.messages(String(params.channel)).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
        return this.page(all.reverse(), params);
      }
      case 'conversations.replies': {
        // The parent then its replies, oldest first.
        const all = this.messages(String(params.channel)).filter((m) => m.ts === params.ts || m.thread_ts === params.ts);
        if (all.length === 0) return { ok: false, error: 'thread_not_found' };
        return this.page(all, params);
      }
      case 'files.getUploadURLExternal': {
        const length = Number(params.length);
        if (typeof params.filename !== 'string' || params.filename === '' || !Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
        this.fileCounter += 1;
        const fileId = `F${String(this.fileCounter).padStart(8, '0')}`;
        this.uploads.set(fileId, { filename: params.filename, length, snippetType: typeof params.snippet_type === 'string' ? params.snippet_type : undefined });
        return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/v1/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal':
        return this.completeUploads(params);
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket-mode` };
      case 'chat.update':
        return { ok: true, channel: params.channel, ts: params.ts, text: params.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'conversations.open': {
        // The app's DM with a user: D + the user id without its U (stable, as Slack's is per user).
        const user = String(params.users ?? '').split(',')[0] ?? '';
        return { ok: true, channel: { id: `D${user.replace(/^[UW]/, '')}` } };
      }
      case 'chat.getPermalink':
        return { ok: true, channel: params.channel, permalink: `https://fake.slack.com/archives/${String(params.channel)}/p${String(params.message_ts).replace('.', '')}` };
      case 'usergroups.users.list': {
        const users = this.usergroups.get(String(params.usergroup));
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: `V${this.tsCounter}`, ...(params.view as object) } };
      default:
        return { ok: true };
    }
  }
}
