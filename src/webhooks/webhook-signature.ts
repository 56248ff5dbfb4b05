import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a delivery is signed in: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'furikae-signature';
/** How old a signature an operator should accept: 5 minutes of clock skew and retries in flight, no more, so a captured delivery cannot be replayed later. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

function hmac(secret: string, timestamp: number, body: string): string {
  // The timestamp is inside the MAC, so it cannot be changed to make an old delivery look new.
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The signature header for a body sent at `now`. */
export function signWebhook(secret: string, body: string, now: Date): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/** Why a signature was not accepted, or ok. */
export type WebhookSignatureCheck = 'ok' | 'malformed' | 'mismatch' | 'stale';

/**
 * Checks a delivery as an operator should: the header parses, the timestamp is within the tolerance of `now`,
 * and the HMAC over `${t}.${body}` matches in constant time. The body must be the raw bytes received.
 */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, now: Date, tolerance_seconds = WEBHOOK_TOLERANCE_SECONDS): WebhookSignatureCheck {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return 'malformed';
  const timestamp = Number(match[1]);
  if (Math.abs(Math.floor(now.getTime() / 1000) - timestamp) > tolerance_seconds) return 'stale';
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  const given = Buffer.from(match[2]!, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}
