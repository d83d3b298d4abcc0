// Environment → typed settings. `main.ts` hands `process.env` in; nothing else reads the environment.
import { z } from 'zod';
import { cloudEnvShape } from './cloud-env.js';
import { formatPath } from './load-config.js';
import { clusterSafePrefix, parseRedisTarget, RedisTargetError, type RedisTarget } from './redis-target.js';

export const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A token or secret: whitespace inside (a pasted newline) would make every call fail later, so it is refused now. */
const credential = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
  .refine((v) => v === undefined || !/\s/.test(v), 'contains a space or a line break (a copy-and-paste slip?): set the value alone');

export const envSchema = z.object({
  SLACK_SIGNING_SECRET: credential,
  SLACK_BOT_TOKEN: credential,
  SLACK_APP_TOKEN: credential,
  SLACK_API_URL: optionalText.pipe(z.url({ error: 'must be a URL such as https://slack.com/api/' }).optional()),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: optionalText,
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9{}:_.-]+$/, 'letters, digits and {}:_.- only (a {hash-tag} for Redis Cluster)')
    .default('registry-doctor'),
  PORT: int(0, 65535).default(3000),
  // Set explicitly, the file must exist (a typo must not start the bot with no registries); spaces around it are a slip.
  REGISTRY_DOCTOR_CONFIG: z
    .string()
    .refine((v) => v === v.trim() && v !== '', 'has spaces around it or is empty: set the path alone')
    .optional(),
  ADMIN_USER: optionalText,
  ADMIN_PASSWORD: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: int(1, 1000).default(8),
  // The job is the one retry layer for posts (the posting client makes each call once): 2+4+8+16+32 s of cover.
  JOB_ATTEMPTS: int(1, 50).default(6),
  JOB_BACKOFF_MS: int(0, 3_600_000).default(2000),
  WORKER_LOCK_MS: int(500, 600_000).default(30_000),
  RECENT_DIAGNOSES: int(1, 100).default(20),
  SLACK_API_TIMEOUT_MS: int(100, 120_000).default(10_000),
  CI_WEBHOOK_SECRET: credential,
  ALERT_CHANNEL: optionalText.pipe(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id such as C012ABCDEF (not #name)').optional()),
  GITHUB_WEBHOOK_SECRET: credential,
  GITHUB_TOKEN: credential,
  GITHUB_API_URL: optionalText.pipe(z.url({ error: 'must be a URL such as https://github.example.com/api/v3' }).optional()),
  GITLAB_WEBHOOK_TOKEN: credential,
  GITLAB_TOKEN: credential,
  GITLAB_URL: optionalText.pipe(z.url({ error: 'must be a URL such as https://gitlab.example.com' }).optional()),
  /** A CI log bigger than this is cut (head + around the failure); a body bigger than the hard limit is refused. */
  CI_LOG_LIMIT_MB: z.coerce.number().positive().max(100).default(5),
  WEBHOOK_BODY_LIMIT_MB: z.coerce.number().positive().max(500).default(25),
  ALERT_WINDOW_MINUTES: z.coerce.number().positive().max(7 * 24 * 60).default(30),
  ALERT_UPDATE_INTERVAL_MS: int(200, 600_000).default(10_000),
  ALERT_REPLY_INTERVAL_MS: int(1000, 24 * 3_600_000).default(5 * 60_000),
  SLACK_CHANNEL_INTERVAL_MS: int(0, 60_000).default(1000),
  /** chat.update calls a minute across the workspace (Slack's Tier 3: about 50); 0 turns the pacing off (tests, benchmarks). */
  SLACK_UPDATES_PER_MINUTE: int(0, 10_000).default(50),
  // Validated at start; the probes read them through cloudSettings() from the environment they are handed.
  ...cloudEnvShape,
});

export type Env = z.output<typeof envSchema>;

