// A throwaway TLS certificate for https fakes: the Azure SDKs refuse bearer tokens over plain http. Made with
// openssl at test start (SAN IP:127.0.0.1) and trusted in-process, so product code needs no test-only option.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export interface SelfSignedCert {
  key: string;
  cert: string;
}

let made: SelfSignedCert | undefined;

/** One certificate per test process, added to Node's default trusted CAs the first time it is asked for. */
export function selfSignedCert(): SelfSignedCert {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'fake-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    made = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), made.cert]);
  return made;
}
