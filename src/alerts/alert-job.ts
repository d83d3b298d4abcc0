// The alert job: a failed CI job reported by a webhook (generic, GitHub, GitLab). Unlike a slash command's job
// it has no Slack user and no response_url: it is routed to a channel by the configuration. The HTTP handler
// stores it in the inbox and acks (src/queue/inbox.ts); the worker fetches the log (GitHub, GitLab), diagnoses, aggregates and posts.
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const ALERT_QUEUE = 'alerts';
/** One failed CI job. */
export const ALERT_JOB = 'alert';
/** Re-render an alert thread's parent (counter, mute) and post the bounded "new pipelines" reply. */
export const REFRESH_JOB = 'alert-refresh';

const ip = z.union([z.ipv4(), z.ipv6()]);

/** The longest each pipeline fact may be in a stored job. */
const PIPELINE_LIMITS = { provider: 40, name: 200, url: 2000, runId: 100, job: 200, commit: 100, branch: 300 } as const;

export const pipelineSchema = z.object({
  /** `github`, `gitlab`, `jenkins`, … */
  provider: z.string().max(PIPELINE_LIMITS.provider).optional(),
  name: z.string().max(PIPELINE_LIMITS.name).optional(),
  url: z.url().max(PIPELINE_LIMITS.url).optional(),
  runId: z.string().max(PIPELINE_LIMITS.runId).optional(),
  job: z.string().max(PIPELINE_LIMITS.job).optional(),
  commit: z.string().max(PIPELINE_LIMITS.commit).optional(),
  branch: z.string().max(PIPELINE_LIMITS.branch).optional(),
});
export type Pipeline = z.infer<typeof pipelineSchema>;

/**
 * Pipeline facts cut to the job's bounds after redaction: a redaction marker can make a field longer than the
 * sender's, and a redacted URL may no longer be a URL (then it is left out). A sender's valid body is never
 * refused for what redaction did to it.
 */
export function fitPipeline(pipeline: Pipeline): Pipeline {
  const fitted: Pipeline = {};
  for (const key of Object.keys(PIPELINE_LIMITS) as Array<keyof Pipeline>) {
    const value = pipeline[key];
    if (typeof value === 'string' && value !== '') fitted[key] = value.slice(0, PIPELINE_LIMITS[key]);
  }
  if (fitted.url !== undefined && !URL.canParse(fitted.url)) delete fitted.url;
  return fitted;
}

export const logSourceSchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('github'), owner: z.string().max(100), repo: z.string().max(100), jobId: z.number().int().positive() }),
  z.object({ from: z.literal('gitlab'), projectId: z.number().int().positive(), jobId: z.number().int().positive() }),
]);
export type LogSource = z.infer<typeof logSourceSchema>;

export const alertJobSchema = z.object({
  kind: z.literal('alert'),
  source: z.enum(['ci', 'github', 'gitlab']),
  /** The redacted log (cut to the size limit), when the webhook carried it. */
  log: z.string().optional(),
  /** Where the worker fetches the log from, when the webhook did not carry it. */
  fetch: logSourceSchema.optional(),
  image: z.string().max(600).optional(),
  /** The CI runner's address, for firewall checks (probes read it). */
  runnerIp: ip.optional(),
  /** A channel the webhook asked for; used only when the configuration allows overrides. */
  channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/).optional(),
  pipeline: pipelineSchema.default({}),
  receivedAt: z.number().int(),
}).refine((job) => job.log !== undefined || job.fetch !== undefined, { message: 'an alert needs a log or where to fetch it' });
export type AlertJobData = z.infer<typeof alertJobSchema>;

export const refreshJobSchema = z.object({ kind: z.literal('alert-refresh'), group: z.string().regex(/^[a-z0-9]+$/) });
export type RefreshJobData = z.infer<typeof refreshJobSchema>;

export type AlertQueue = Queue<AlertJobData | RefreshJobData>;

export function createAlertQueue(connection: ConnectionOptions, prefix: string, attempts: number, backoffMs: number): AlertQueue {
  return new Queue<AlertJobData | RefreshJobData>(ALERT_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      // Completed alert jobs are kept a day: their ids are what makes a redelivered webhook a no-op.
      removeOnComplete: { age: 24 * 3600, count: 100_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
    },
  });
}

/**
 * The job id of a delivery: the same failed CI job (run and job) or the same delivery id gives the same id,
 * so BullMQ stores it once. Without either, every delivery is new.
 */
export function alertJobId(dedupKey: string | undefined): string {
  const key = dedupKey ?? `random:${Math.random()}:${process.hrtime.bigint()}`;
  return `a${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
