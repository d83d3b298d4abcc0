// Local fakes of the two CI APIs the worker fetches failed-job logs from, speaking their wire protocol:
// GitHub REST `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs` answers 302 to a short-lived download
// URL (as github.com does), which serves the log as text/plain; GitLab `GET /api/v4/projects/{id}/jobs/{job_id}/trace`
// answers the trace as text/plain with a PRIVATE-TOKEN header. Both check the token and record requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  status: number;
}

abstract class FakeApi {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const status = this.handle(req, res);
      this.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, status });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): number;

  protected json(res: ServerResponse, status: number, body: unknown): number {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    return status;
  }
}

export class FakeGitHub extends FakeApi {
  /** Job logs by `owner/repo/jobId`. */
  readonly logs = new Map<string, string>();

  constructor(private readonly token: string) {
    super();
  }

  protected handle(req: IncomingMessage, res: ServerResponse): number {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const download = /^\/download\/([^/]+)\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (download && req.method === 'GET') {
      // The signed download URL needs no Authorization (the signature is in the query), like the real blob URL.
      const log = this.logs.get(`${download[1]}/${download[2]}/${download[3]}`);
      if (!log || url.searchParams.get('sig') !== 'fake-signature') return this.json(res, 403, { message: 'AuthenticationFailed' });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(log);
      return 200;
    }
    const logs = /^\/repos\/([^/]+)\/([^/]+)\/actions\/jobs\/(\d+)\/logs$/.exec(url.pathname);
    if (!logs || req.method !== 'GET') return this.json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      return this.json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }
    if (!this.logs.has(`${logs[1]}/${logs[2]}/${logs[3]}`)) return this.json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run' });
    res.writeHead(302, { location: `${this.url}/download/${logs[1]}/${logs[2]}/${logs[3]}?sig=fake-signature` }).end();
    return 302;
  }
}

export class FakeGitLab extends FakeApi {
  /** Traces by `projectId/jobId`. */
  readonly traces = new Map<string, string>();

  constructor(private readonly token: string) {
    super();
  }

  protected handle(req: IncomingMessage, res: ServerResponse): number {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const trace = /^\/api\/v4\/projects\/([^/]+)\/jobs\/(\d+)\/trace$/.exec(url.pathname);
    if (!trace || req.method !== 'GET') return this.json(res, 404, { error: '404 Not Found' });
    if (req.headers['private-token'] !== this.token) return this.json(res, 401, { message: '401 Unauthorized' });
    const text = this.traces.get(`${decodeURIComponent(trace[1]!)}/${trace[2]}`);
    if (text === undefined) return this.json(res, 404, { message: '404 Not found' });
    res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
    return 200;
  }
}
