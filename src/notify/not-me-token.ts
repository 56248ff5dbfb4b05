import { SignJWT, jwtVerify, errors } from 'jose';
import type { Clock } from '../shared/clock.ts';
import { assert } from '../shared/assert.ts';

/**
 * How long a "this wasn't me" link works: 30 days, because a customer may read a notice late (a charge mail
 * opened after a holiday, a passbook checked at month end), yet a link must not stay live for ever in an inbox.
 */
export const NOT_ME_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Shortest server key accepted: 32 characters, at least the 256 bits HS256 is keyed with. */
export const NOT_ME_KEY_CHARS_MIN = 32;

/** Audience and JOSE type of the token, so no other HS256 token (of this or another service) is taken for one. */
const AUDIENCE = 'furikae:not-me';
const TYPE = 'not-me+jwt';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A verified token names the notice it came in; the notice says which link and charge. */
export type NotMeTokenCheck =
  | { ok: true; notice_id: string }
  | { ok: false; code: 'not_me_token_expired' | 'not_me_token_invalid' };

/**
 * Signs and checks "this wasn't me" tokens: a JWS (HS256, jose) over the notice id and an expiry, under a
 * server key from config. The token is derived from the notice, so the outbox stores no secret; single use is
 * enforced where it is redeemed (not_me_reports), not here.
 */
export function createNotMeTokens({ key, clock, ttl_seconds = NOT_ME_TOKEN_TTL_SECONDS }: { key: string; clock: Clock; ttl_seconds?: number }) {
  assert(key.length >= NOT_ME_KEY_CHARS_MIN, `the not-me key has at least ${NOT_ME_KEY_CHARS_MIN} characters`);
  const secret = new TextEncoder().encode(key);
  return {
    /** When a token for a notice created at `created_at` stops working. */
    expiresAt(created_at: Date): Date {
      return new Date(Math.floor(created_at.getTime() / 1000) * 1000 + ttl_seconds * 1000);
    },

    /** The token for one notice; its lifetime runs from the notice's creation, so a late send does not extend it. */
    async sign(notice: { id: string; created_at: Date }): Promise<string> {
      const issued = Math.floor(notice.created_at.getTime() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: TYPE })
        .setJti(notice.id)
        .setAudience(AUDIENCE)
        .setIssuedAt(issued)
        .setExpirationTime(issued + ttl_seconds)
        .sign(secret);
    },

    /** Checks signature, type, audience and expiry against the injected clock. Never throws for bad input. */
    async verify(token: string): Promise<NotMeTokenCheck> {
      try {
        const { payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'], typ: TYPE, audience: AUDIENCE, currentDate: clock.now(), requiredClaims: ['jti', 'exp', 'iat'],
        });
        if (typeof payload.jti !== 'string' || !UUID.test(payload.jti)) return { ok: false, code: 'not_me_token_invalid' };
        return { ok: true, notice_id: payload.jti };
      } catch (error) {
        // jose checks the signature before the claims, so "expired" is only ever said of a genuine token.
        if (error instanceof errors.JWTExpired) return { ok: false, code: 'not_me_token_expired' };
        return { ok: false, code: 'not_me_token_invalid' };
      }
    },
  };
}

export type NotMeTokens = ReturnType<typeof createNotMeTokens>;
