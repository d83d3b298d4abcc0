// An alert storm, shared by the storm e2e test and bench/storm: N signed failed-push webhooks over 5 causes
// (5 fingerprints), each from one of a few pipelines, sent with bounded concurrency; and what Slack then shows.
import type { RecordedCall } from './slack-api.js';
import { postCi } from './ci-webhook.js';

/** Five push failures that differ in registry, repository and category. */
export const STORM_CAUSES = [
  { key: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team-a/api', log: 'The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/team-a/api]\ndenied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/team-a/api' },
  { key: 'ghcr.io/acme/web', log: 'The push refers to repository [ghcr.io/acme/web]\nunauthorized: unauthenticated: User cannot be authenticated with the token provided.' },
  { key: 'acme.azurecr.io/billing', log: "The push refers to repository [acme.azurecr.io/billing]\nunauthorized: client with IP '203.0.113.7' is not allowed access. Refer https://aka.ms/acr/firewall to grant access." },
  { key: 'us-docker.pkg.dev/acme-prod/images/web', log: 'The push refers to repository [us-docker.pkg.dev/acme-prod/images/web]\nname unknown: Repository "images" not found' },
  { key: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api', log: "The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/api]\ntag invalid: The image tag '1.0' already exists in the 'api' repository and cannot be overwritten because the repository is immutable." },
] as const;

export interface StormDelivery {
  cause: number;
  sentAt: number;
  answeredAt: number;
  status: number;
  id: string | undefined;
}

export interface StormOptions {
  url: string;
  secret: string;
  count: number;
  concurrency: number;
  /** Pipelines per cause (their names repeat across runs). */
  pipelines?: number;
}

export async function sendStorm(options: StormOptions): Promise<StormDelivery[]> {
  const out: StormDelivery[] = [];
  let next = 0;
  const pipelines = options.pipelines ?? 8;
  const one = async (i: number) => {
    const cause = i % STORM_CAUSES.length;
    const body = JSON.stringify({
      log: STORM_CAUSES[cause]!.log,
      pipeline: { provider: 'buildkite', name: `svc-${cause}-${i % pipelines}`, run_id: `run-${i}`, job: 'push', url: `https://buildkite.com/acme/svc/builds/${i}` },
    });
    const sentAt = Date.now();
    const res = await postCi(options.url, options.secret, body);
    out.push({ cause, sentAt, answeredAt: Date.now(), status: res.status, id: typeof res.json?.id === 'string' ? res.json.id : undefined });
  };
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.count) await one(next++);
    }),
  );
  return out;
}

/** "123 failed pushes · 8 pipelines" in a parent's text → 123. */
export function shownCount(call: RecordedCall): number {
  const match = /(\d+) failed push/.exec(String(call.params.text));
  return match ? Number(match[1]) : 0;
}

/** Per channel, the most posts (chat.postMessage) accepted within any `windowMs`. */
export function maxPostsPerWindow(calls: readonly RecordedCall[], windowMs: number): Map<string, number> {
  const byChannel = new Map<string, number[]>();
  for (const c of calls) {
    if (c.method !== 'chat.postMessage' || c.failed) continue;
    const channel = String(c.params.channel);
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), c.at]);
  }
  const out = new Map<string, number>();
  for (const [channel, times] of byChannel) {
    times.sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; i < times.length; i += 1) {
      while (times[i]! - times[j]! >= windowMs) j += 1;
      best = Math.max(best, i - j + 1);
    }
    out.set(channel, best);
  }
  return out;
}
