import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCiBody, verifyCiSignature } from '../../src/alerts/ci-signature.js';

const body = Buffer.from('{"log":"denied"}');
const now = 1_800_000_000;

describe('CI webhook signature', () => {
  const signature = signCiBody('s3cret', now, body);
  it('accepts its own signature within 5 minutes either way', () => {
    expect(verifyCiSignature('s3cret', { timestamp: String(now), signature }, body, now + 300)).toEqual({ ok: true });
    expect(verifyCiSignature('s3cret', { timestamp: String(now), signature }, body, now - 300)).toEqual({ ok: true });
  });
  it('refuses a stale or future timestamp, another body, another secret, a malformed header', () => {
    expect(verifyCiSignature('s3cret', { timestamp: String(now), signature }, body, now + 301).ok).toBe(false);
    expect(verifyCiSignature('s3cret', { timestamp: String(now), signature }, body, now - 301).ok).toBe(false);
    expect(verifyCiSignature('s3cret', { timestamp: String(now), signature }, Buffer.from('{"log":"Denied"}'), now).ok).toBe(false);
    expect(verifyCiSignature('other', { timestamp: String(now), signature }, body, now).ok).toBe(false);
    expect(verifyCiSignature('s3cret', { timestamp: String(now), signature: signature.toUpperCase() }, body, now).ok).toBe(false);
    expect(verifyCiSignature('s3cret', { timestamp: undefined, signature }, body, now).ok).toBe(false);
  });
  it('signs `v1:<timestamp>:<raw body>` (the documented scheme)', () => {
    expect(signature).toBe(`v1=${createHmac('sha256', 's3cret').update(`v1:${now}:${body.toString()}`).digest('hex')}`);
  });
});
