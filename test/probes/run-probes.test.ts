// The runner on probes defined here: parallel, bounded in time, throttling retried, every failure a result.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { ProbeResult } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { CloudError, toCloudError } from '../../src/probes/cloud-error.js';
import { runProbes, type ProbeTarget, type RunProbesOptions } from '../../src/probes/run-probes.js';
import type { ProbeContext, ProbeDefinition, ProbeOutcome } from '../../src/probes/types.js';

const ECR_HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

function target(reference = `${ECR_HOST}/app:1.0`, facts: ProbeTarget['facts'] = {}): ProbeTarget {
  const parsed = parseImageRef(reference);
  if (!parsed.ok) throw new Error(parsed.error);
  return { image: parsed.ref, provider: parsed.ref.provider, facts };
}

const registries = parseConfig({
  registries: [
    {
      name: 'prod-ecr',
      provider: 'ecr',
      host: ECR_HOST,
      credentials: { probe: { accessKeyId: 'PROBE_KEY_ID', secretAccessKey: 'PROBE_SECRET' } },
    },
    { name: 'chain-ecr', provider: 'ecr', host: '210987654321.dkr.ecr.us-east-1.amazonaws.com', probeTimeoutMs: 150 },
  ],
}).registries;

function options(extra: Partial<RunProbesOptions> = {}): RunProbesOptions {
  return {
    registries,
    env: { PROBE_KEY_ID: 'AKIAEXAMPLEEXAMPLE12', PROBE_SECRET: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    retry: { attempts: 3, baseDelayMs: 1 },
    ...extra,
  };
}

function probe(name: string, run: (context: ProbeContext) => Promise<ProbeOutcome>, fields: Partial<ProbeDefinition> = {}): ProbeDefinition {
  return { name, providers: 'any', needs: [], run, ...fields };
}

const ok = (detail: string): ProbeOutcome => ({ status: 'ok', detail });

/** A promise with its resolve function, to order events without sleeping. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves when the signal aborts (a probe that never answers on its own). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

describe('runProbes', () => {
  it('runs probes in parallel, reports each as it finishes, and keeps the definition order', async () => {
    const second = gate();
    const started: string[] = [];
    const progress: [string | undefined, number, number, string[]][] = [];
    const results = await runProbes(
      target(),
      options({
        probes: [
          // The first cannot finish before the second has: only parallel runs get past this.
          probe('oci.first', async () => {
            started.push('first');
            await second.promise;
            return ok('first done');
          }),
          probe('oci.second', async () => {
            started.push('second');
            second.open();
            return ok('second done');
          }),
        ],
        onProgress: (result, { done, total, pending }) => progress.push([result?.name, done, total, pending]),
      }),
    );
    expect(started).toEqual(['first', 'second']);
    expect(results.map((r) => [r.name, r.status, r.detail, r.registry])).toEqual([
      ['oci.first', 'ok', 'first done', 'prod-ecr'],
      ['oci.second', 'ok', 'second done', 'prod-ecr'],
    ]);
    expect(progress).toEqual([
      [undefined, 0, 2, ['oci.first', 'oci.second']],
      ['oci.second', 1, 2, ['oci.first']],
      ['oci.first', 2, 2, []],
    ]);
  });

  it('records a probe that does not answer in time as timeout, and its signal aborts', async () => {
    let signalled = false;
    const [result] = await runProbes(
      target(),
      options({
        timeoutMs: 30,
        probes: [
          probe('oci.slow', async ({ signal }) => {
            signal.addEventListener('abort', () => (signalled = true));
            return aborted(signal);
          }),
        ],
      }),
    );
    expect(result).toMatchObject({ name: 'oci.slow', status: 'timeout', detail: 'no answer within 30 ms' });
    expect(signalled).toBe(true);
  });

  it('a probe that ignores its signal still ends as timeout; the registry entry sets the budget', async () => {
    const never = new Promise<ProbeOutcome>(() => undefined);
    const [result] = await runProbes(
      target('210987654321.dkr.ecr.us-east-1.amazonaws.com/app:1'),
      options({ timeoutMs: 60_000, probes: [probe('oci.stuck', () => never)] }),
    );
    expect(result).toMatchObject({ status: 'timeout', detail: 'no answer within 150 ms', registry: 'chain-ecr' });
  });

  it('retries throttling with backoff and then succeeds', async () => {
    let calls = 0;
    const [result] = await runProbes(
      target(),
      options({
        probes: [
          probe('ecr.repository', async () => {
            calls += 1;
            if (calls < 3) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
            return ok('repository app exists');
          }, { providers: ['ecr'] }),
        ],
      }),
    );
    expect(calls).toBe(3);
    expect(result).toMatchObject({ status: 'ok', detail: 'repository app exists' });
  });

  it('gives up on throttling after the attempts, as an error people can read', async () => {
    let calls = 0;
    const [result] = await runProbes(
      target(),
      options({
        probes: [
          probe('ecr.repository', async () => {
            calls += 1;
            throw Object.assign(new Error('Too Many Requests'), { $metadata: { httpStatusCode: 429 } });
          }),
        ],
      }),
    );
    expect(calls).toBe(3);
    expect(result!.status).toBe('error');
    expect(result!.detail).toMatch(/^ecr\.repository throttled the request .*HTTP 429.*Gave up after 3 attempts\.$/);
    expect(result!.error).toEqual({ provider: 'ecr', code: 'Error', retryable: true });
  });

  it('turns a thrown error into one sentence without stack text, and never sinks the others', async () => {
    const results = await runProbes(
      target(),
      options({
        probes: [
          probe('oci.broken', async () => {
            throw new TypeError('Cannot read properties of undefined (reading "x")\n    at Object.<anonymous> (/app/x.js:1:1)');
          }),
          probe('oci.fine', async () => ok('fine')),
        ],
      }),
    );
    expect(results.map((r) => r.status)).toEqual(['error', 'ok']);
    expect(results[0]!.detail).toBe('oci.broken answered with an error: Cannot read properties of undefined (reading "x") (TypeError).');
    expect(results[0]!.detail).not.toMatch(/ at |\.js:/);
  });

  it("redacts what an observation quotes of the cloud: its evidence, resource and state", async () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const [result] = await runProbes(
      target(),
      options({
        probes: [
          probe('oci.quoting', async () => ({
            status: 'ok',
            detail: 'read the settings',
            observations: [
              {
                kind: 'confirm',
                category: 'auth_expired',
                evidence: `the registry answered with token ${token}`,
                resource: `https://ci:${token}@registry.example.com/v2/`,
                state: { webhook: { headers: [`Authorization: Bearer ${token}`] }, retries: 3 },
              },
            ],
          })),
        ],
      }),
    );
    expect(JSON.stringify(result)).not.toContain(token);
    expect(result!.observations![0]!.state).toMatchObject({ retries: 3 });
  });

  it('a probe that finds no credentials is skipped with the reason', async () => {
    const [result] = await runProbes(
      target('210987654321.dkr.ecr.us-east-1.amazonaws.com/app:1'),
      options({
        probes: [
          probe('ecr.token', async () => {
            throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
          }),
        ],
      }),
    );
    expect(result).toMatchObject({ status: 'skipped', detail: 'ecr.token found no credentials to use: Could not load credentials from any providers (CredentialsProviderError).' });
  });

  it('skips, saying why, a probe whose needs are not met; runs the ones that need nothing', async () => {
    const ran: string[] = [];
    const track = (name: string): ((c: ProbeContext) => Promise<ProbeOutcome>) => async () => {
      ran.push(name);
      return ok(name);
    };
    const definitions = [
      probe('ecr.repository', track('ecr.repository'), { providers: ['ecr'], needs: ['registry', 'credentials'] }),
      probe('ecr.simulate', track('ecr.simulate'), { providers: ['ecr'], needs: ['principal'] }),
      probe('acr.firewall', track('acr.firewall'), { providers: ['acr'], needs: [] }),
      probe('oci.ping', track('oci.ping')),
    ];
    const unknownHost = await runProbes(target('999999999999.dkr.ecr.eu-west-1.amazonaws.com/app:1'), options({ probes: definitions }));
    expect(unknownHost.map((r) => [r.name, r.status, r.detail])).toEqual([
      ['ecr.repository', 'skipped', 'not checked: no entry in registries[] has host 999999999999.dkr.ecr.eu-west-1.amazonaws.com; add one to check it from the cloud side'],
      ['ecr.simulate', 'skipped', 'not checked: the log names no identity (principal) to check'],
      ['oci.ping', 'ok', 'oci.ping'],
    ]);
    expect(unknownHost[0]!.registry).toBe('999999999999.dkr.ecr.eu-west-1.amazonaws.com');

    const unset = await runProbes(target(), options({ env: { PROBE_KEY_ID: 'x' }, probes: definitions.slice(0, 1) }));
    expect(unset[0]).toMatchObject({
      status: 'skipped',
      detail: 'not checked: registry prod-ecr: environment variable PROBE_SECRET (credentials.probe) is not set',
    });
    expect(ran).toEqual(['oci.ping']);
  });

  it('gives configured credentials as secrets that never print, and the default chain when none are named', async () => {
    const seen: ProbeContext[] = [];
    const capture = probe('ecr.capture', async (context) => {
      seen.push(context);
      return ok('captured');
    });
    await runProbes(target(), options({ probes: [capture] }));
    await runProbes(target('210987654321.dkr.ecr.us-east-1.amazonaws.com/app:1'), options({ probes: [capture] }));
    await runProbes(target('ghcr.io/acme/app:1'), options({ probes: [capture] }));
    const [configured, chain, anonymous] = seen.map((context) => context.credentials);
    expect(configured?.source).toBe('configured');
    if (configured?.source !== 'configured') throw new Error('unreachable');
    expect(configured.values.secretAccessKey!.reveal()).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    for (const shown of [JSON.stringify(seen[0]), inspect(seen[0], { depth: 10 }), `${configured.values.secretAccessKey}`]) {
      expect(shown).not.toContain('wJalrXUtnFEMI');
      expect(shown).not.toContain('AKIAEXAMPLE');
    }
    expect(chain).toEqual({ source: 'default-chain' });
    expect(anonymous).toEqual({ source: 'anonymous' });
    expect(seen[2]!.registry).toBeUndefined();
    // One cache for the process: a client made in one diagnosis serves the next.
    expect(seen[0]!.cache).toBe(seen[1]!.cache);
  });

  it('folds the log facts into the context and says when there is no image to probe', async () => {
    let facts: ProbeContext['facts'] | undefined;
    await runProbes(
      target(`${ECR_HOST}/app:1`, { principal: 'arn:aws:iam::123456789012:user/ci', clientIp: '203.0.113.9' }),
      options({ probes: [probe('oci.facts', async (c) => ((facts = c.facts), ok('x')))] }),
    );
    expect(facts).toEqual({ principal: 'arn:aws:iam::123456789012:user/ci', clientIp: '203.0.113.9' });
    const none: ProbeResult[] = await runProbes({ provider: 'other', facts: {} }, options({ probes: [probe('oci.x', async () => ok('x'))] }));
    expect(none).toEqual([
      { name: 'probes', status: 'skipped', durationMs: 0, detail: 'nothing to probe: neither the log nor the request names an image reference' },
    ]);
  });

  it('cancels every running probe when the caller aborts', async () => {
    const controller = new AbortController();
    const results = await runProbes(
      target(),
      options({
        signal: controller.signal,
        probes: [probe('oci.wait', ({ signal }) => aborted(signal))],
        onProgress: (result) => {
          if (!result) controller.abort();
        },
      }),
    );
    expect(results[0]).toMatchObject({ status: 'timeout', detail: 'cancelled before it finished' });
  });
});

describe('hosts nobody configured', () => {
  it('from Slack and webhooks (anonymousHosts: public), private and loopback hosts are not probed', async () => {
    const ran: string[] = [];
    const definitions = [probe('oci.ping', async (c) => (ran.push(c.image.host), ok('pinged')))];
    for (const host of ['127.0.0.1:5000', '169.254.169.254', '10.1.2.3', 'registry:5000', 'localhost:5000', '[::1]:5000', 'registry.corp.internal']) {
      const [result] = await runProbes(target(`${host}/team/app:1`), options({ probes: definitions, anonymousHosts: 'public' }));
      expect(result).toMatchObject({ name: 'probes', status: 'skipped', detail: `not probed: ${host} is a private or loopback address and no registries[] entry names it` });
    }
    expect(ran).toEqual([]);
    await runProbes(target('ghcr.io/acme/app:1'), options({ probes: definitions, anonymousHosts: 'public' }));
    await runProbes(target('127.0.0.1:5000/team/app:1'), options({ probes: definitions }));
    expect(ran).toEqual(['ghcr.io', '127.0.0.1:5000']);
  });
});

describe('toCloudError', () => {
  it('redacts a long message before it bounds it: a secret across the cut leaves no piece behind', () => {
    // An access key id cut after 12 characters no longer looks like one (AKIA and 16 more).
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const message = `${'x'.repeat(284)} ${secret} was refused`;
    const error = toCloudError('ecr', 'ECR DescribeRepositories', Object.assign(new Error(message), { name: 'AccessDeniedException' }));
    for (let i = 0; i + 8 <= secret.length; i += 1) expect(error.sentence).not.toContain(secret.slice(i, i + 8));
  });

  it('reads AWS, Azure, Google and socket errors by shape', () => {
    const aws = toCloudError('ecr', 'ECR DescribeRepositories', Object.assign(new Error("The repository with name 'app' does not exist"), { name: 'RepositoryNotFoundException', $metadata: { httpStatusCode: 400 } }));
    expect(aws).toMatchObject({ provider: 'ecr', code: 'RepositoryNotFoundException', kind: 'not_found', retryable: false });
    expect(aws.sentence).toBe("ECR DescribeRepositories says it does not exist: The repository with name 'app' does not exist (RepositoryNotFoundException, HTTP 400).");
    const azure = toCloudError('acr', 'ARM registries.get', Object.assign(new Error('The client does not have authorization'), { name: 'RestError', code: 'AuthorizationFailed', statusCode: 403 }));
    expect(azure).toMatchObject({ code: 'AuthorizationFailed', kind: 'forbidden' });
    const google = toCloudError('gar', 'Artifact Registry getRepository', Object.assign(new Error('7 PERMISSION_DENIED: API disabled'), { code: 7, reason: 'SERVICE_DISABLED' }));
    expect(google).toMatchObject({ code: 'SERVICE_DISABLED', kind: 'service' });
    const quota = toCloudError('gar', 'Artifact Registry getRepository', Object.assign(new Error("8 RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Requests'"), { code: 8, reason: 'RATE_LIMIT_EXCEEDED' }));
    expect(quota).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', kind: 'throttled', retryable: true });
    const socket = toCloudError('oci', 'GET /v2/', new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) }));
    expect(socket).toMatchObject({ code: 'ECONNREFUSED', kind: 'network', retryable: true });
    expect(toCloudError('x', 'y', socket)).toBe(socket);
    expect(new CloudError('oci', 'X', 'service', 'a sentence.', false).stack).toBe('CloudError: a sentence.');
  });

  it('redacts secrets an SDK put in its message', () => {
    const error = toCloudError('ecr', 'STS', new Error('invalid key AKIAIOSFODNN7EXAMPLE given'));
    expect(error.sentence).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});
