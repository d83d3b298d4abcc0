// What every fake cloud API server shares: routing, a record of each request, checks on what a client sends
// (a broken expectation answers 400 and is kept in `violations`, which tests assert empty), and injected
// trouble per route: throttling (429 + Retry-After), an error status, or an answer held back (timeouts).
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SelfSignedCert } from './self-signed-cert.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordedRequest extends FakeRequest {
  /** The route that answered (`unmatched` when none did). */
  route: string;
  status: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Fault =
  /** 429 with Retry-After, in the provider's error shape. */
  | { kind: 'throttle'; retryAfterSeconds?: number }
  /** An error status; `code` and `message` default to what the provider says for that status. */
  | { kind: 'status'; status: number; code?: string; message?: string }
  /** No answer until the client gives up or the fake closes. */
  | { kind: 'hold' };

export interface Route {
  name: string;
  method: string;
  path: RegExp;
  handle(request: FakeRequest, match: RegExpExecArray): Reply;
}

/** Thrown inside a handler when a request breaks the wire contract; answered 400 and recorded. */
export class WireViolation extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export abstract class CloudFake {
  readonly requests: RecordedRequest[] = [];
  /** What clients sent that the real service would refuse or that the documented protocol does not allow. */
  readonly violations: string[] = [];
  private readonly faults: Array<{ route: string; fault: Fault; remaining: number }> = [];
  private readonly held = new Set<ServerResponse>();
  private server: Server | undefined;
  /** Every answer waits this long first (benchmarks: a cloud that answers in 200 ms). */
  latencyMs = 0;

  protected abstract readonly routes: readonly Route[];

  /** The provider's error body for a status (and its own default code and message). */
  protected abstract errorReply(status: number, code?: string, message?: string): Reply;

  constructor(private readonly tls?: SelfSignedCert) {}

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = this.tls ? createHttpsServer({ key: this.tls.key, cert: this.tls.cert }, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** `host:port`, as a registry host or an endpoint authority. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}`;
  }

  /** Answer the next `times` requests of a route with trouble instead of the modelled state. */
  inject(route: string, fault: Fault, times = 1): void {
    if (!this.routes.some((r) => r.name === route)) throw new Error(`no route ${route} in ${this.constructor.name}`);
    this.faults.push({ route, fault, remaining: times });
  }

  /** Requests a route received (answered or held). */
  received(route: string): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  /** Requests held back by a `hold` fault and not yet dropped. */
  get heldCount(): number {
    return this.held.size;
  }

  protected expect(condition: unknown, message: string): asserts condition {
    if (!condition) throw new WireViolation(message);
  }

  private takeFault(route: string): Fault | undefined {
    const entry = this.faults.find((f) => f.route === route && f.remaining > 0);
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: await readBody(req),
    };
    let routeName = 'unmatched';
    let reply: Reply;
    const found = this.routes
      .map((route) => ({ route, match: route.method === request.method ? route.path.exec(request.path) : null }))
      .find((candidate) => candidate.match !== null);
    if (!found) {
      this.violations.push(`${request.method} ${request.path}: no such operation`);
      reply = this.errorReply(404);
    } else {
      routeName = found.route.name;
      const fault = this.takeFault(routeName);
      if (fault?.kind === 'hold') {
        this.requests.push({ ...request, route: routeName, status: 0 });
        this.held.add(res);
        res.on('close', () => this.held.delete(res));
        return;
      }
      reply = fault ? this.faultReply(fault) : this.answer(found.route, request, found.match!);
    }
    this.requests.push({ ...request, route: routeName, status: reply.status });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...reply.headers });
    res.end(body);
  }

  private answer(route: Route, request: FakeRequest, match: RegExpExecArray): Reply {
    try {
      return route.handle(request, match);
    } catch (error) {
      if (!(error instanceof WireViolation)) throw error;
      this.violations.push(`${route.name}: ${error.message}`);
      return this.errorReply(400, undefined, error.message);
    }
  }

  private faultReply(fault: Exclude<Fault, { kind: 'hold' }>): Reply {
    if (fault.kind === 'status') return this.errorReply(fault.status, fault.code, fault.message);
    const reply = this.errorReply(429);
    return { ...reply, headers: { ...reply.headers, 'retry-after': String(fault.retryAfterSeconds ?? 1) } };
  }
}

/** The bearer token of a request, if any. */
export function bearerOf(request: FakeRequest): string | undefined {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  return match?.[1];
}
