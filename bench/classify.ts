// Classifier benchmark: throughput of diagnose() on a 10 MB log in memory, of diagnoseStream() on 100 MB
// and 200 MB files read as the CLI reads them, and peak memory while streaming. Prints figures beside
// the targets of DESIGN.md; asserts nothing.   npx tsx bench/classify.ts   (or npm run bench:classify)
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openInput, sniffLog, type CliIO } from '../src/cli/io.js';
import { diagnose, diagnoseStream } from '../src/engine/diagnose.js';
import { ciLogString, EXPECTED_CATEGORY, writeCiLog } from './ci-log.js';

const MB = 1024 * 1024;
const TARGET_MBPS = 50;
const TARGET_10MB_MS = 300;
const LABELLED_LOGS = new URL('../test/fixtures/logs/', import.meta.url);

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const fmtMB = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** Peak RSS and heap while `run` is pending, sampled every 10 ms (and before and after). */
async function withMemory<T>(run: () => Promise<T>): Promise<{ result: T; peakRss: number; peakHeap: number; baseRss: number; baseHeap: number }> {
  gc();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 10);
  try {
    const result = await run();
    sample();
    return { result, peakRss, peakHeap, baseRss: base.rss, baseHeap: base.heapUsed };
  } finally {
    clearInterval(timer);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function streamFile(path: string) {
  const io = { stdin: process.stdin } as unknown as CliIO;
  const sniff = await sniffLog(await openInput(path, io));
  if (sniff.kind !== 'text') throw new Error(`unexpected ${sniff.kind} input`);
  return diagnoseStream(sniff.chunks, {});
}

async function main(): Promise<void> {
  console.log(`registry-doctor classifier benchmark — node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(`targets: >= ${TARGET_MBPS} MB/s; a 10 MB log in < ${TARGET_10MB_MS} ms; memory bounded while streaming\n`);

  // --- Streaming from disk first, so the in-memory 10 MB string does not blur the memory figures.
  const streamed: Array<{ size: number; rssGrowth: number; heapGrowth: number }> = [];
  for (const sizeMB of [100, 200]) {
    const path = join(tmpdir(), `registry-doctor-bench-${process.pid}-${sizeMB}.log`);
    try {
      const bytes = await writeCiLog(path, sizeMB * MB, sizeMB);
      const t0 = performance.now();
      const { result, peakRss, peakHeap, baseRss, baseHeap } = await withMemory(() => streamFile(path));
      const ms = performance.now() - t0;
      const mbps = bytes / MB / (ms / 1000);
      streamed.push({ size: bytes, rssGrowth: peakRss - baseRss, heapGrowth: peakHeap - baseHeap });
      console.log(
        `diagnoseStream, ${fmtMB(bytes)} file: ${(ms / 1000).toFixed(2)} s, ${mbps.toFixed(1)} MB/s ` +
          `[target >= ${TARGET_MBPS} MB/s: ${verdict(mbps >= TARGET_MBPS)}]`,
      );
      console.log(
        `  peak RSS ${fmtMB(peakRss)} (+${fmtMB(peakRss - baseRss)} over ${fmtMB(baseRss)}), ` +
          `peak heap ${fmtMB(peakHeap)} (+${fmtMB(peakHeap - baseHeap)}); ` +
          `top category: ${result.findings[0]?.category ?? 'none'} (expected ${EXPECTED_CATEGORY})`,
      );
      if (sizeMB === 100) {
        // The CLI's own share: reading and decoding the file, with no classification.
        const r0 = performance.now();
        const sniff = await sniffLog(await openInput(path, { stdin: process.stdin } as unknown as CliIO));
        let chars = 0;
        if (sniff.kind === 'text') for await (const chunk of sniff.chunks) chars += chunk.length;
        const readMs = performance.now() - r0;
        console.log(`read + decode only (CLI input path), ${fmtMB(bytes)} file: ${(bytes / MB / (readMs / 1000)).toFixed(0)} MB/s (${chars === bytes ? 'all' : 'NOT all'} characters seen)`);
      }
    } finally {
      rmSync(path, { force: true });
    }
  }
  const [small, large] = streamed as [(typeof streamed)[number], (typeof streamed)[number]];
  // Bounded: doubling the log does not grow the heap with it (a whole-log copy would add 200+ MB), and the
  // heap stays far below the log's size. RSS is printed for information: V8 keeps pages it has used, so
  // RSS after a run depends on what ran before.
  const bounded = large.heapGrowth <= small.heapGrowth * 1.5 + 32 * MB && large.heapGrowth < large.size / 4;
  console.log(
    `  memory while streaming: RSS +${fmtMB(small.rssGrowth)} / heap +${fmtMB(small.heapGrowth)} for ${fmtMB(small.size)}, ` +
      `RSS +${fmtMB(large.rssGrowth)} / heap +${fmtMB(large.heapGrowth)} for ${fmtMB(large.size)} [target bounded: ${bounded ? 'ok' : 'NOT BOUNDED'}]\n`,
  );

  // --- In memory: one 10 MB string, several runs.
  const log = ciLogString(10 * MB, 10);
  const bytes = Buffer.byteLength(log);
  const runs: number[] = [];
  let top = 'none';
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    const d = diagnose({ log });
    runs.push(performance.now() - t0);
    top = d.findings[0]?.category ?? 'none';
  }
  const med = median(runs);
  const mbps = bytes / MB / (med / 1000);
  console.log(
    `diagnose, ${fmtMB(bytes)} string: median ${med.toFixed(0)} ms of ${runs.length} runs, ${mbps.toFixed(1)} MB/s ` +
      `[target >= ${TARGET_MBPS} MB/s: ${verdict(mbps >= TARGET_MBPS)}]`,
  );
  console.log(
    `  one 10 MB run: first (cold) ${runs[0]!.toFixed(0)} ms, median ${med.toFixed(0)} ms, slowest ${Math.max(...runs).toFixed(0)} ms ` +
      `[target < ${TARGET_10MB_MS} ms: ${verdict(med < TARGET_10MB_MS)}]`,
  );
  console.log(`  top category: ${top} (expected ${EXPECTED_CATEGORY})${top === EXPECTED_CATEGORY ? '' : '  <-- classifier missed the failure'}`);

  // --- For information: a log made only of failures (the labelled real logs back to back), where every line
  // is a candidate the rules are tried on; a CI log is mostly noise the scan skips.
  const failures = readdirSync(LABELLED_LOGS)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(new URL(name, LABELLED_LOGS), 'utf8').split('\n').filter((line) => line.trim() !== ''))
    .map((line) => (JSON.parse(line) as { log: string }).log);
  const dense: string[] = [];
  for (let size = 0, i = 0; size < 5 * MB; i += 1) {
    const next = failures[i % failures.length]!;
    dense.push(next);
    size += next.length + 1;
  }
  const denseLog = dense.join('\n');
  const denseRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    diagnose({ log: denseLog });
    denseRuns.push(performance.now() - t0);
  }
  const denseMs = median(denseRuns);
  console.log(`\nfor information — ${failures.length} labelled failure logs back to back, ${fmtMB(Buffer.byteLength(denseLog))} (every line about a failure): median ${denseMs.toFixed(0)} ms, ${(Buffer.byteLength(denseLog) / MB / (denseMs / 1000)).toFixed(1)} MB/s`);
  console.log(`\nprocess peak RSS (whole run): ${fmtMB(process.resourceUsage().maxRSS * 1024)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
