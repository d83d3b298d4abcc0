// The body of `POST /webhooks/ci` (DESIGN.md), as any CI (or `registry-doctor report`) sends it.
import { z } from 'zod';

export const ciBodySchema = z.object({
  log: z.string().min(1, 'the failed job\'s log is required'),
  image: z.string().min(1).max(600).optional(),
  runner_ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).optional(),
  channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id such as C012ABCDEF').optional(),
  pipeline: z
    .object({
      provider: z.string().max(40).optional(),
      name: z.string().max(200).optional(),
      url: z.url().max(2000).optional(),
      run_id: z.union([z.string().max(100), z.number().int().transform(String)]).optional(),
      job: z.string().max(200).optional(),
      commit: z.string().max(100).optional(),
      branch: z.string().max(300).optional(),
    })
    .optional(),
});
export type CiBody = z.input<typeof ciBodySchema>;

/** One line naming where the body is wrong: `pipeline.url: Invalid URL`. */
export function describeBodyIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