export interface Settings {
  role: Role;
  slack: {
    signingSecret: string | undefined;
    botToken: string | undefined;
    appToken: string | undefined;
    /** Web API base URL ending with `/`; undefined → Slack's own. */
    apiUrl: string | undefined;
    timeoutMs: number;
  };
  redis: RedisTarget;
  /** Key prefix of every key the bot keeps; hash-tagged on a Redis Cluster. */
  queuePrefix: string;
  port: number;
  configPath: string;
  /** The path was set (REGISTRY_DOCTOR_CONFIG): a missing file is an error, not "no registries". */
  configRequired: boolean;
  admin: { user: string; password: string } | undefined;
  logLevel: Env['LOG_LEVEL'];
  /** lockMs: how long a job stays locked to a worker without renewal; a dead worker's job is picked up after it. */
  worker: { concurrency: number; attempts: number; backoffMs: number; lockMs: number };
  recentDiagnoses: number;
  alerts: {
    channel: string | undefined;
    ciSecret: string | undefined;
    github: { secret: string | undefined; token: string | undefined; apiUrl: string | undefined };
    gitlab: { secret: string | undefined; token: string | undefined; url: string | undefined };
    maxLogChars: number;
    maxBodyBytes: number;
    windowMs: number;
    updateEveryMs: number;
    replyEveryMs: number;
  };
  /** Minimum spacing of messages posted in one Slack channel. */
  slackChannelIntervalMs: number;
  /** chat.update calls a minute across the workspace; 0: not paced. */
  slackUpdatesPerMinute: number;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** `--role web|worker` (or `--role=web`); `all` when absent. */
export function parseRole(argv: readonly string[]): Role {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '--role') value = argv[i + 1];
    else if (arg.startsWith('--role=')) value = arg.slice('--role='.length);
  });
  if (value === undefined) return 'all';
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new SettingsError(`--role must be one of ${ROLES.join(', ')} (got "${value}")`);
  }
  return value as Role;
}

export function loadSettings(env: Record<string, string | undefined>, argv: readonly string[]): Settings {
  const role = parseRole(argv);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${formatPath(i.path)}: ${i.message}`);
    throw new SettingsError(`environment is invalid:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const missing: string[] = [];
  if (!e.SLACK_BOT_TOKEN) missing.push('SLACK_BOT_TOKEN (the xoxb- bot token, from OAuth & Permissions)');
  if (role !== 'worker' && !e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    missing.push('SLACK_SIGNING_SECRET (Basic Information → App Credentials) for HTTP mode, or SLACK_APP_TOKEN (xapp-) for Socket Mode');
  }
  if ((e.ADMIN_USER === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    missing.push('ADMIN_USER and ADMIN_PASSWORD together (the /admin/queues dashboard is off unless both are set)');
  }
  if (missing.length > 0) throw new SettingsError(`missing environment:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  let redis: RedisTarget;
  try {
    redis = parseRedisTarget(e.REDIS_URL, e.REDIS_CLUSTER_NODES);
  } catch (error) {
    if (error instanceof RedisTargetError) throw new SettingsError(`environment is invalid:\n  - ${error.message}`);
    throw error;
  }
  let apiUrl = e.SLACK_API_URL;
  if (apiUrl !== undefined && !apiUrl.endsWith('/')) apiUrl += '/';
  return {
    role,
    slack: {
      signingSecret: e.SLACK_SIGNING_SECRET,
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl,
      timeoutMs: e.SLACK_API_TIMEOUT_MS,
    },
    redis,
    queuePrefix: clusterSafePrefix(e.QUEUE_PREFIX, redis),
    port: e.PORT,
    configPath: e.REGISTRY_DOCTOR_CONFIG ?? 'registry-doctor.yml',
    configRequired: e.REGISTRY_DOCTOR_CONFIG !== undefined,
    admin: e.ADMIN_USER && e.ADMIN_PASSWORD ? { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD } : undefined,
    logLevel: e.LOG_LEVEL,
    worker: { concurrency: e.WORKER_CONCURRENCY, attempts: e.JOB_ATTEMPTS, backoffMs: e.JOB_BACKOFF_MS, lockMs: e.WORKER_LOCK_MS },
    recentDiagnoses: e.RECENT_DIAGNOSES,
    alerts: {
      channel: e.ALERT_CHANNEL,
      ciSecret: e.CI_WEBHOOK_SECRET,
      github: { secret: e.GITHUB_WEBHOOK_SECRET, token: e.GITHUB_TOKEN, apiUrl: e.GITHUB_API_URL },
      gitlab: { secret: e.GITLAB_WEBHOOK_TOKEN, token: e.GITLAB_TOKEN, url: e.GITLAB_URL },
      maxLogChars: Math.floor(e.CI_LOG_LIMIT_MB * 1024 * 1024),
      maxBodyBytes: Math.floor(e.WEBHOOK_BODY_LIMIT_MB * 1024 * 1024),
      windowMs: Math.round(e.ALERT_WINDOW_MINUTES * 60_000),
      updateEveryMs: e.ALERT_UPDATE_INTERVAL_MS,
      replyEveryMs: e.ALERT_REPLY_INTERVAL_MS,
    },
    slackChannelIntervalMs: e.SLACK_CHANNEL_INTERVAL_MS,
    slackUpdatesPerMinute: e.SLACK_UPDATES_PER_MINUTE,
  };
}
