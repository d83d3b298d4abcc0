// bench:probes — a diagnosis with 8 probes (the 6 ECR probes, oci.ping and oci.upload), every fake call
// answering after 200 ms: real SDK clients against the fake ECR/IAM/STS server, real fetch against a fake
// OCI registry. Prints the wall time of the whole diagnosis's probes against the slowest single probe
// chain (each probe run alone), and their ratio (target < 1.3: the probes run in parallel).
import { createServer } from 'node:http';
import { diagnose } from '../src/engine/diagnose.js';
import { parseConfig } from '../src/config/load-config.js';
import { probeDiagnosis } from '../src/probes/probe-diagnosis.js';
import { runProbes } from '../src/probes/run-probes.js';
import type { ProbeCache, ProbeDefinition } from '../src/probes/types.js';
import { probes as ecrProbes } from '../src/providers/ecr/live.js';
import { probes as ociProbes } from '../src/providers/oci/live.js';
import { callerIdentityXml, members, simulationXml, startFakeAws } from '../test/fakes/aws.js';

const DELAY_MS = 200;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ACCOUNT = '123456789012';

const freshCache = (): ProbeCache => {
  const entries = new Map<string, unknown>();
  return { get: <T>(key: string, create: () => T): T => (entries.has(key) ? entries.get(key) : (entries.set(key, create()), entries.get(key))) as T };
};

// The registry host: Basic auth, an upload session started and cancelled, each answer after 200 ms.
const registry = createServer((request, response) => {
  setTimeout(() => {
    const authorized = request.headers.authorization === `Basic ${Buffer.from('AWS:bench-password').toString('base64')}`;
    if (!authorized) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="bench"', 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    } else if (request.method === 'POST') {
      response.writeHead(202, { location: '/v2/app/blobs/uploads/bench-session' }).end();
    } else if (request.method === 'DELETE') {
      response.writeHead(204).end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  }, DELAY_MS);
});
await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
const address = registry.address();
const host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

const aws = await startFakeAws();
const repositoryArn = `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app`;
aws.on('ecr.GetAuthorizationToken', () => ({
  delayMs: DELAY_MS,
  json: { authorizationData: [{ authorizationToken: Buffer.from('AWS:bench-password').toString('base64'), expiresAt: Date.now() / 1000 + 43_200, proxyEndpoint: `http://${host}` }] },
}));
aws.on('ecr.DescribeRepositories', () => ({
  delayMs: DELAY_MS,
  json: { repositories: [{ repositoryArn, registryId: ACCOUNT, repositoryName: 'app', repositoryUri: `${host}/app`, createdAt: 1_700_000_000, imageTagMutability: 'IMMUTABLE' }] },
}));
aws.on('ecr.DescribeImages', () => ({ delayMs: DELAY_MS, error: { code: 'ImageNotFoundException', message: 'The image with imageId {imageTag:1.0} does not exist' } }));
aws.on('ecr.GetRepositoryPolicy', () => ({ delayMs: DELAY_MS, error: { code: 'RepositoryPolicyNotFoundException', message: 'Repository policy does not exist' } }));
aws.on('iam.SimulatePrincipalPolicy', (call) => ({
  delayMs: DELAY_MS,
  xml: simulationXml(members(call.input, 'ActionNames').map((action) => ({ action, resource: repositoryArn, decision: 'allowed' as const }))),
}));
aws.on('sts.GetCallerIdentity', () => ({ delayMs: DELAY_MS, xml: callerIdentityXml(`arn:aws:iam::${ACCOUNT}:user/probe`, ACCOUNT) }));

const registries = parseConfig({
  registries: [
    { name: 'bench-ecr', provider: 'ecr', host, region: 'eu-west-1', account: ACCOUNT, endpoint: aws.url, credentials: { probe: { accessKeyId: 'KEY', secretAccessKey: 'SECRET' } } },
  ],
}).registries;
const env = { KEY: 'AKIABENCHBENCHBENCH1', SECRET: 'bench-secret' };
const probes: ProbeDefinition[] = [...ecrProbes, ...ociProbes.filter((probe) => probe.name === 'oci.ping' || probe.name === 'oci.upload')];
const log = `denied: User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: ${repositoryArn}`;
const fromLog = diagnose({ log, image: `${host}/app:1.0` });
// The host is a loopback fake: the provider is ECR's because the registries[] entry says so.
const base = { ...fromLog, provider: 'ecr' as const };

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const chains = new Map<string, number[]>();
const totals: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  for (const probe of probes) {
    const started = performance.now();
    const [result] = await runProbes({ ...(base.image ? { image: base.image } : {}), provider: 'ecr', facts: base.facts }, { registries, env, probes: [probe], cache: freshCache() });
    const ms = performance.now() - started;
    if (result?.status !== 'ok') throw new Error(`${probe.name} did not pass alone: ${result?.status} ${result?.detail}`);
    chains.set(probe.name, [...(chains.get(probe.name) ?? []), ms]);
  }
  const started = performance.now();
  const probed = await probeDiagnosis(base, { registries, env, probes, cache: freshCache() });
  totals.push(performance.now() - started);
  const bad = probed.probes.filter((p) => p.status !== 'ok');
  if (bad.length > 0 || probed.probes.length !== 8) throw new Error(`unexpected probe results: ${JSON.stringify(probed.probes)}`);
}

const perProbe = [...chains.entries()].map(([name, values]) => ({ name, ms: median(values) })).sort((a, b) => b.ms - a.ms);
const slowest = perProbe[0]!;
const total = median(totals);
console.log(`bench:probes — 8 probes, every fake call answering after ${DELAY_MS} ms, median of ${ROUNDS} rounds`);
for (const { name, ms } of perProbe) console.log(`  ${name.padEnd(16)} alone ${ms.toFixed(0).padStart(5)} ms`);
console.log(`slowest single probe chain: ${slowest.name} ${slowest.ms.toFixed(0)} ms`);
console.log(`all 8 in parallel (one diagnosis): ${total.toFixed(0)} ms`);
console.log(`ratio total / slowest chain: ${(total / slowest.ms).toFixed(2)} (target < 1.3)`);
if (aws.violations.length || aws.unexpected.length) console.log(`fake AWS: ${aws.violations.length} protocol violations, ${aws.unexpected.length} unexpected calls`);

await aws.close();
registry.closeAllConnections();
await new Promise((resolve) => registry.close(resolve));
