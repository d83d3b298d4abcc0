// What a fix button refuses, writing nothing: unsigned requests, forged, expired and used plan ids, people
// who are not fixers, clicks from another message, and jobs for people no longer allowed; twenty people
// clicking at once apply it once. Driven on the Artifact Registry fix "create the missing repository".
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { createFixQueue, FIX_JOB } from '../../src/fixes/fix-job.js';
import { PlanStore } from '../../src/fixes/plan-store.js';
import { probeDiagnosis } from '../../src/probes/probe-diagnosis.js';
import { probes as garProbes } from '../../src/providers/gar/live.js';
import { FakeArtifactRegistry, READER_PERMISSIONS } from '../fakes/artifact-registry.js';
import { CHANNEL, GAR_FIX_PERMISSIONS as FIX_PERMISSIONS, FixHarness, PARENT_TS, type PostedPlans } from './harness.js';

const PROJECT = 'shop-prod';
const IMAGE = `europe-west1-docker.pkg.dev/${PROJECT}/docker/team/app:1.4.0`;
const RESOURCE = `projects/${PROJECT}/locations/europe-west1/repositories/docker`;
const env = { GAR_PROBE_TOKEN: 'ya29.probe', GAR_FIX_TOKEN: 'ya29.fix' };

let gar: FakeArtifactRegistry;
let harness: FixHarness;

function registries() {
  return parseConfig({
    registries: [
      {
        name: 'shop-gar',
        provider: 'gar',
        host: 'europe-west1-docker.pkg.dev',
        endpoint: gar.url,
        credentials: { probe: { accessToken: 'GAR_PROBE_TOKEN' }, fix: { accessToken: 'GAR_FIX_TOKEN' } },
        fixers: { users: ['U0ALICE'], usergroups: ['S0PLATFORM'] },
      },
    ],
  }).registries;
}

async function start(options: { dryRun?: boolean } = {}): Promise<PostedPlans> {
  harness = await new FixHarness({ registries: registries(), env, ...options }).start();
  harness.slack.usergroups.set('S0PLATFORM', ['U0CAROL']);
  const diagnosis = await probeDiagnosis(diagnose({ log: 'name unknown: Repository "docker" not found', image: IMAGE }), { registries: registries(), env, probes: garProbes });
  const posted = await harness.post(diagnosis);
  expect(posted.planIds).toHaveLength(1);
  return posted;
}

const creates = () => gar.received('repositories.create');

beforeAll(async () => {
  gar = await new FakeArtifactRegistry().start();
});
afterAll(async () => {
  await gar.close();
});
beforeEach(() => {
  gar.projects.clear();
  gar.repositories.length = 0;
  gar.permissions.clear();
  gar.requests.length = 0;
  gar.addProject(PROJECT);
  gar.addAccessToken('ya29.probe', `probe@${PROJECT}.iam.gserviceaccount.com`, READER_PERMISSIONS);
  gar.addAccessToken('ya29.fix', `fixer@${PROJECT}.iam.gserviceaccount.com`, FIX_PERMISSIONS);
});
afterEach(async () => {
  await harness.close();
  expect(gar.violations.splice(0)).toEqual([]);
});

describe('refused, with nothing written', () => {
  it('an unsigned click: 401 from the receiver, nothing queued or answered', async () => {
    const posted = await start();
    const response = await harness.click(posted.planIds[0]!, posted, { signed: false });
    expect(response.status).toBe(401);
    await harness.idle();
    expect(creates()).toEqual([]);
    expect(harness.slack.attempts('chat.postEphemeral')).toEqual([]);
    expect(await harness.auditEntries()).toEqual([]);
  });

  it('a forged plan id: "not one I know", audited', async () => {
    const posted = await start();
    await harness.click(PlanStore.newId(), posted);
    const [answer] = await harness.waitForEphemeral(/not one I know/);
    expect(answer!.params).toMatchObject({ user: 'U0ALICE', channel: CHANNEL, thread_ts: PARENT_TS });
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ user: 'U0ALICE', result: 'refused', reason: 'unknown or expired plan id' });
    await harness.click('../../etc/passwd', posted);
    await harness.waitForEphemeral(/not one I know/, 2);
    expect(creates()).toEqual([]);
  });

  it('an expired plan: refused like a forged one', async () => {
    const posted = await start();
    await harness.redis.pexpire(`${harness.prefix}:fix:plan:${posted.planIds[0]}`, 1);
    while ((await harness.redis.exists(`${harness.prefix}:fix:plan:${posted.planIds[0]}`)) === 1) await new Promise((r) => setTimeout(r, 5));
    await harness.click(posted.planIds[0]!, posted);
    await harness.waitForEphemeral(/it expired or was never offered/);
    expect(creates()).toEqual([]);
  });

  it('someone who is not a fixer: "not allowed: ask one of …", audited', async () => {
    const posted = await start();
    await harness.click(posted.planIds[0]!, posted, { user: 'U0MALLORY' });
    const [answer] = await harness.waitForEphemeral(/Not allowed/);
    expect(answer!.params.text).toBe(':no_entry: Not allowed: only the fixers of this registry may apply its fixes. Ask one of <@U0ALICE>, <!subteam^S0PLATFORM>.');
    expect(answer!.params.user).toBe('U0MALLORY');
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ user: 'U0MALLORY', result: 'refused', reason: 'not among the fixers of this registry', target: RESOURCE, kind: 'gar.create-repository' });
    expect(creates()).toEqual([]);
    // The plan is still there for a fixer.
    await harness.click(posted.planIds[0]!, posted, { user: 'U0CAROL' });
    await harness.waitForReply(/<@U0CAROL> created the DOCKER repository/);
    expect(creates()).toHaveLength(1);
  });

  it('a click from another message than the one the plan was posted on', async () => {
    const posted = await start();
    await harness.click(posted.planIds[0]!, posted, { messageTs: '1700000000.999999' });
    await harness.waitForEphemeral(/not on the message I posted this fix on/);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'refused', reason: 'the click did not come from the message the plan was posted on' });
    expect(creates()).toEqual([]);
  });

  it('a plan already used: the second click learns who did it and how it went', async () => {
    const posted = await start();
    await harness.click(posted.planIds[0]!, posted);
    await harness.waitForReply(/created the DOCKER repository/);
    await harness.click(posted.planIds[0]!, posted, { user: 'U0CAROL' });
    const [answer] = await harness.waitForEphemeral(/Already done by/);
    expect(answer!.params.text).toBe(`:lock: Already done by <@U0ALICE>: created the DOCKER repository ${RESOURCE}`);
    expect(creates()).toHaveLength(1);
  });

  it('a queued fix for someone who is no longer a fixer: the worker checks again and refuses', async () => {
    const posted = await start();
    await harness.plans.claim(posted.planIds[0]!, 'U0MALLORY');
    const queue = createFixQueue(harness.redis.duplicate({ maxRetriesPerRequest: null }), harness.prefix);
    await queue.add(FIX_JOB, { planId: posted.planIds[0]!, user: 'U0MALLORY', channel: CHANNEL, messageTs: posted.ts, threadTs: PARENT_TS, clickedAt: Date.now() });
    const reply = await harness.waitForReply(/Not applied for <@U0MALLORY>/);
    expect(reply.params.text).toBe(':no_entry: Not applied for <@U0MALLORY>: no longer among the fixers of this registry. Nothing was changed.');
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ user: 'U0MALLORY', result: 'refused' });
    expect(creates()).toEqual([]);
    await queue.close();
  });
});

