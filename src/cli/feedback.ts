// `registry-doctor feedback export`: the team's "Wrong cause?" answers from Slack as labelled JSON Lines, in
// the shape `eval` reads, so the bot's own misses become test cases. Reads the bot's Redis (REDIS_URL,
// QUEUE_PREFIX as the bot runs with them); writes to stdout or --out.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { clusterSafePrefix, parseRedisTarget, RedisTargetError } from '../config/redis-target.js';
import { connectRedis } from '../ops/redis.js';
import { AnswerStore, type Feedback } from '../slack/answer-store.js';
import { parseOrThrow } from './args.js';
import { FEEDBACK_HELP } from './help.js';
import { CliError, EXIT, PROGRAM, Sink, usageError, type CliIO } from './io.js';

const COMMAND = 'feedback';

/** One labelled case per answer (the latest answer about a diagnosis wins), with where it came from. */
export function toLabelledCases(rows: readonly Feedback[]): string[] {
  const latest = new Map<string, Feedback>();
  for (const row of rows) latest.set(row.id, row);
  return [...latest.values()].map((f) =>
    JSON.stringify({
      id: f.id,
      provider: f.provider,
      category: f.category,
      decidable: f.decidable,
      log: f.log,
      image: f.image ?? null,
      source: `Slack "Wrong cause?" by ${f.by} at ${new Date(f.at).toISOString()}; the bot said ${f.predicted}`,
    }),
  );
}

export async function runFeedback(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '-h' || sub === '--help' || sub === undefined) {
    await new Sink(sub === undefined ? io.stderr : io.stdout).write(FEEDBACK_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'export') throw usageError(`unknown feedback command '${sub}' (expected 'export')`, COMMAND);
  const { values } = parseOrThrow(
    () => parseArgs({ args: rest, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }),
    COMMAND,
  );
  if (values.help) {
    await new Sink(io.stdout).write(FEEDBACK_HELP);
    return EXIT.ok;
  }
  const env = io.env ?? {};
  let target;
  try {
    target = parseRedisTarget(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.REDIS_CLUSTER_NODES);
  } catch (error) {
    if (error instanceof RedisTargetError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  const prefix = clusterSafePrefix(env.QUEUE_PREFIX ?? 'registry-doctor', target);
  const redis = connectRedis(target, { connectionName: `${PROGRAM}:feedback`, maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: true });
  redis.on('error', () => {});
  let rows: Feedback[];
  let skipped: number;
  try {
    ({ rows, skipped } = await new AnswerStore(redis, { prefix }).feedback());
  } catch (error) {
    throw new CliError(`cannot read feedback from Redis (${(error as Error).message.split('\n')[0]}); check REDIS_URL and QUEUE_PREFIX`, EXIT.internal);
  } finally {
    redis.disconnect();
  }
  const lines = toLabelledCases(rows);
  const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  if (values.out !== undefined) {
    try {
      await writeFile(values.out, text);
    } catch (error) {
      throw new CliError(`cannot write '${values.out}': ${(error as Error).message}`, EXIT.usage);
    }
  } else await new Sink(io.stdout).write(text);
  await new Sink(io.stderr).write(`${PROGRAM}: ${lines.length} labelled case${lines.length === 1 ? '' : 's'} exported${skipped ? ` (${skipped} malformed rows skipped)` : ''}\n`);
  return EXIT.ok;
}
