// pino JSON logs. Known secret-bearing keys are removed by path; every free-text string goes through `redact`.
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { Logger as BoltLogger, LogLevel as BoltLogLevel } from '@slack/bolt';
import { redact } from '../engine/redact.js';

export type { Logger };

/** Keys that carry credentials or capability URLs, wherever they appear in a logged object (two levels deep). */
export const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'authorization',
  'response_url',
  'responseUrl',
  'signingSecret',
  'botToken',
  'appToken',
  'headers.authorization',
  'headers["x-slack-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.response_url',
  '*.responseUrl',
  '*.log',
  '*.headers.authorization',
];

function redactArg(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) {
    const copy = new Error(redact(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : redact(value.stack);
    return Object.assign(copy, { code: (value as { code?: unknown }).code });
  }
  return value;
}

export function createLogger(options: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  const opts: LoggerOptions = {
    level: options.level,
    base: { service: 'registry-doctor', ...(options.name ? { role: options.name } : {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        const cleaned = args.map((a, i) => (i === 0 && typeof a === 'object' && a !== null && !(a instanceof Error) ? redactObject(a) : redactArg(a)));
        method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
    serializers: { err: (err: Error) => pino.stdSerializers.err(redactArg(err) as Error) },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** Shallow pass over a logged object: strings (and `err`) redacted; nested keys are left to pino's paths. */
function redactObject(obj: object): object {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = redactArg(v);
  return out;
}

/** Bolt's logger interface on top of pino, so Bolt and WebClient logs are JSON and redacted too. */
export function boltLogger(logger: Logger): BoltLogger {
  let level = logger.level as BoltLogLevel;
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => logger.debug({ component: 'bolt' }, join(msg)),
    info: (...msg) => logger.info({ component: 'bolt' }, join(msg)),
    warn: (...msg) => logger.warn({ component: 'bolt' }, join(msg)),
    error: (...msg) => logger.error({ component: 'bolt' }, join(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
