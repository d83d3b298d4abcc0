// A fake Google Compute Engine metadata server (what GKE workload identity and Cloud Run serve the same way),
// reached by google-auth-library through GCE_METADATA_HOST. Every request must carry `Metadata-Flavor: Google`
// and every answer carries it back, as the real server does. Serves what application default credentials ask:
// `GET /computeMetadata/v1/instance` (detection), `…/instance/service-accounts/default/token?scopes=…`
// (`{access_token, expires_in, token_type}`), `…/default/email`, `…/project/project-id`,
// `…/universe/universe-domain`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetadataRequest {
  path: string;
  query: URLSearchParams;
  flavor: string | undefined;
  status: number;
}

export class FakeGceMetadata {
  readonly requests: MetadataRequest[] = [];
  readonly violations: string[] = [];
  /** The access tokens handed out, newest last. */
  readonly tokens: string[] = [];
  private server: Server | undefined;

  constructor(
    readonly email: string,
    readonly projectId: string,
    /** Told each token as it is handed out (so a fake API can accept it, as Google's would). */
    private readonly onToken: (token: string) => void = () => {},
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://metadata');
      const flavor = req.headers['metadata-flavor'] as string | undefined;
      const answer = (status: number, body: string, type = 'application/text'): void => {
        this.requests.push({ path: url.pathname, query: url.searchParams, flavor, status });
        res.writeHead(status, { 'metadata-flavor': 'Google', 'content-type': type }).end(body);
      };
      if (req.method !== 'GET') return answer(405, 'Method Not Allowed');
      if (flavor !== 'Google') {
        this.violations.push(`${url.pathname}: no Metadata-Flavor: Google header`);
        return answer(403, 'Missing Metadata-Flavor:Google header.');
      }
      switch (url.pathname) {
        case '/computeMetadata/v1/instance':
        case '/computeMetadata/v1/instance/':
          return answer(200, 'attributes/\nhostname\nid\nservice-accounts/\nzone\n');
        case '/computeMetadata/v1/instance/service-accounts/default/token': {
          const token = `ya29.c.metadata-${this.tokens.length + 1}-${Math.random().toString(36).slice(2)}`;
          this.tokens.push(token);
          this.onToken(token);
          return answer(200, JSON.stringify({ access_token: token, expires_in: 3599, token_type: 'Bearer' }), 'application/json');
        }
        case '/computeMetadata/v1/instance/service-accounts/default/email':
          return answer(200, this.email);
        case '/computeMetadata/v1/project/project-id':
          return answer(200, this.projectId);
        case '/computeMetadata/v1/universe/universe-domain':
          return answer(200, 'googleapis.com');
        default:
          return answer(404, 'Not Found');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** `host:port`, as GCE_METADATA_HOST takes it. */
  get host(): string {
    return `127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