describe('applied once', () => {
  it('twenty concurrent clicks: one request at the cloud, one success, nineteen "already done by …"', async () => {
    const posted = await start();
    const users = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'U0ALICE' : 'U0CAROL'));
    const responses = await Promise.all(users.map((user) => harness.click(posted.planIds[0]!, posted, { user })));
    expect(responses.map((r) => r.status)).toEqual(users.map(() => 200));
    await harness.waitForReply(/created the DOCKER repository/);
    await harness.waitForEphemeral(/Already done by/, 19);
    await harness.idle();
    expect(creates()).toHaveLength(1);
    expect(harness.threadReplies(/created the DOCKER repository/)).toHaveLength(1);
    expect(harness.ephemerals(/Already done by/)).toHaveLength(19);
    const entries = await harness.waitForAudit(20);
    expect(entries.filter((e) => e.result === 'applied')).toHaveLength(1);
    expect(entries.filter((e) => e.result === 'refused' && e.reason?.startsWith('already claimed by'))).toHaveLength(19);
    // Group membership was looked up once, not per click.
    expect(harness.slack.ok('usergroups.users.list').length).toBeLessThanOrEqual(2);
  });
});

describe('dry run', () => {
  it('the button says what it would change; the click changes nothing and says so', async () => {
    const posted = await start({ dryRun: true });
    const button = (posted.blocks.find((b) => b.block_id === 'rd.fixes') as { elements: Array<Record<string, unknown>> }).elements[0]!;
    expect(button.text).toMatchObject({ text: 'Dry run: Create repository docker in europe-west1' });
    expect(button.confirm).toMatchObject({ title: { text: 'Dry run' }, text: { text: 'Dry run: would create the DOCKER repository docker in europe-west1 (project shop-prod). Nothing will be changed.' } });
    await harness.click(posted.planIds[0]!, posted);
    const reply = await harness.waitForReply(/Dry run for/);
    expect(reply.params.text).toBe(':test_tube: Dry run for <@U0ALICE>: would create the DOCKER repository docker in europe-west1 (project shop-prod). Nothing was changed.');
    expect(creates()).toEqual([]);
    expect((await harness.waitForAudit(1))[0]).toMatchObject({ result: 'dry_run', before: { exists: false } });
  });
});

describe('/registry audit', () => {
  it('shows the last attempts, newest first, to fixers only', async () => {
    const posted = await start();
    await harness.click(posted.planIds[0]!, posted, { user: 'U0MALLORY' });
    await harness.click(posted.planIds[0]!, posted);
    await harness.waitForReply(/created the DOCKER repository/);
    await harness.waitForAudit(2);

    const url = harness.slack.responseUrl('audit-alice');
    expect((await harness.command('audit 5', 'U0ALICE', url)).status).toBe(200);
    const answer = await harness.slack.waitFor(() => harness.slack.responseUrlPosts.find((p) => p.id === 'audit-alice'), 10_000, 'the audit answer');
    const text = String(answer.body.text);
    expect(text).toMatch(/^\*Last 2 fix attempts\*, newest first\n/);
    const lines = text.split('\n').slice(1);
    expect(lines[0]).toContain('<@U0ALICE> *applied*: Create the DOCKER repository docker in europe-west1 (project shop-prod) (shop-gar)');
    expect(lines[1]).toContain('<@U0MALLORY> *refused*: Create the DOCKER repository docker in europe-west1 (project shop-prod) (shop-gar) — not among the fixers of this registry');

    const other = harness.slack.responseUrl('audit-mallory');
    await harness.command('audit', 'U0MALLORY', other);
    const refused = await harness.slack.waitFor(() => harness.slack.responseUrlPosts.find((p) => p.id === 'audit-mallory'), 10_000, 'the refusal');
    expect(refused.body.text).toBe(':no_entry: Only the people allowed to fix a registry (its `fixers`) may read the fix audit.');
  });
});

