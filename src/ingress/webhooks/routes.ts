// `POST /webhooks/ci`, `/webhooks/github`, `/webhooks/gitlab`: verify → validate → redact → store → ack.
// The answer is 202 {id} only once the alert is in Redis (one inbox write, like a slash command's); fetching a
// GitHub/GitLab log, diagnosing and posting happen in the worker. What the sender must learn at once stays
// here: a bad signature (401), a malformed body (400, naming the field), a size (413) or type (415) refused.
// Duplicate deliveries map to the same job id and are stored once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Webhooks } from '@octokit/webhooks';
import { z } from 'zod';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyCiSignature } from '../../alerts/ci-signature.js';
import { fitPipeline, type AlertJobData, type Pipeline } from '../../alerts/alert-job.js';
import { redact, redactDeep } from '../../engine/redact.js';
import type { Logger } from '../../ops/logger.js';
import { ciBodySchema, describeBodyIssues } from './ci-body.js';
import { BodyTooLargeError, header, isJson, readRawBody, refuseTooLarge, sendJson } from './http.js';

export const WEBHOOK_PATHS = { ci: '/webhooks/ci', github: '/webhooks/github', gitlab: '/webhooks/gitlab' } as const;

export interface WebhookDeps {
  /** Store the alert durably under the job id of `dedupKey`; resolves with that id. Throws when Redis is away. */
  store: (data: AlertJobData, dedupKey: string | undefined) => Promise<string>;
  ciSecret: string | undefined;
  githubSecret: string | undefined;
  gitlabToken: string | undefined;
  /** Bytes of a request body beyond which it is refused (413). */
  maxBodyBytes: number;
  /** The log redacted, then cut where the failure is if it is over the limit (not refused): prepare-log.ts. */
  prepareLog: (log: string) => Promise<string>;
  logger: Logger;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function webhookRoute(url: string | undefined): keyof typeof WEBHOOK_PATHS | undefined {
  const path = (url ?? '').split('?')[0];
  for (const [name, p] of Object.entries(WEBHOOK_PATHS)) if (p === path) return name as keyof typeof WEBHOOK_PATHS;
  return undefined;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

const githubJobSchema = z.object({
  action: z.string(),
  workflow_job: z.object({
    id: z.number().int().positive(),
    run_id: z.number().int().positive(),
    run_attempt: z.number().int().positive().default(1),
    name: z.string().max(300),
    workflow_name: z.string().max(300).nullish(),
    conclusion: z.string().nullable(),
    html_url: z.url().nullish(),
    head_sha: z.string().max(100).nullish(),
    head_branch: z.string().max(300).nullish(),
  }),
  repository: z.object({ name: z.string().max(100), owner: z.object({ login: z.string().max(100) }) }),
});

const gitlabJobSchema = z.object({
  object_kind: z.string(),
  build_id: z.number().int().positive(),
  build_name: z.string().max(300),
  build_status: z.string(),
  pipeline_id: z.number().int().nullish(),
  project_id: z.number().int().positive(),
  project_name: z.string().max(300).nullish(),
  ref: z.string().max(300).nullish(),
  sha: z.string().max(100).nullish(),
  repository: z.object({ homepage: z.url().nullish() }).nullish(),
});

export function createWebhookHandler(deps: WebhookDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger } = deps;
  const github = deps.githubSecret ? new Webhooks({ secret: deps.githubSecret }) : undefined;

  async function body(req: IncomingMessage): Promise<Buffer> {
    if (!isJson(req)) throw new Refusal(415, `content-type must be application/json (got ${JSON.stringify(header(req, 'content-type') ?? 'none')})`);
    return readRawBody(req, deps.maxBodyBytes);
  }

  function parseJson(raw: Buffer): unknown {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new Refusal(400, `body is not valid JSON: ${(error as Error).message}`);
    }
  }

  async function store(res: ServerResponse, data: AlertJobData, dedupKey: string | undefined, what: Record<string, unknown>): Promise<void> {
    const id = await deps.store(data, dedupKey);
    logger.info({ id, source: data.source, ...what }, 'alert stored');
    sendJson(res, 202, { id });
  }

