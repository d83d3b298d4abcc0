// `npm start` runs the web part and a supervised worker child: the child is restarted when it dies, its
// metrics show on the web's /metrics, and it never outlives its parent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, SIGNING_SECRET, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../fakes/sign.js';
import { FakeSlack } from '../fakes/slack-api.js';

const ECR_DENIED =
  'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app';

let fake: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('e2e-supervise');

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

/** Pids of the worker children started so far, as the supervisor logged them. */
function workerPids(): number[] {
  return [...new Set([...app.output().matchAll(/"workerPid":(\d+),"msg":"worker process started"/g)].map((m) => Number(m[1])))];
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${app.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function diagnoseIn(channel: string): Promise<void> {
  const body = slashCommandBody({ text: `diagnose ${ECR_DENIED}`, channel_id: channel });
  const res = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body), body });
  expect(res.status).toBe(200);
  await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === channel && c.params.thread_ts !== undefined)[0], 15_000, `reply in ${channel}`);
}

it('diagnoses in a worker process of its own, whose job metrics appear on the web /metrics', async () => {
  await diagnoseIn('C0SUP1');
  const [child] = await until(() => workerPids().length > 0 && workerPids(), 'a worker child');
  expect(child).not.toBe(app.proc.pid);
  // The counter moves just after the reply is posted: scrape until the child's figure shows.
  let metrics = '';
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && !/registry_doctor_jobs_total\{outcome="done"\} 1\b/.test(metrics); ) {
    metrics = await (await fetch(`${app.url}/metrics`)).text();
  }
  expect(metrics).toMatch(/registry_doctor_jobs_total\{outcome="done"\} 1\b/);
  expect(metrics).toMatch(/registry_doctor_slack_commands_total\{subcommand="diagnose"\} 1\b/);
});

it('a worker child that dies is restarted, and the next command is still answered', async () => {
  const [first] = workerPids();
  process.kill(first!, 'SIGKILL');
  await until(() => (((): boolean => {
    try {
      process.kill(first!, 0);
      return false;
    } catch {
      return true;
    }
  })()), 'the child to die');
  await diagnoseIn('C0SUP2');
  expect(workerPids().filter((pid) => pid !== first).length).toBeGreaterThan(0);
  expect(app.output()).toMatch(/worker process exited; restarting it/);
  expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
});

it('the worker child does not outlive a parent killed with SIGKILL', async () => {
  const children = workerPids();
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const live = children.filter(alive);
  expect(live.length).toBe(1);
  app.proc.kill('SIGKILL');
  await until(() => !alive(live[0]!), 'the orphaned child to exit', 20_000);
});
