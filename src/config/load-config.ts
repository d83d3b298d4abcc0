// Read and validate the YAML configuration file. A bad file gives one message per problem, naming the key path.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { fileConfigSchema, type FileConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: FileConfig;
  /** The file read, or undefined when none exists (no registries configured). */
  source: string | undefined;
}

/** `registries[0].fixers.users[1]` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

/** One line per issue: where, what is wrong, how to fix it. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const at = formatPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys
          .map((key) => `${formatPath([...issue.path, key])}: unknown key; remove it or check its spelling`)
          .join('\n');
      case 'invalid_value':
        return `${at}: must be one of: ${issue.values.map(String).join(', ')}`;
      case 'invalid_type':
        return issue.input === undefined
          ? `${at}: required (${issue.expected}); add it`
          : `${at}: expected ${issue.expected}, got ${Array.isArray(issue.input) ? 'array' : typeof issue.input}`;
      default:
        return `${at}: ${issue.message}`;
    }
  });
}

/** Validate an already parsed document (tests, or a config given inline). */
export function parseConfig(data: unknown, source = 'config'): FileConfig {
  // reportInput: a wrong type is reported as such ("expected string, got number"), not as missing.
  const result = fileConfigSchema.safeParse(data ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues);
  throw new ConfigError(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
}

/** Parse YAML text, then validate. */
export function parseConfigText(text: string, source = 'config'): FileConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => e.message.split('\n')[0] ?? e.message);
    throw new ConfigError(`${source} is not valid YAML:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
  let data: unknown;
  try {
    // An alias to no anchor, or aliases that expand beyond yaml's bound (a "billion laughs"), throw here.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const problem = (error as Error).message.split('\n')[0] ?? String(error);
    throw new ConfigError(`${source} is not valid YAML:\n  - ${problem}`, [problem]);
  }
  return parseConfig(data, source);
}

/** Load the file at `path`; a missing file means no registries configured, unless the file is `required`. */
export async function loadConfigFile(path: string, required = false): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (required) throw new ConfigError(`${path} does not exist (REGISTRY_DOCTOR_CONFIG names it)`, [`${path} does not exist`]);
      return { config: parseConfig({}), source: undefined };
    }
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`, [(error as Error).message]);
  }
  return { config: parseConfigText(text, path), source: path };
}
