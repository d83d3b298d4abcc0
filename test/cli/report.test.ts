// `registry-doctor report`: pipeline facts from each CI's variables; signing, retries with backoff, and never
// failing the pipeline because the bot is away. The bot is a local HTTP server that checks signatures as the
// real route does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyCiSignature } from '../../src/alerts/ci-signature.js';
import { pipelineFromEnv } from '../../src/cli/ci-env.js';
import { runReport } from '../../src/cli/report.js';
import { freePort } from '../fakes/app-process.js';

const SECRET = 'report-test-secret';
const LOG = 'The push refers to repository [ghcr.io/acme/web]\n+ docker login -u ci -p hunter2-very-secret ghcr.io\ndenied: permission_denied: write_package';

interface Received {
  body: string;
  delivery: string | undefined;
  verified: boolean;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A bot that answers with the given statuses in turn (the last one repeats). */
async function bot(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const check = verifyCiSignature(SECRET, { timestamp: req.headers[TIMESTAMP_HEADER] as string, signature: req.headers[SIGNATURE_HEADER] as string }, raw);
      received.push({ body: raw.toString('utf8'), delivery: req.headers[DELIVERY_HEADER] as string | undefined, verified: check.ok });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 202 ? { id: 'a123' } : { error: status === 401 ? 'signature does not match' : 'the alert queue is unavailable; retry later' }));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, received };
}

