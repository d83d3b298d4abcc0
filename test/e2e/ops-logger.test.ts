// pino logs: known secret keys removed by path, free text passed through `redact`.
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';

it('redacts known keys and secrets inside free text', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ level: 'info', destination: sink as never });
  logger.info({ token: 'xoxb-123-456-abcdefghijklmnop', job: { responseUrl: 'https://hooks.slack.com/commands/T/1/secret' } }, 'posting');
  logger.warn('log said aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  logger.error({ err: new Error('docker login -p hunter2hunter2 registry.example.com failed') }, 'boom');
  const out = lines.join('');
  expect(out).not.toContain('xoxb-123-456-abcdefghijklmnop');
  expect(out).not.toContain('hooks.slack.com/commands/T/1/secret');
  expect(out).not.toContain('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  expect(out).not.toContain('hunter2hunter2');
  expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'posting', token: '[REDACTED]' });
});
