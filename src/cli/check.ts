// `registry-doctor check IMAGE`: the preflight. The probes alone, no log: would a push succeed right now?
import { parseArgs } from 'node:util';
import { diagnose } from '../engine/diagnose.js';
import { parseImageRef } from '../engine/image-ref.js';
import { probeDiagnosis, pushVerdict, type PushVerdict } from '../probes/probe-diagnosis.js';
import { normalizeDiagnosis, toJsonLine } from '../render/json.js';
import { renderProbeList, renderText } from '../render/text.js';
import { parseFormat, parseOrThrow } from './args.js';
import { CHECK_HELP } from './help.js';
import { EXIT, Sink, usageError, type CliIO } from './io.js';
import { loadRegistries } from './load-registries.js';

const COMMAND = 'check';

const VERDICT_EXIT: Record<PushVerdict, number> = {
  push_allowed: EXIT.ok,
  push_blocked: EXIT.pushBlocked,
  unknown: EXIT.pushUnknown,
};

export async function runCheck(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(
    () =>
      parseArgs({
        args,
        strict: true,
        allowPositionals: true,
        options: {
          config: { type: 'string', short: 'c' },
          format: { type: 'string', short: 'f' },
          help: { type: 'boolean', short: 'h' },
        },
      }),
    COMMAND,
  );
  const out = new Sink(io.stdout);
  if (values.help) {
    await out.write(CHECK_HELP);
    return EXIT.ok;
  }
  const format = parseFormat(values.format, COMMAND);
  if (positionals.length === 0) throw usageError('no image given: check IMAGE (e.g. ghcr.io/acme/app:1.0)', COMMAND);
  if (positionals.length > 1) throw usageError(`one image at a time (got ${positionals.length})`, COMMAND);
  const reference = positionals[0]!.trim();
  const parsed = parseImageRef(reference);
  if (!parsed.ok) throw usageError(`invalid image '${reference}': ${parsed.error}`, COMMAND);

  const registries = await loadRegistries(values.config, io);
  const diagnosis = await probeDiagnosis(diagnose({ log: '', image: reference, registries }), {
    registries,
    env: io.env ?? {},
    purpose: 'preflight',
  });
  const verdict = pushVerdict(diagnosis);

  if (format === 'json') {
    await out.write(`${toJsonLine({ verdict, diagnosis: normalizeDiagnosis(diagnosis) })}\n`);
  } else {
    const color = Boolean(io.stdout.isTTY) && !io.env?.NO_COLOR;
    const ref = parsed.ref.reference;
    if (verdict === 'push_blocked') {
      await out.write(`A push to ${ref} would fail now.\n\n${renderText(diagnosis, { color })}`);
    } else {
      const headline =
        verdict === 'push_allowed'
          ? `✔ A push to ${ref} would succeed: the registry accepted an upload and it was cancelled.`
          : `? Could not tell whether a push to ${ref} would succeed: no probe proved the push right, and none found a cause.`;
      await out.write(`${headline}\n\n${renderProbeList(diagnosis.probes, { color })}`);
    }
  }
  return VERDICT_EXIT[verdict];
}