async function report(args: string[], env: Record<string, string>) {
  const sleeps: number[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runReport(args, { argv: args, stdin: Object.assign(Readable.from([Buffer.from(LOG)]), { isTTY: false }), stdout, stderr, env }, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { code, stdout: out, stderr: err, sleeps };
}

describe('report', () => {
  it('signs, retries 503s with growing backoff under one delivery id, and lands', async () => {
    const b = await bot([503, 503, 202]);
    const r = await report([], { REGISTRY_DOCTOR_URL: b.url, CI_WEBHOOK_SECRET: SECRET, GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/web', CI_PIPELINE_ID: '77', CI_JOB_NAME: 'push', CI_JOB_ID: '9001', CI_JOB_URL: 'https://gitlab.example.com/acme/web/-/jobs/9001' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('reported to the bot (alert a123)');
    expect(b.received).toHaveLength(3);
    expect(b.received.every((x) => x.verified)).toBe(true);
    expect(new Set(b.received.map((x) => x.delivery)).size).toBe(1);
    expect(r.sleeps).toEqual([1000, 2000]);
    const sent = JSON.parse(b.received[0]!.body) as { log: string; pipeline: Record<string, string> };
    expect(sent.pipeline).toEqual({ provider: 'gitlab', name: 'acme/web', run_id: '77', job: 'push #9001', url: 'https://gitlab.example.com/acme/web/-/jobs/9001' });
    // Redacted before it leaves the runner, and printed locally.
    expect(sent.log).not.toContain('hunter2-very-secret');
    expect(r.stdout).not.toContain('hunter2-very-secret');
    expect(r.stdout).toMatch(/permission_denied|auth_/);
  });

  it('the bot unreachable: a warning and exit 0, so the pipeline is not failed; --strict exits 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const lenient = await report(['--retries', '2'], { REGISTRY_DOCTOR_URL: url, CI_WEBHOOK_SECRET: SECRET });
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/warning: could not report to the bot: network error.*after 3 attempts/);
    expect(lenient.sleeps).toEqual([1000, 2000]);
    const strict = await report(['--retries', '0', '--strict'], { REGISTRY_DOCTOR_URL: url, CI_WEBHOOK_SECRET: SECRET });
    expect(strict.code).toBe(1);
  });

  it('a 401 is not retried (a wrong secret does not fix itself)', async () => {
    const b = await bot([401]);
    const r = await report([], { REGISTRY_DOCTOR_URL: b.url, CI_WEBHOOK_SECRET: SECRET });
    expect(r.code).toBe(0);
    expect(b.received).toHaveLength(1);
    expect(r.stderr).toContain('HTTP 401: signature does not match');
  });

  it('without CI_WEBHOOK_SECRET or a bot address: a usage error', async () => {
    await expect(report([], { REGISTRY_DOCTOR_URL: 'http://127.0.0.1:1' })).rejects.toThrow(/CI_WEBHOOK_SECRET/);
    await expect(report([], { CI_WEBHOOK_SECRET: SECRET })).rejects.toThrow(/REGISTRY_DOCTOR_URL/);
  });
});

describe('pipeline facts from CI variables', () => {
  it.each([
    [
      'GitHub Actions',
      { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/api', GITHUB_WORKFLOW: 'release', GITHUB_RUN_ID: '11', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'push', GITHUB_SERVER_URL: 'https://github.com', GITHUB_SHA: 'f00', GITHUB_REF_NAME: 'main' },
      { provider: 'github', name: 'acme/api · release', url: 'https://github.com/acme/api/actions/runs/11', run_id: '11', job: 'push (attempt 2)', commit: 'f00', branch: 'main' },
    ],
    [
      'GitLab CI',
      { GITLAB_CI: 'true', CI_PROJECT_PATH: 'g/p', CI_PIPELINE_ID: '5', CI_JOB_NAME: 'build', CI_JOB_ID: '6', CI_JOB_URL: 'https://gl/j/6', CI_COMMIT_SHA: 'c', CI_COMMIT_REF_NAME: 'dev' },
      { provider: 'gitlab', name: 'g/p', url: 'https://gl/j/6', run_id: '5', job: 'build #6', commit: 'c', branch: 'dev' },
    ],
    [
      'Jenkins',
      { JENKINS_URL: 'https://jenkins/', BUILD_NUMBER: '42', JOB_NAME: 'api/main', BUILD_URL: 'https://jenkins/job/api/42/', GIT_COMMIT: 'd', BRANCH_NAME: 'main' },
      { provider: 'jenkins', name: 'api/main', url: 'https://jenkins/job/api/42/', run_id: '42', job: 'api/main', commit: 'd', branch: 'main' },
    ],
    [
      'CircleCI',
      { CIRCLECI: 'true', CIRCLE_PROJECT_USERNAME: 'acme', CIRCLE_PROJECT_REPONAME: 'api', CIRCLE_BUILD_URL: 'https://circleci.com/gh/acme/api/9', CIRCLE_WORKFLOW_ID: 'wf-1', CIRCLE_JOB: 'push', CIRCLE_BUILD_NUM: '9', CIRCLE_SHA1: 'e', CIRCLE_BRANCH: 'main' },
      { provider: 'circleci', name: 'acme/api', url: 'https://circleci.com/gh/acme/api/9', run_id: 'wf-1', job: 'push #9', commit: 'e', branch: 'main' },
    ],
    [
      'Azure Pipelines',
      { TF_BUILD: 'True', BUILD_REPOSITORY_NAME: 'api', BUILD_DEFINITIONNAME: 'ci', SYSTEM_COLLECTIONURI: 'https://dev.azure.com/acme/', SYSTEM_TEAMPROJECT: 'Platform', BUILD_BUILDID: '314', SYSTEM_JOBDISPLAYNAME: 'Push', BUILD_SOURCEVERSION: 'f', BUILD_SOURCEBRANCHNAME: 'main' },
      { provider: 'azure-pipelines', name: 'api · ci', url: 'https://dev.azure.com/acme/Platform/_build/results?buildId=314', run_id: '314', job: 'Push', commit: 'f', branch: 'main' },
    ],
    [
      'Buildkite',
      { BUILDKITE: 'true', BUILDKITE_PIPELINE_SLUG: 'api', BUILDKITE_BUILD_URL: 'https://buildkite.com/acme/api/builds/3', BUILDKITE_JOB_ID: 'j-1', BUILDKITE_BUILD_ID: 'b-1', BUILDKITE_LABEL: ':docker: push', BUILDKITE_COMMIT: 'g', BUILDKITE_BRANCH: 'main' },
      { provider: 'buildkite', name: 'api', url: 'https://buildkite.com/acme/api/builds/3#j-1', run_id: 'b-1', job: ':docker: push', commit: 'g', branch: 'main' },
    ],
  ])('%s', (_name, env, expected) => {
    expect(pipelineFromEnv(env)).toEqual(expected);
  });

  it('outside any known CI: none', () => {
    expect(pipelineFromEnv({ HOME: '/root' })).toBeUndefined();
  });
});
