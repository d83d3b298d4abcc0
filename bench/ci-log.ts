// A large, realistic CI log for benchmarks: GitHub Actions timestamps, BuildKit `#N` steps, pip and npm
// noise, layer progress, "Retrying in N seconds", ANSI colours, some CRLF, and a real registry failure
// at the very end. Deterministic (seeded), produced in chunks so a 200 MB log never sits in memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** The failure the log ends with (ECR, as in examples/ecr-push-denied.log). */
export const FAILURE_TAIL = [
  'The push refers to repository [123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api]',
  '5f70bf18a086: Preparing',
  '3e4c1e8d2b77: Preparing',
  '8d3ac3489996: Waiting',
  'denied: User: arn:aws:sts::123456789012:assumed-role/gha-deployer/GitHubActions is not authorized to perform: ' +
    'ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/payments-api because no ' +
    'identity-based policy allows the ecr:InitiateLayerUpload action',
  '##[error]Process completed with exit code 1.',
];
export const EXPECTED_CATEGORY = 'permission_denied';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PACKAGES = ['requests', 'urllib3', 'certifi', 'charset-normalizer', 'idna', 'pydantic', 'fastapi', 'uvicorn', 'sqlalchemy', 'psycopg'];
const NPM = ['inflight@1.0.6', 'glob@7.2.3', 'rimraf@3.0.2', 'are-we-there-yet@2.0.0', 'gauge@3.0.2', 'npmlog@5.0.1'];

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
  return s;
}

/** Yields chunks of about `chunkBytes` (ASCII, so chars = bytes) until `totalBytes`, then the failure. */
export function* generateCiLog(totalBytes: number, seed = 42, chunkBytes = 1 << 20): Generator<string> {
  const rand = mulberry32(seed);
  const start = Date.UTC(2026, 10, 20, 9, 0, 0);
  let ms = 0;
  let written = 0;
  let step = 1;
  let lines: string[] = [];
  let size = 0;
  const stamp = () => {
    ms += Math.floor(rand() * 40);
    return `${new Date(start + ms).toISOString().slice(0, -1)}${String(Math.floor(rand() * 10_000)).padStart(4, '0')}Z `;
  };
  const push = (line: string) => {
    const eol = rand() < 0.05 ? '\r\n' : '\n';
    const full = stamp() + line + eol;
    lines.push(full);
    size += full.length;
  };

  while (written < totalBytes) {
    const r = rand();
    if (r < 0.25) {
      const pkg = PACKAGES[Math.floor(rand() * PACKAGES.length)]!;
      push(`#${step} ${(rand() * 90).toFixed(3)} Collecting ${pkg}==${Math.floor(rand() * 5)}.${Math.floor(rand() * 30)}.${Math.floor(rand() * 9)}`);
      push(`#${step} ${(rand() * 90).toFixed(3)}   Downloading ${pkg}-2.31.0-py3-none-any.whl (${Math.floor(rand() * 900)} kB)`);
    } else if (r < 0.4) {
      push(`\x1b[33mnpm warn\x1b[39m \x1b[94mdeprecated\x1b[39m ${NPM[Math.floor(rand() * NPM.length)]}: This module is not supported, and leaks memory.`);
    } else if (r < 0.6) {
      const total = (rand() * 300).toFixed(1);
      push(`#${step} sha256:${hex(rand, 64)} ${(rand() * Number(total)).toFixed(2)}MB / ${total}MB ${(rand() * 9).toFixed(1)}s`);
    } else if (r < 0.75) {
      const id = hex(rand, 12);
      const width = Math.floor(rand() * 50);
      push(`${id}: Pushing [${'='.repeat(width)}>${' '.repeat(50 - width)}]  ${(rand() * 90).toFixed(1)}MB/${(90 + rand() * 90).toFixed(1)}MB`);
    } else if (r < 0.8) {
      push(`${hex(rand, 12)}: Retrying in ${1 + Math.floor(rand() * 10)} seconds`);
    } else if (r < 0.85) {
      step += 1;
      push(`\x1b[36m#${step} [${Math.floor(rand() * 8) + 1}/8] RUN pip install --no-cache-dir -r requirements.txt\x1b[0m`);
    } else if (r < 0.9) {
      push(`#${step} DONE ${(rand() * 20).toFixed(1)}s`);
    } else if (r < 0.95) {
      push(`##[group]Run actions/cache@v4`);
      push(`Cache restored from key: Linux-pip-${hex(rand, 40)}`);
      push('##[endgroup]');
    } else {
      push(`#${step} ${(rand() * 90).toFixed(3)} WARNING: Running pip as the 'root' user can result in broken permissions`);
    }
    if (size >= chunkBytes) {
      const chunk = lines.join('');
      written += chunk.length;
      lines = [];
      size = 0;
      yield chunk;
    }
  }
  lines.push(...FAILURE_TAIL.map((line) => `${stamp()}${line}\n`));
  yield lines.join('');
}

/** The whole log as one string (for sizes that fit in memory). */
export function ciLogString(totalBytes: number, seed = 42): string {
  return [...generateCiLog(totalBytes, seed)].join('');
}

/** Write the log to `path` chunk by chunk. Returns the bytes written. */
export async function writeCiLog(path: string, totalBytes: number, seed = 42): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  for (const chunk of generateCiLog(totalBytes, seed)) {
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
