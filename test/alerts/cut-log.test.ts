import { describe, expect, it } from 'vitest';
import { CUT_MARKER, cutLog } from '../../src/alerts/cut-log.js';

describe('cutLog', () => {
  const head = 'Run docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1\n';
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `layer ${i}: Pushed`).join('\n');
  const failure = 'denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload';

  it('leaves a log within the limit alone', () => {
    expect(cutLog('short', 100)).toBe('short');
  });

  it('keeps the head and the failure, within the limit', () => {
    const log = `${head}${filler(5000)}\n${failure}\n${filler(3000)}\n`;
    const cut = cutLog(log, 20_000);
    expect(cut.length).toBeLessThanOrEqual(20_000);
    expect(cut.startsWith(head)).toBe(true);
    expect(cut).toContain(failure);
    expect(cut).toContain(CUT_MARKER.trim());
  });

  it('with no failure line, keeps the head and the end', () => {
    const log = `${head}${filler(5000)}\nthe last line`;
    const cut = cutLog(log, 10_000);
    expect(cut.length).toBeLessThanOrEqual(10_000);
    expect(cut.startsWith(head)).toBe(true);
    expect(cut.endsWith('the last line')).toBe(true);
  });
});
