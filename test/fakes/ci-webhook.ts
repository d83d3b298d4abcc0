// Signed requests to the bot's webhook routes, as a CI (or `registry-doctor report`) and GitHub/GitLab send them.
import { createHmac } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ALERT_QUEUE } from '../../src/alerts/alert-job.js';
import { REDIS_URL } from './redis.js';

export interface CiPostOptions {
  timestamp?: number;
  /** Override the computed signature. */
  signature?: string;
  delivery?: string;
  contentType?: string;
}

export interface Answer {
  status: number;
  json: Record<string, unknown> | undefined;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

export function ciSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`v1:${timestamp}:${body}`).digest('hex')}`;
}

export async function postCi(baseUrl: string, secret: string, body: string, options: CiPostOptions = {}): Promise<Answer> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(`${baseUrl}/webhooks/ci`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'x-registry-doctor-timestamp': String(timestamp),
      'x-registry-doctor-signature': options.signature ?? ciSignature(secret, timestamp, body),
      ...(options.delivery ? { 'x-registry-doctor-delivery': options.delivery } : {}),
    },
    body,
  });
  return answer(res);
}

export async function postGitHub(baseUrl: string, secret: string, event: string, payload: unknown, signature?: string): Promise<Answer> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${baseUrl}/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': crypto.randomUUID(),
      'x-hub-signature-256': signature ?? `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
  return answer(res);
}

export async function postGitLab(baseUrl: string, token: string, payload: unknown, event = 'Job Hook'): Promise<Answer> {
  const res = await fetch(`${baseUrl}/webhooks/gitlab`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-token': token, 'x-gitlab-event-uuid': crypto.randomUUID() },
    body: JSON.stringify(payload),
  });
  return answer(res);
}

/** The alert queue of a test prefix, read directly (what was stored, and how each job ended). */
export async function withAlertQueue<T>(prefix: string, fn: (queue: Queue) => Promise<T>, redisUrl = REDIS_URL): Promise<T> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const queue = new Queue(ALERT_QUEUE, { connection: redis, prefix });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** How an alert job ended (`opened`, `counted`, `not_a_push_failure` …), or undefined if not within `timeoutMs`. */
export async function alertJobOutcome(prefix: string, id: string, timeoutMs: number): Promise<string | undefined> {
  return withAlertQueue(prefix, async (queue) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await queue.getJob(id);
      if (job?.returnvalue) return (job.returnvalue as { outcome: string }).outcome;
      if (Date.now() > deadline) return undefined;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

/** Alert jobs stored in any state (refresh jobs excluded). */
export async function storedAlerts(prefix: string, redisUrl = REDIS_URL): Promise<number> {
  return withAlertQueue(
    prefix,
    async (queue) => (await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'])).filter((j) => j.name === 'alert').length,
    redisUrl,
  );
}
