// bench:probes-cloud — the ACR probes (3) and the Artifact Registry probes (2) on the real SDK clients,
// against the fakes with every answer after 200 ms (Entra ID, ARM and the ACR data plane over https; the
// Artifact Registry API over http). For each provider: the wall time of all its probes in one diagnosis
// against the slowest probe run alone, first with nothing cached (token acquisition included) and then warm
// (clients and tokens cached, as for the bot's second diagnosis). Prints medians and ratios.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { parseConfig } from '../src/config/load-config.js';
import type { RegistryConfig } from '../src/config/schema.js';
import type { Provider } from '../src/engine/vocabulary.js';
import { parseImageRef } from '../src/engine/image-ref.js';
import { runProbes } from '../src/probes/run-probes.js';
import type { ProbeCache, ProbeDefinition } from '../src/probes/types.js';
import { probes as acrProbes } from '../src/providers/acr/live.js';
import { probes as garProbes } from '../src/providers/gar/live.js';
import { FakeAcrDataPlane } from '../test/fakes/acr-data-plane.js';
import { FakeArm } from '../test/fakes/arm.js';
import { FakeArtifactRegistry, WRITER_PERMISSIONS } from '../test/fakes/artifact-registry.js';
import { FakeEntraId } from '../test/fakes/entra-id.js';
import { selfSignedCert } from '../test/fakes/self-signed-cert.js';

const LATENCY_MS = 200;
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const freshCache = (): ProbeCache => {
  const entries = new Map<string, unknown>();
  return { get: <T>(key: string, create: () => T): T => (entries.has(key) ? entries.get(key) : (entries.set(key, create()), entries.get(key))) as T };
};

// Azure: a service principal that may read the registry and its repositories.
const cert = selfSignedCert();
const entra = await new FakeEntraId(cert).start();
const arm = await new FakeArm(cert, entra).start();
const acr = await new FakeAcrDataPlane(cert, entra).start();
const principal = entra.addServicePrincipal({ tenantId: randomUUID(), clientId: randomUUID(), clientSecret: 'bench-secret' });
const subscription = randomUUID();
arm.addRegistry({ subscription, resourceGroup: 'rg-bench', name: 'benchreg', networkRuleSet: { defaultAction: 'Deny', ipRules: [{ action: 'Allow', value: '10.0.0.0/8' }] } });
acr.addRepository('shop/api', {}, { '2.0': {} });

// Google: a service account that may read and upload.
const google = await new FakeArtifactRegistry().start();
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const email = 'bench@shop-prod.iam.gserviceaccount.com';
google.addProject('shop-prod');
google.addServiceAccount(email, privateKey, WRITER_PERMISSIONS);
google.addRepository({ project: 'shop-prod', location: 'europe-west1', id: 'docker', immutableTags: true });

for (const fake of [entra, arm, acr, google]) fake.latencyMs = LATENCY_MS;

const registries = parseConfig({
  registries: [
    {
      name: 'bench-acr',
      provider: 'acr',
      host: acr.host,
      account: 'benchreg',
      subscription,
      resourceGroup: 'rg-bench',
      endpoint: arm.url,
      credentials: { probe: { tenantId: 'AZ_TENANT', clientId: 'AZ_CLIENT', clientSecret: 'AZ_SECRET' } },
    },
    { name: 'bench-gar', provider: 'gar', host: 'europe-west1-docker.pkg.dev', endpoint: google.url, credentials: { probe: { serviceAccountJson: 'GAR_KEY' } } },
  ],
}).registries as RegistryConfig[];
const env = {
  AZURE_AUTHORITY_HOST: entra.url,
  AZ_TENANT: principal.tenantId,
  AZ_CLIENT: principal.clientId,
  AZ_SECRET: 'bench-secret',
  GAR_KEY: JSON.stringify({ type: 'service_account', private_key: privateKey, client_email: email, private_key_id: 'k1' }),
};

interface Case {
  provider: Provider;
  reference: string;
  probes: readonly ProbeDefinition[];
}
const cases: Case[] = [
  { provider: 'acr', reference: `${acr.host}/shop/api:2.0`, probes: acrProbes },
  { provider: 'gar', reference: 'europe-west1-docker.pkg.dev/shop-prod/docker/team/app:1.0', probes: garProbes },
];

/** Wall time of one run of `probes` (ms); throws when a probe did not pass, so a broken run is not timed. */
async function timed(c: Case, probes: readonly ProbeDefinition[], cache: ProbeCache): Promise<number> {
  const parsed = parseImageRef(c.reference);
  if (!parsed.ok) throw new Error(parsed.error);
  const started = performance.now();
  const results = await runProbes({ image: parsed.ref, provider: c.provider, facts: { clientIp: '10.1.2.3' } }, { registries, env, probes, cache, timeoutMs: 30_000 });
  const elapsed = performance.now() - started;
  const bad = results.filter((r) => r.status !== 'ok' && r.status !== 'failed');
  if (bad.length > 0) throw new Error(`${c.provider}: ${bad.map((r) => `${r.name} ${r.status}: ${r.detail}`).join('; ')}`);
  return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`bench:probes-cloud — every fake answer after ${LATENCY_MS} ms, median of ${ROUNDS} rounds`);
console.log('provider  probes  cache  all (ms)  slowest alone (ms)  ratio');
for (const c of cases) {
  for (const warm of [false, true]) {
    const all: number[] = [];
    const slowest: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const shared = freshCache();
      if (warm) await timed(c, c.probes, shared);
      all.push(await timed(c, c.probes, warm ? shared : freshCache()));
      const alone: number[] = [];
      for (const probe of c.probes) {
        const own = freshCache();
        if (warm) await timed(c, [probe], own);
        alone.push(await timed(c, [probe], own));
      }
      slowest.push(Math.max(...alone));
    }
    const [a, s] = [median(all), median(slowest)];
    console.log(`${c.provider.padEnd(8)}  ${String(c.probes.length).padEnd(6)}  ${(warm ? 'warm' : 'cold').padEnd(5)}  ${a.toFixed(0).padStart(8)}  ${s.toFixed(0).padStart(18)}  ${(a / s).toFixed(2)}`);
  }
}

await Promise.all([entra.close(), arm.close(), acr.close(), google.close()]);
