// The signature of `POST /webhooks/ci` (DESIGN.md): HMAC-SHA256 over `v1:<timestamp>:<raw body>` with
// CI_WEBHOOK_SECRET, sent as `x-registry-doctor-signature: v1=<hex>` with `x-registry-doctor-timestamp`.
// Shared by the receiving route and the `report` CLI that signs.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-registry-doctor-timestamp';
export const SIGNATURE_HEADER = 'x-registry-doctor-signature';
export const DELIVERY_HEADER = 'x-registry-doctor-delivery';
/** A request older (or further in the future) than this is refused: a captured request cannot be replayed later. */
export const MAX_SKEW_SECONDS = 5 * 60;

export function signCiBody(secret: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v1:${timestamp}:`);
  mac.update(body);
  return `v1=${mac.digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyCiSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `missing or malformed ${TIMESTAMP_HEADER} (epoch seconds)` };
  if (!signature || !/^v1=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: `missing or malformed ${SIGNATURE_HEADER} (v1=<hex>)` };
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > MAX_SKEW_SECONDS) return { ok: false, reason: 'timestamp is more than 5 minutes away from now' };
  const expected = Buffer.from(signCiBody(secret, ts, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
