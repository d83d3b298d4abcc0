// Job names and the shape of their data. Job data holds only redacted text, bounded in size.
import { z } from 'zod';

export const DIAGNOSE_QUEUE = 'diagnose';
export const DIAGNOSE_JOB = 'diagnose';
/** A diagnosis asked again from its Re-run button: answered in the same thread, the parent updated. */
export const RERUN_JOB = 'rerun';

/** Publish one person's App Home (their recent diagnoses, the registries): asked by app_home_opened. */
export const PUBLISH_HOME_JOB = 'publish-home';

/** What we keep of a pasted log in a job (the CLI takes logs of any size). */
export const MAX_JOB_LOG_CHARS = 16_000;
export const MAX_JOB_IMAGE_CHARS = 600;

export const diagnoseJobSchema = z.object({
  /** Where the request came from: a slash command's text, or the modal. */
  source: z.enum(['command', 'modal', 'rerun']),
  /** Redacted log or pasted error; may be empty when only an image reference was given. */
  log: z.string().max(MAX_JOB_LOG_CHARS + 100),
  /** Redacted image reference, when given. */
  image: z.string().max(MAX_JOB_IMAGE_CHARS).optional(),
  /** A configured registry's name picked in the modal. */
  registry: z.string().max(100).optional(),
  /** Channel to post the diagnosis in. */
  channel: z.string().regex(/^[CGDZ][A-Z0-9]+$/),
  /** Slack user who asked. */
  user: z.string().regex(/^[UW][A-Z0-9]+$/),
  team: z.string().max(40).optional(),
  /**
   * The command's response_url (valid 30 minutes, 5 posts): the way to reach the user when the bot cannot
   * post in the channel. Absent for modal submissions that came without one.
   */
  responseUrl: z.url().optional(),
  requestedAt: z.number().int(),
  /**
   * `diagnose` (the default): the log, then the probes. `preflight` (`/registry check IMAGE`): the probes
   * alone, would a push succeed. `status` (`/registry status`): each configured registry's credentials,
   * answered through response_url.
   */
  purpose: z.enum(['diagnose', 'preflight', 'status']).optional(),
  /** Answer only the person who asked (in a direct message with the app), not the channel. */
  private: z.boolean().optional(),
  /** A re-run: the answer record it re-runs and the thread to answer in. */
  rerun: z.object({ of: z.string().max(64), parentTs: z.string().max(40) }).optional(),
});

/** The job name for a job's data: a re-run is a kind of its own (its own name on the queue and dashboard). */
export function jobName(data: DiagnoseJobData): string {
  return data.rerun ? RERUN_JOB : DIAGNOSE_JOB;
}

export type DiagnoseJobData = z.infer<typeof diagnoseJobSchema>;

export const homeJobSchema = z.object({ user: z.string().regex(/^[UW][A-Z0-9]+$/) });
export type HomeJobData = z.infer<typeof homeJobSchema>;

/** What a finished job returns (kept by BullMQ, shown on the dashboard). */
export interface DiagnoseJobResult {
  outcome: 'done' | 'not_in_channel' | 'delivered_elsewhere';
  parentTs?: string;
  replyTs?: string;
  category?: string;
}