  const handlers: Record<keyof typeof WEBHOOK_PATHS, Handler> = {
    async ci(req, res) {
      if (!deps.ciSecret) throw new Refusal(404, 'the generic CI webhook is off: set CI_WEBHOOK_SECRET');
      const raw = await body(req);
      const check = verifyCiSignature(deps.ciSecret, { timestamp: header(req, TIMESTAMP_HEADER), signature: header(req, SIGNATURE_HEADER) }, raw);
      if (!check.ok) throw new Refusal(401, check.reason);
      const parsed = ciBodySchema.safeParse(parseJson(raw));
      if (!parsed.success) throw new Refusal(400, describeBodyIssues(parsed.error));
      const b = parsed.data;
      const log = await deps.prepareLog(b.log).catch((error: unknown) => {
        throw new Refusal(503, `could not prepare the log (${(error as Error).message}); retry later`);
      });
      const pipeline: Pipeline = fitPipeline(redactDeep({
        ...(b.pipeline?.provider ? { provider: b.pipeline.provider } : {}),
        ...(b.pipeline?.name ? { name: b.pipeline.name } : {}),
        ...(b.pipeline?.url ? { url: b.pipeline.url } : {}),
        ...(b.pipeline?.run_id ? { runId: b.pipeline.run_id } : {}),
        ...(b.pipeline?.job ? { job: b.pipeline.job } : {}),
        ...(b.pipeline?.commit ? { commit: b.pipeline.commit } : {}),
        ...(b.pipeline?.branch ? { branch: b.pipeline.branch } : {}),
      }));
      const delivery = header(req, DELIVERY_HEADER);
      const dedupKey =
        pipeline.runId && pipeline.job
          ? `ci:${pipeline.provider ?? ''}:${pipeline.name ?? ''}:${pipeline.runId}:${pipeline.job}`
          : delivery && /^[\w.:-]{8,200}$/.test(delivery)
            ? `ci:delivery:${delivery}`
            : undefined;
      await store(
        res,
        {
          kind: 'alert',
          source: 'ci',
          log,
          ...(b.image ? { image: redact(b.image).slice(0, 600) } : {}),
          ...(b.runner_ip ? { runnerIp: b.runner_ip } : {}),
          ...(b.channel ? { channel: b.channel } : {}),
          pipeline,
          receivedAt: Date.now(),
        },
        dedupKey,
        { chars: log.length, cut: log.length < b.log.length },
      );
    },

    async github(req, res) {
      if (!github) throw new Refusal(404, 'the GitHub webhook is off: set GITHUB_WEBHOOK_SECRET');
      const raw = await body(req);
      const signature = header(req, 'x-hub-signature-256');
      if (!signature || !(await github.verify(raw.toString('utf8'), signature).catch(() => false))) throw new Refusal(401, 'X-Hub-Signature-256 missing or does not match');
      const event = header(req, 'x-github-event');
      if (event !== 'workflow_job') {
        res.writeHead(204).end();
        return;
      }
      const parsed = githubJobSchema.safeParse(parseJson(raw));
      if (!parsed.success) throw new Refusal(400, describeBodyIssues(parsed.error));
      const { action, workflow_job: job, repository } = parsed.data;
      if (action !== 'completed' || job.conclusion !== 'failure') {
        res.writeHead(204).end();
        return;
      }
      const pipeline: Pipeline = fitPipeline(redactDeep({
        provider: 'github',
        name: `${repository.owner.login}/${repository.name}${job.workflow_name ? ` · ${job.workflow_name}` : ''}`,
        ...(job.html_url ? { url: job.html_url } : {}),
        runId: String(job.run_id),
        job: job.name,
        ...(job.head_sha ? { commit: job.head_sha } : {}),
        ...(job.head_branch ? { branch: job.head_branch } : {}),
      }));
      await store(
        res,
        { kind: 'alert', source: 'github', fetch: { from: 'github', owner: repository.owner.login, repo: repository.name, jobId: job.id }, pipeline, receivedAt: Date.now() },
        `github:job:${job.id}:${job.run_attempt}`,
        { delivery: header(req, 'x-github-delivery'), job: job.id },
      );
    },

    async gitlab(req, res) {
      if (!deps.gitlabToken) throw new Refusal(404, 'the GitLab webhook is off: set GITLAB_WEBHOOK_TOKEN');
      const token = header(req, 'x-gitlab-token') ?? '';
      if (!timingSafeEqual(digest(token), digest(deps.gitlabToken))) throw new Refusal(401, 'X-Gitlab-Token missing or wrong');
      const raw = await body(req);
      if (header(req, 'x-gitlab-event') !== 'Job Hook') {
        res.writeHead(204).end();
        return;
      }
      const parsed = gitlabJobSchema.safeParse(parseJson(raw));
      if (!parsed.success) throw new Refusal(400, describeBodyIssues(parsed.error));
      const job = parsed.data;
      if (job.object_kind !== 'build' || job.build_status !== 'failed') {
        res.writeHead(204).end();
        return;
      }
      const pipeline: Pipeline = fitPipeline(redactDeep({
        provider: 'gitlab',
        name: job.project_name ?? `project ${job.project_id}`,
        ...(job.repository?.homepage ? { url: `${job.repository.homepage}/-/jobs/${job.build_id}` } : {}),
        ...(job.pipeline_id ? { runId: String(job.pipeline_id) } : {}),
        job: job.build_name,
        ...(job.sha ? { commit: job.sha } : {}),
        ...(job.ref ? { branch: job.ref } : {}),
      }));
      await store(
        res,
        { kind: 'alert', source: 'gitlab', fetch: { from: 'gitlab', projectId: job.project_id, jobId: job.build_id }, pipeline, receivedAt: Date.now() },
        `gitlab:job:${job.build_id}`,
        { delivery: header(req, 'x-gitlab-event-uuid'), job: job.build_id },
      );
    },
  };

  return (req, res) => {
    const route = webhookRoute(req.url);
    if (!route || req.method !== 'POST') {
      sendJson(res, route ? 405 : 404, { error: route ? 'use POST' : 'not found' });
      return;
    }
    handlers[route](req, res).catch((error: unknown) => {
      if (error instanceof Refusal) {
        if (error.status >= 500 || error.status === 401) logger.warn({ route, status: error.status, reason: error.message }, 'webhook refused');
        sendJson(res, error.status, { error: error.message });
      } else if (error instanceof BodyTooLargeError) {
        refuseTooLarge(res, error.message);
      } else if (error instanceof z.ZodError) {
        // Our own job schema refused what the route built: a bug, not the sender's fault.
        logger.error({ err: error, route }, 'webhook built an invalid job');
        sendJson(res, 500, { error: 'internal error' });
      } else {
        // Storing failed: Redis is down or slow. 503 tells the CI (and `report`) to retry.
        logger.error({ err: error, route }, 'could not store a webhook');
        sendJson(res, 503, { error: 'the alert queue is unavailable; retry later' }, { 'retry-after': '5' });
      }
    });
  };
}
