// Slash-command acks while CI webhooks bring large logs: registry-doctor as `npm start` runs it; a command
// every 50 ms throughout; meanwhile N signed CI webhooks, one after another, each with a log of S MB (every
// line a candidate for the classifier, so the redaction and the cut do their most work). Prints the ack
// p50/p99/max while the webhooks are handled, and how long each webhook took to answer.
//   npm run bench:webhook-log [-- --webhooks 3 --mb 20]
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildApp, freePort, ROOT } from '../test/fakes/app-process.js';
import { postCi } from '../test/fakes/ci-webhook.js';
import { cleanPrefix } from '../test/fakes/redis.js';
import { signedHeaders, slashCommandBody } from '../test/fakes/sign.js';
import { FakeSlack } from '../test/fakes/slack-api.js';
import { numberArg, startNode, waitListening } from './bench-process.js';

const WEBHOOKS = numberArg('webhooks', 3);
const MB = numberArg('mb', 20);
const SECRET = 'bench-signing-secret';
const CI_SECRET = 'bench-ci-secret';
const PREFIX = 'bench-webhook-log';

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** A CI log of `mb` MB where every line reads like an error, with the registry failure at its end. */
function denseLog(mb: number, seed: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < mb * 1024 * 1024; i += 1) {
    const line = `error: step ${(seed * 7919 + i * 104729).toString(36)} failed, retrying upload of layer ${i}`;
    lines.push(line);
    size += line.length + 1;
  }
  lines.push("unauthorized: client with IP '203.0.113.7' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.");
  return lines.join('\n');
}

const fake = await new FakeSlack().start();
const port = await freePort();
const app = startNode([buildApp()], {
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_API_URL: fake.apiUrl,
  PORT: String(port),
  QUEUE_PREFIX: PREFIX,
  LOG_LEVEL: 'warn',
  CI_WEBHOOK_SECRET: CI_SECRET,
  ALERT_CHANNEL: 'C0BENCHALERT',
  WEBHOOK_BODY_LIMIT_MB: String(MB * 2),
  REGISTRY_DOCTOR_CONFIG: join(ROOT, 'test/config/fixtures/no-registries.yml'),
});

try {
  await waitListening(`http://127.0.0.1:${port}/slack/events`, app);
  const bodies = Array.from({ length: WEBHOOKS }, (_, i) => JSON.stringify({ log: denseLog(MB, i), pipeline: { provider: 'jenkins', name: `big-${i}`, run_id: String(i), job: 'push' } }));
  console.log(`${WEBHOOKS} CI webhooks of ${MB} MB (every line a candidate), a slash command every 50 ms; load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const acks: number[] = [];
  let failed = 0;
  let sending = true;
  const commands = (async () => {
    for (let n = 0; sending; n += 1) {
      const body = slashCommandBody({ text: 'diagnose denied: requested access to the resource is denied', channel_id: `C0ACK${n % 50}` });
      const started = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: signedHeaders(SECRET, body), body, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        acks.push(performance.now() - started);
      } catch {
        failed += 1; // no answer in 10 s, or the connection dropped
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const webhookMs: number[] = [];
  for (const body of bodies) {
    const started = performance.now();
    const answer = await postCi(`http://127.0.0.1:${port}`, CI_SECRET, body);
    if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}`);
    webhookMs.push(performance.now() - started);
  }
  sending = false;
  await commands;
  const fmt = (ms: number) => `${Math.round(ms)} ms`;
  console.log(`webhooks answered 202 in ${webhookMs.map(fmt).join(', ')}`);
  console.log(`slash-command acks meanwhile: ${acks.length}, p50 ${fmt(percentile(acks, 50))}, p99 ${fmt(percentile(acks, 99))}, max ${fmt(Math.max(...acks))}, over 3 s (Slack gives up): ${acks.filter((ms) => ms > 3000).length}, no answer: ${failed}`);
} finally {
  app.proc.kill('SIGTERM');
  await fake.stop();
  await cleanPrefix(PREFIX);
}
