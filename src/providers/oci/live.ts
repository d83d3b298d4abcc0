// The live part of the generic OCI adapter: probes any registry answers through the Distribution API.
// Loaded only through src/probes/load-live.ts.
import { isIP } from 'node:net';
import type { ProbeContext, ProbeDefinition, ProbeOutcome } from '../../probes/types.js';
import { bareHost } from '../remediation-kit.js';

/** Plain http only where Docker itself allows it: loopback hosts and hosts the config marks insecure. */
export function registryBaseUrl(context: Pick<ProbeContext, 'image' | 'registry'>): URL {
  const host = context.image.host === 'docker.io' ? 'registry-1.docker.io' : context.image.host;
  const plain = context.registry?.insecure === true || isLoopback(bareHost(host));
  return new URL(`${plain ? 'http' : 'https'}://${host}/`);
}

function isLoopback(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

/** `Bearer realm="…",service="…"` → its scheme and parameters. */
export function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const part of match[2]!.matchAll(/(\w+)="([^"]*)"|(\w+)=([^,\s]*)/g)) {
    const key = (part[1] ?? part[3])!.toLowerCase();
    params[key] = part[2] ?? part[4] ?? '';
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

const ping: ProbeDefinition = {
  name: 'oci.ping',
  providers: 'any',
  needs: [],
  async run(context): Promise<ProbeOutcome> {
    const url = new URL('v2/', registryBaseUrl(context));
    const response = await fetch(url, { signal: context.signal, redirect: 'follow' });
    await response.body?.cancel();
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (response.status === 200) return { status: 'ok', detail: `${url.host} answers /v2/ (no credentials asked)` };
    if (response.status === 401 && challenge) {
      const realm = challenge.params.realm ? ` at ${challenge.params.realm}` : '';
      return { status: 'ok', detail: `${url.host} answers /v2/ and asks for ${challenge.scheme === 'bearer' ? 'a Bearer token' : 'Basic credentials'}${realm}` };
    }
    return {
      status: 'failed',
      detail: `${url.host} answers /v2/ with HTTP ${response.status}${challenge ? '' : ' and no auth challenge'}: not an OCI registry endpoint as configured`,
    };
  },
};

export const probes: readonly ProbeDefinition[] = [ping];
