// STUB — the engine entry points; the classifier fills them in.
import type { Diagnosis, PipelineFacts } from './diagnosis.js';

export interface DiagnoseRequest {
  /** The CI log or pasted error, any size. */
  log: string;
  /** Image reference, when the user or the webhook gave one. */
  image?: string;
  /** Client IP of the CI runner, when the webhook gave one. */
  runnerIp?: string;
  pipeline?: PipelineFacts;
}

/** Diagnose a log held in memory. Pure: no I/O. */
export function diagnose(request: DiagnoseRequest): Diagnosis {
  return {
    input: { logExcerpt: '', logLines: 0, logBytes: request.log.length, image: request.image },
    provider: 'other',
    facts: {},
    findings: [],
    probes: [],
  };
}

/** Diagnose a log read as a stream of chunks (a file, stdin): memory stays bounded whatever its size. */
export async function diagnoseStream(
  chunks: AsyncIterable<string | Uint8Array>,
  request: Omit<DiagnoseRequest, 'log'>,
): Promise<Diagnosis> {
  let log = '';
  for await (const chunk of chunks) log += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return diagnose({ ...request, log });
}
