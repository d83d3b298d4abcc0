// A CI log over the size limit is cut, not refused: its head (what ran, which image) and the part around the
// last failure line (what went wrong) are kept, with a marker where text was left out. Pure.

export const CUT_MARKER = '\n[… registry-doctor: log cut here to fit the size limit …]\n';
/** Wording that marks a failing line in any CI log; the last one is taken as "the failure". */
const FAILURE_LINE = /error|denied|unauthori[sz]ed|forbidden|failed|fatal|refused|timed? ?out|toomanyrequests|exit code [1-9]/i;
/** How far back from the end a failure line is looked for (a log's failure is near its end). */
const SEARCH_WINDOW = 512 * 1024;

/** Cut `log` to at most `maxChars` characters: a head (a fifth) and a window around the last failure line. */
export function cutLog(log: string, maxChars: number): string {
  if (log.length <= maxChars) return log;
  const headChars = Math.floor(maxChars / 5);
  const windowChars = maxChars - headChars - 2 * CUT_MARKER.length;
  const head = log.slice(0, headChars);
  const failureAt = lastFailureLine(log);
  // Centre the window on the failure line, leaning forward (what follows an error explains it), within the log.
  const after = Math.floor(windowChars * 0.6);
  let end = Math.min(log.length, Math.max(failureAt + after, headChars + windowChars));
  let start = Math.max(headChars, end - windowChars);
  end = Math.min(log.length, start + windowChars);
  start = alignToLine(log, start);
  const middle = log.slice(start, end);
  return `${head}${start > headChars ? CUT_MARKER : ''}${middle}${end < log.length ? CUT_MARKER : ''}`;
}

function lastFailureLine(log: string): number {
  let end = log.length;
  const floor = Math.max(0, log.length - SEARCH_WINDOW);
  while (end > floor) {
    const start = log.lastIndexOf('\n', end - 1) + 1;
    if (FAILURE_LINE.test(log.slice(start, Math.min(end, start + 2000)))) return start;
    if (start === 0) break;
    end = start - 1;
  }
  return log.length;
}

function alignToLine(log: string, at: number): number {
  const next = log.indexOf('\n', at);
  return next === -1 || next - at > 2000 ? at : next + 1;
}
