// The live part of the generic OCI adapter: probes any registry answers (the Distribution API, and the
// network path to it from the bot). Loaded only through src/probes/load-live.ts.
import { lookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Observation } from '../../engine/diagnosis.js';
import { CloudError } from '../../probes/cloud-error.js';
import { Secret } from '../../probes/secret.js';
import type { ProbeContext, ProbeDefinition, ProbeOutcome, RegistryLogin } from '../../probes/types.js';
import { bareHost } from '../remediation-kit.js';

/**
 * The registry's base URL as Docker reaches it: https; on a loopback host or one the config marks insecure
 * (Docker's `insecure-registries` rule), https when the host completes a TLS handshake, else plain http.
 */
export async function registryBase(context: Pick<ProbeContext, 'image' | 'registry' | 'signal'>): Promise<URL> {
  const host = context.image.host === 'docker.io' ? 'registry-1.docker.io' : context.image.host;
  const secure = new URL(`https://${host}/`);
  if (context.registry?.insecure !== true && !isLoopback(bareHost(host))) return secure;
  return (await speaksTls(secure, context.signal)) ? secure : new URL(`http://${host}/`);
}

async function speaksTls(url: URL, signal: AbortSignal): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = tlsConnect({ host, port: Number(url.port || 443), servername: isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  try {
    await once(socket, 'secureConnect', signal);
    return true;
  } catch (error) {
    if (signal.aborted) throw error;
    return false;
  } finally {
    socket.destroy();
  }
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

/**
 * Observations about the identity's rights only mean something when the credentials are the pusher's
 * (a preflight); the bot's own read-only credentials say nothing about the CI job's.
 */
function aboutIdentity(context: ProbeContext, observation: Observation): Observation[] {
  return context.purpose === 'preflight' ? [observation] : [];
}

// ---------------------------------------------------------------------------------------------------
// DNS, TCP, TLS

const CERT_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

/** Resolve when `socket` emits `ok`; reject on its error or when the signal aborts (the socket is destroyed). */
function once(socket: Socket | TLSSocket, ok: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once(ok, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}

function networkFailure(detail: string, evidence: string, state: Observation['state']): ProbeOutcome {
  return { status: 'failed', detail, observations: [{ kind: 'confirm', category: 'network', evidence, ...(state ? { state } : {}) }] };
}

/**
 * DNS, TCP and (for https) TLS to the registry's URL, timed, with the certificate's trust and expiry.
 * `ca` adds trusted roots (tests; a private CA is otherwise the system's business).
 */
export async function checkConnection(base: URL, signal: AbortSignal, why: string, ca?: string): Promise<ProbeOutcome> {
  const host = base.hostname.replace(/^\[|\]$/g, '');
  const https = base.protocol === 'https:';
  const port = Number(base.port || (https ? 443 : 80));
  const target = `${host}:${port}`;

  let started = performance.now();
  let address: string;
  try {
    address = isIP(host) ? host : (await lookup(host)).address;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    return networkFailure(`DNS: ${host} does not resolve (${code})`, `${host} does not resolve from the bot's network (${code})`, { dns: code });
  }
  const dnsMs = elapsed(started);

  started = performance.now();
  const socket = new Socket();
  try {
    socket.connect({ host: address, port });
    await once(socket, 'connect', signal);
  } catch (error) {
    socket.destroy();
    if (signal.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    return networkFailure(
      `DNS ${dnsMs} ms (${address}); TCP to ${target} failed (${code})`,
      `TCP connection to ${target} (${address}) failed: ${code}`,
      { address, port, tcp: code },
    );
  }
  const tcpMs = elapsed(started);
  const timings = `DNS ${dnsMs} ms (${address}), TCP ${tcpMs} ms`;
  if (!https) {
    socket.destroy();
    return {
      status: 'ok',
      detail: `${timings}; plain http (${why})`,
      observations: [{ kind: 'refute', category: 'network', evidence: `${target} accepts TCP connections from the bot's network` }],
    };
  }

  started = performance.now();
  const secure = tlsConnect({ socket, host, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...(ca ? { ca } : {}) });
  try {
    await once(secure, 'secureConnect', signal);
  } catch (error) {
    secure.destroy();
    if (signal.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    return networkFailure(`${timings}; TLS handshake failed (${code})`, `TLS handshake with ${target} failed: ${code}`, { tls: code });
  }
  const tlsMs = elapsed(started);
  const certificate = secure.getPeerCertificate();
  const authorizationError = secure.authorized ? undefined : String(secure.authorizationError ?? 'UNTRUSTED');
  secure.destroy();

  const validTo = certificate.valid_to ? new Date(certificate.valid_to) : undefined;
  const daysLeft = validTo ? Math.floor((validTo.getTime() - Date.now()) / DAY_MS) : undefined;
  const until = validTo ? `certificate valid until ${validTo.toISOString().slice(0, 10)} (${daysLeft} days)` : 'no certificate dates';
  const detail = `${timings}, TLS ${tlsMs} ms; ${until}`;
  if (authorizationError) {
    return networkFailure(`${detail}; not trusted: ${authorizationError}`, `the TLS certificate of ${target} is not trusted: ${authorizationError}`, {
      certificateError: authorizationError,
      ...(validTo ? { validTo: validTo.toISOString() } : {}),
    });
  }
  return {
    status: 'ok',
    detail: daysLeft !== undefined && daysLeft < CERT_WARNING_DAYS ? `${detail} — renew it soon` : detail,
    observations: [{ kind: 'refute', category: 'network', evidence: `${target} resolves, accepts TCP and completes a trusted TLS handshake from the bot's network` }],
  };
}

const connection: ProbeDefinition = {
  name: 'net.connect',
  providers: 'any',
  needs: [],
  async run(context) {
    const outcome = await checkConnection(await registryBase(context), context.signal, context.registry?.insecure ? 'marked insecure' : 'loopback');
    // Probing from the bot's network (Slack, webhooks), what it can reach says nothing about the runner's
    // network, which the log shows: the timings are shown, and nothing is confirmed or refuted by them.
    return context.networkOf === 'bot' ? { status: outcome.status, detail: outcome.detail } : outcome;
  },
};

// ---------------------------------------------------------------------------------------------------
// The Distribution API

const ping: ProbeDefinition = {
  name: 'oci.ping',
  providers: 'any',
  needs: [],
  async run(context): Promise<ProbeOutcome> {
    const url = new URL('v2/', await registryBase(context));
    const response = await fetch(url, { signal: context.signal });
    await response.body?.cancel();
    throwIfThrottled(response, 'GET /v2/');
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (response.status === 200) return { status: 'ok', detail: `${url.host} answers /v2/ (no credentials asked)` };
    if (response.status === 401 && challenge) {
      const bearer = challenge.scheme === 'bearer';
      const realm = bearer && challenge.params.realm ? ` from ${challenge.params.realm}` : '';
      return { status: 'ok', detail: `${url.host} answers /v2/ and asks for ${bearer ? 'a Bearer token' : 'Basic credentials'}${realm}` };
    }
    return {
      status: 'failed',
      detail: `${url.host} answers /v2/ with HTTP ${response.status}${challenge ? '' : ' and no auth challenge'}: not an OCI registry endpoint as configured`,
    };
  },
};

function throwIfThrottled(response: Response, what: string): void {
  if (response.status === 429) {
    throw new CloudError('oci', 'TOOMANYREQUESTS', 'throttled', `${what} was throttled by the registry (HTTP 429).`, true, 429);
  }
}

/** The login for the registry host: configured username/password, else the cloud's own (ECR token…). */
async function loginFor(context: ProbeContext): Promise<RegistryLogin | undefined> {
  const { credentials } = context;
  if (credentials.source === 'configured') {
    const { username, password } = credentials.values;
    if (username && password) return { username: username.reveal(), password };
  }
  if (credentials.source !== 'configured' && credentials.source !== 'default-chain') return undefined;
  return context.cloudLogin?.(context);
}

function basic(login: RegistryLogin): string {
  return `Basic ${Buffer.from(`${login.username}:${login.password.reveal()}`).toString('base64')}`;
}

type Authorization =
  | { ok: true; scheme: 'none' | 'basic' | 'bearer'; header?: Secret; granted?: string[] }
  | { ok: false; status: number; realm: string };

/** The `access` actions a registry token grants on `repository`, when the token is a readable JWT. */
export function grantedActions(token: string, repository: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { access?: { type?: string; name?: string; actions?: string[] }[] };
    if (!Array.isArray(claims.access)) return undefined;
    return claims.access.filter((a) => a.type === 'repository' && a.name === repository).flatMap((a) => a.actions ?? []);
  } catch {
    return undefined;
  }
}

/** Answer the registry's challenge for `repository:NAME:push,pull`, as `docker push` would. */
async function authorize(context: ProbeContext, login: RegistryLogin | undefined): Promise<Authorization> {
  const base = await registryBase(context);
  const response = await fetch(new URL('v2/', base), { signal: context.signal });
  await response.body?.cancel();
  throwIfThrottled(response, 'GET /v2/');
  if (response.status === 200) return { ok: true, scheme: 'none' };
  const challenge = parseChallenge(response.headers.get('www-authenticate'));
  if (response.status !== 401 || !challenge) {
    throw new CloudError('oci', `HTTP_${response.status}`, 'service', `GET /v2/ on ${base.host} answered HTTP ${response.status} without an auth challenge.`, response.status >= 500, response.status);
  }
  if (challenge.scheme === 'basic') return { ok: true, scheme: 'basic', ...(login ? { header: new Secret(basic(login)) } : {}) };

  const realm = challenge.params.realm ?? '';
  const tokenUrl = new URL(realm, base);
  if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
  tokenUrl.searchParams.set('scope', `repository:${context.image.repository}:push,pull`);
  const tokenResponse = await fetch(tokenUrl, { signal: context.signal, headers: login ? { authorization: basic(login) } : {} });
  throwIfThrottled(tokenResponse, 'the token request');
  if (tokenResponse.status === 401 || tokenResponse.status === 403) {
    await tokenResponse.body?.cancel();
    return { ok: false, status: tokenResponse.status, realm: tokenUrl.origin + tokenUrl.pathname };
  }
  if (!tokenResponse.ok) {
    await tokenResponse.body?.cancel();
    throw new CloudError('oci', `HTTP_${tokenResponse.status}`, 'service', `The token service at ${tokenUrl.host} answered HTTP ${tokenResponse.status}.`, tokenResponse.status >= 500, tokenResponse.status);
  }
  const body = (await tokenResponse.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new CloudError('oci', 'NO_TOKEN', 'service', `The token service at ${tokenUrl.host} answered without a token.`, false);
  const granted = grantedActions(token, context.image.repository);
  return { ok: true, scheme: 'bearer', header: new Secret(`Bearer ${token}`), ...(granted ? { granted } : {}) };
}

/** Whose credentials were sent, in words; when none, why none. */
function whose(login: RegistryLogin | undefined, context: ProbeContext): string {
  if (login) return `the credentials of ${login.username}`;
  return context.credentials.source === 'missing' ? `no credentials (${context.credentials.reason})` : 'no credentials';
}

const pushScope: ProbeDefinition = {
  name: 'oci.push-scope',
  providers: 'any',
  needs: [],
  async run(context): Promise<ProbeOutcome> {
    const login = await loginFor(context);
    const auth = await authorize(context, login);
    const repository = context.image.repository;
    if (!auth.ok) {
      return {
        status: 'failed',
        detail: `the token service at ${auth.realm} refused ${whose(login, context)} (HTTP ${auth.status})`,
        observations: aboutIdentity(context, {
          kind: 'confirm',
          category: 'auth_missing',
          evidence: `the token service at ${auth.realm} refused ${whose(login, context)} (HTTP ${auth.status})`,
          resource: context.image.host,
        }),
      };
    }
    if (auth.scheme === 'none') return { status: 'ok', detail: `${context.image.host} asks for no credentials at all` };
    if (auth.scheme === 'basic') {
      return { status: 'ok', detail: `${context.image.host} uses Basic auth (no token scopes); oci.upload checks the push right itself` };
    }
    if (!auth.granted) return { status: 'ok', detail: `a token for repository:${repository}:push,pull was issued to ${whose(login, context)}; its scopes are not readable, oci.upload checks push` };
    const granted = auth.granted.length ? auth.granted.join(',') : 'nothing';
    if (auth.granted.includes('push') || auth.granted.includes('*')) {
      return { status: 'ok', detail: `a token for ${repository} grants ${granted} to ${whose(login, context)}` };
    }
    return {
      status: 'failed',
      detail: `asked for push,pull on ${repository}; the token grants ${whose(login, context)} only ${granted}`,
      observations: aboutIdentity(context, {
        kind: 'confirm',
        category: 'permission_denied',
        evidence: `the registry grants ${login?.username ?? 'anonymous'} only ${granted} on \`${repository}\` (push was asked)`,
        resource: `${context.image.host}/${repository}`,
        state: { granted: auth.granted },
      }),
    };
  },
};

/** Whether the registry takes the credentials at all (no repository needed): `/registry status` asks this. */
const login: ProbeDefinition = {
  name: 'oci.login',
  providers: 'any',
  needs: ['credentials'],
  async run(context): Promise<ProbeOutcome> {
    const credentials = await loginFor(context);
    if (!credentials) return { status: 'skipped', detail: `no registry login is configured for ${context.image.host} (credentials.probe username and password)` };
    const base = await registryBase(context);
    const ping = await fetch(new URL('v2/', base), { signal: context.signal });
    await ping.body?.cancel();
    throwIfThrottled(ping, 'GET /v2/');
    const challenge = parseChallenge(ping.headers.get('www-authenticate'));
    if (ping.status === 200) return { status: 'ok', detail: `${base.host} asks for no credentials` };
    let url = new URL('v2/', base);
    if (challenge?.scheme === 'bearer') {
      url = new URL(challenge.params.realm ?? '', base);
      if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    }
    const answer = await fetch(url, { signal: context.signal, headers: { authorization: basic(credentials) } });
    await answer.body?.cancel();
    throwIfThrottled(answer, 'the login');
    if (answer.ok) return { status: 'ok', detail: `${base.host} accepts the credentials of ${credentials.username}` };
    const refused = `${base.host} refused the credentials of ${credentials.username} (HTTP ${answer.status})`;
    return {
      status: 'failed',
      detail: refused,
      observations: aboutIdentity(context, { kind: 'confirm', category: 'auth_missing', evidence: refused, resource: context.image.host }),
    };
  },
};

interface DistributionError {
  code?: string;
  message?: string;
}

async function errorsOf(response: Response): Promise<DistributionError[]> {
  try {
    const body = (await response.json()) as { errors?: DistributionError[] };
    return Array.isArray(body.errors) ? body.errors : [];
  } catch {
    return [];
  }
}

const upload: ProbeDefinition = {
  name: 'oci.upload',
  providers: 'any',
  needs: [],
  async run(context): Promise<ProbeOutcome> {
    const login = await loginFor(context);
    if (!login && context.purpose === 'diagnose') {
      return { status: 'skipped', detail: `no registry credentials for ${context.image.host}: the push right was not tried` };
    }
    const auth = await authorize(context, login);
    const repository = context.image.repository;
    const resource = `${context.image.host}/${repository}`;
    if (!auth.ok) {
      return {
        status: 'failed',
        detail: `no token: the token service refused ${whose(login, context)} (HTTP ${auth.status})`,
        observations: aboutIdentity(context, { kind: 'confirm', category: 'auth_missing', evidence: `the token service at ${auth.realm} refused ${whose(login, context)}`, resource: context.image.host }),
      };
    }
    const base = await registryBase(context);
    const headers: Record<string, string> = auth.header ? { authorization: auth.header.reveal() } : {};
    const started = await fetch(new URL(`v2/${repository}/blobs/uploads/`, base), { method: 'POST', headers, signal: context.signal });
    throwIfThrottled(started, `POST /v2/${repository}/blobs/uploads/`);
    if (started.status === 202) {
      await started.body?.cancel();
      const location = started.headers.get('location');
      if (!location) return { status: 'ok', detail: `push allowed: an upload to ${repository} was started (202); the registry gave no location to cancel it` };
      const cancelled = await fetch(new URL(location, base), { method: 'DELETE', headers, signal: context.signal });
      await cancelled.body?.cancel();
      return {
        status: 'ok',
        detail: `push allowed for ${whose(login, context)}: an upload to ${repository} was started (202) and cancelled (${cancelled.status}); nothing was written`,
        observations: aboutIdentity(context, { kind: 'refute', category: 'permission_denied', evidence: `an upload to \`${repository}\` was accepted (202) and cancelled`, resource }),
      };
    }

    const errors = await errorsOf(started);
    const first = errors[0];
    const said = first ? `${first.code ?? 'ERROR'}${first.message ? `: ${first.message}` : ''}` : `HTTP ${started.status}`;
    const detail = `POST /v2/${repository}/blobs/uploads/ was refused (HTTP ${started.status}, ${said})`;
    const challenge = parseChallenge(started.headers.get('www-authenticate'));
    const codes = new Set(errors.map((e) => e.code));
    if (started.status === 404 || codes.has('NAME_UNKNOWN')) {
      return { status: 'failed', detail, observations: [{ kind: 'confirm', category: 'repo_not_found', evidence: `the registry says \`${repository}\` is unknown (${said})`, resource }] };
    }
    if (started.status === 403 && errors.some((e) => /client with IP|not allowed access/i.test(e.message ?? ''))) {
      return { status: 'failed', detail, observations: [{ kind: 'confirm', category: 'firewall_denied', evidence: `the registry refused the bot's address: ${said}`, resource: context.image.host }] };
    }
    const insufficientScope = challenge?.params.error === 'insufficient_scope' || codes.has('DENIED') || started.status === 403;
    const category = insufficientScope && (auth.scheme === 'bearer' || started.status === 403) ? 'permission_denied' : 'auth_missing';
    return {
      status: 'failed',
      detail,
      observations: aboutIdentity(context, {
        kind: 'confirm',
        category,
        evidence:
          category === 'permission_denied'
            ? `${login?.username ?? 'anonymous'} may not push to \`${repository}\`: the upload was refused (${said})`
            : login
              ? `the registry did not accept ${whose(login, context)} for a push to \`${repository}\` (${said})`
              : `the registry wants credentials for a push to \`${repository}\` and was sent ${whose(login, context)} (${said})`,
        resource,
        ...(auth.granted ? { state: { granted: auth.granted } } : {}),
      }),
    };
  },
};

export const probes: readonly ProbeDefinition[] = [connection, ping, login, pushScope, upload];
