// End to end: `npm start` with a registries[] entry for a real docker-registry on loopback, signed slash
// commands. `/registry check IMAGE` posts a verdict in a thread; `/registry status` answers through
// response_url with each registry's credentials checked; neither is answered by the web role itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { startRegistry, type RunningRegistry } from '../fakes/oci-registry.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack, type RecordedCall } from '../fakes/slack-api.js';

let fake: FakeSlack;
let app: AppProcess;
let registry: RunningRegistry;
const prefix = uniquePrefix('e2e-probes');
const dir = mkdtempSync(join(tmpdir(), 'rd-e2e-probes-'));

async function command(text: string, channel: string, responseUrl?: string): Promise<Record<string, unknown>> {
  const body = slashCommandBody({ text, channel_id: channel, ...(responseUrl ? { response_url: responseUrl } : {}) });
  const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  return (await res.json()) as Record<string, unknown>;
}

const render = (c: RecordedCall): string => JSON.stringify({ text: c.params.text, blocks: c.params.blocks });

beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd', users: { ci: { password: 'pw' } } });
  const config = join(dir, 'registry-doctor.yml');
  writeFileSync(config, ['registries:', '  - name: lab', '    provider: other', `    host: ${registry.host}`, '    credentials:', '      probe: { username: LAB_USER, password: LAB_PASSWORD }', ''].join('\n'));
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, REGISTRY_DOCTOR_CONFIG: config, LAB_USER: 'ci', LAB_PASSWORD: 'pw' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await registry?.stop();
  await cleanPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('/registry check and /registry status', () => {
  it('check IMAGE: acked at once, then the verdict in the thread and on the parent', async () => {
    const channel = 'C0CHECK';
    const ack = await command(`check ${registry.host}/team/app:1.0`, channel);
    expect(ack.response_type).toBe('ephemeral');
    const reply = await fake.waitFor(
      () => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined)[0],
      20_000,
      'the check reply',
    );
    expect(render(reply)).toContain(`A push to \`${registry.host}/team/app:1.0\` would succeed now`);
    // The final answer is a new message that mentions the person who asked (an edit notifies nobody).
    expect(String(reply.params.text)).toMatch(/^<@U0ALICE> Preflight: a push would succeed/);
    const done = await fake.waitFor(
      () => fake.ok('chat.update', (c) => c.params.channel === channel).find((c) => String(c.params.text).includes('*Preflight check:* a push would succeed now')),
      20_000,
      'the parent update',
    );
    expect(render(done)).toMatch(/\*Probes:\* 5 checks against `lab` in \d+ ms \(5 ok\)/);
  });

  it('check with no image gets the usage', async () => {
    const answer = await command('check not an image', 'C0CHECK2');
    expect(String(answer.text)).toMatch(/^Usage: `\/registry check IMAGE-REF`/);
  });

  it('status: the ack lists the registries, the answer says whether the bot’s credentials work', async () => {
    const url = fake.responseUrl('status');
    const ack = await command('status', 'C0STATUS', url);
    expect(ack.text).toBe('Checking 1 configured registry…');
    const answer = await fake.waitFor(() => fake.responseUrlPosts.find((p) => p.id === 'status'), 20_000, 'the status answer');
    expect(answer.body.text).toBe('Registry status: 1 of 1 OK');
    expect(JSON.stringify(answer.body.blocks)).toContain(`${registry.host} accepts the credentials of ci`);
  });
});
