// net.connect over TLS: timings, trust and expiry of the certificate a registry presents.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConnection } from '../../src/providers/oci/live.js';

const dir = mkdtempSync(join(tmpdir(), 'rd-tls-'));
let server: Server;
let url: URL;
let cert: string;

beforeAll(async () => {
  // A certificate for 127.0.0.1 that expires in 5 days: valid, but worth renewing.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=registry.test', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '5'], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_request, response) => response.writeHead(401).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = new URL(`https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('net.connect over TLS', () => {
  it('a certificate nobody vouches for: not trusted → network, with the reason', async () => {
    const outcome = await checkConnection(url, new AbortController().signal, 'https');
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toMatch(/^DNS \d+ ms \(127\.0\.0\.1\), TCP \d+ ms, TLS \d+ ms; certificate valid until \d{4}-\d\d-\d\d \([45] days\); not trusted: DEPTH_ZERO_SELF_SIGNED_CERT$/);
    expect(outcome.observations).toEqual([
      { kind: 'confirm', category: 'network', evidence: `the TLS certificate of ${url.host} is not trusted: DEPTH_ZERO_SELF_SIGNED_CERT`, state: { certificateError: 'DEPTH_ZERO_SELF_SIGNED_CERT', validTo: expect.any(String) } },
    ]);
  });

  it('a trusted certificate: timings and expiry, a warning when it ends within two weeks; network refuted', async () => {
    const outcome = await checkConnection(url, new AbortController().signal, 'https', cert);
    expect(outcome.status).toBe('ok');
    expect(outcome.detail).toMatch(/certificate valid until \d{4}-\d\d-\d\d \([45] days\) — renew it soon$/);
    expect(outcome.observations?.[0]).toMatchObject({ kind: 'refute', category: 'network' });
  });
});
