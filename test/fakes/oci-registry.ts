// A REAL OCI registry for the tests: Debian's `docker-registry` (CNCF distribution 2.8) on loopback, with
// htpasswd auth, or token auth backed by a small token server here that signs RS256 JWTs (so a user can be
// allowed to pull but not to push, which htpasswd cannot express: it grants every user everything).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createSign, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess } from './app-process.js';

export interface RegistryUser {
  password: string;
  /** Token auth only: the actions granted on every repository (htpasswd grants everything). */
  actions?: string[];
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, as in an image reference. */
  host: string;
  /** Token requests seen (token auth), with the scope asked for. */
  tokenRequests: { user?: string; scope?: string }[];
  /** Stop the registry (the token server too). Idempotent. */
  stop(): Promise<void>;
}

export interface RegistryOptions {
  auth: 'htpasswd' | 'token';
  users: Record<string, RegistryUser>;
}

const SERVICE = 'registry-doctor-test';
const ISSUER = 'registry-doctor-test-issuer';

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-registry-'));
  const tokenRequests: RunningRegistry['tokenRequests'] = [];
  let tokenServer: Server | undefined;
  let auth: string;

  if (options.auth === 'htpasswd') {
    const lines = Object.entries(options.users).map(([user, { password }]) =>
      execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }).trim(),
    );
    writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    auth = `  htpasswd:\n    realm: registry-doctor-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=token-signer', '-days', '1'], { stdio: 'ignore' });
    const key = createPrivateKey(readFileSync(join(dir, 'key.pem')));
    const certificate = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
    tokenServer = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://token');
      const scope = url.searchParams.get('scope') ?? undefined;
      const header = request.headers.authorization ?? '';
      const [user, password] = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString().split(':') : [];
      tokenRequests.push({ ...(user ? { user } : {}), ...(scope ? { scope } : {}) });
      const known = user ? options.users[user] : undefined;
      if (user && (!known || known.password !== password)) {
        response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'invalid username or password' }));
        return;
      }
      const access = [];
      const match = scope ? /^repository:([^:]+):(.+)$/.exec(scope) : null;
      if (match) {
        const allowed = known?.actions ?? [];
        access.push({ type: 'repository', name: match[1], actions: match[2]!.split(',').filter((a) => allowed.includes(a)) });
      }
      const now = Math.floor(Date.now() / 1000);
      const jwt = signJwt(
        { alg: 'RS256', typ: 'JWT', x5c: [certificate.raw.toString('base64')] },
        { iss: ISSUER, aud: SERVICE, sub: user ?? '', exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access },
        key,
      );
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: jwt, access_token: jwt, expires_in: 300 }));
    });
    await new Promise<void>((resolve) => tokenServer!.listen(0, '127.0.0.1', resolve));
    const address = tokenServer.address();
    const tokenPort = typeof address === 'object' && address ? address.port : 0;
    auth = `  token:\n    realm: http://127.0.0.1:${tokenPort}/token\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n    rootcertbundle: ${join(dir, 'cert.pem')}\n`;
  }

  // Port 0, and the address read from the registry's own "listening on" line: a free port picked here and bound
  // later by the registry could be taken by another test's server in between.
  const config = `version: 0.1
log:
  level: info
  formatter: json
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
auth:
${auth}`;
  writeFileSync(join(dir, 'config.yml'), config);
  const proc: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const listening = new Promise<string>((resolve, reject) => {
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const address = /"msg":"listening on (127\.0\.0\.1:\d+)"/.exec(stderr)?.[1];
      if (address) resolve(address);
    });
    proc.once('error', reject);
    proc.once('exit', (code, signal) => reject(new Error(`exited with ${code ?? signal}`)));
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopProcess(proc);
    await new Promise<void>((resolve) => (tokenServer ? tokenServer.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The line comes once the socket is bound: connections from here on are answered.
    return { host: await listening, tokenRequests, stop };
  } catch (error) {
    await stop();
    throw new Error(`docker-registry did not start: ${(error as Error).message}\n${stderr}`);
  }
}

function signJwt(header: object, claims: object, key: ReturnType<typeof createPrivateKey>): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode(header)}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(body).sign(key).toString('base64url');
  return `${body}.${signature}`;
}
