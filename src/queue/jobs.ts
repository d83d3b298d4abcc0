// Job names and the shape of their data. Job data holds only redacted text, bounded in size.
import { z } from 'zod';

export const DIAGNOSE_QUEUE = 'diagnose';
export const DIAGNOSE_JOB = 'diagnose';

/** What we keep of a pasted log in a job (the CLI takes logs of any size). */
export const MAX_JOB_LOG_CHARS = 16_000;

export const diagnoseJobSchema = z.object({
  /** Where the request came from: a slash command's text, or the modal. */
  source: z.enum(['command', 'modal']),
  /** Redacted log or pasted error; may be empty when only an image reference was given. */
  log: z.string().max(MAX_JOB_LOG_CHARS + 100),
  /** Redacted image reference, when given. */
  image: z.string().max(600).optional(),
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
});

export type DiagnoseJobData = z.infer<typeof diagnoseJobSchema>;

/** What a finished job returns (kept by BullMQ, shown on the dashboard). */
export interface DiagnoseJobResult {
  outcome: 'done' | 'not_in_channel';
  parentTs?: string;
  replyTs?: string;
  category?: string;
}
