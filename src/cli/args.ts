// util.parseArgs (strict), with its errors turned into short usage messages.
import { usageError } from './io.js';

/** Run a parseArgs call (kept at the call site, so its result stays precisely typed). */
export function parseOrThrow<T>(parse: () => T, command: string): T {
  try {
    return parse();
  } catch (error) {
    throw usageError(describeParseError(error), command);
  }
}

function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const text = message ?? String(error);
  // "Option '-l, --log <value>' argument missing", "Unknown option '--bogus'": name the long form.
  const option = /'(?:-\w, )?(-{1,2}[^'\s<,]+)/.exec(text)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return option ? `unknown option '${option}'` : 'unknown option';
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (option && /argument missing|ambiguous/.test(text)) return `option '${option}' needs a value`;
      if (option && /does not take an argument/.test(text)) return `option '${option}' takes no value`;
      return text.split('\n')[0]!;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(text)?.[1];
      return arg !== undefined ? `unexpected argument '${arg}'` : 'unexpected argument';
    }
    default:
      return text.split('\n')[0]!;
  }
}

export function parseFormat(value: string | undefined, command: string): 'text' | 'json' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw usageError(`invalid format '${value}' (expected 'text' or 'json')`, command);
}
