import assert from 'node:assert/strict';
import { generate } from 'otplib';
import type { ManualClock } from '../shared/clock.ts';
import type { SecondFactors } from '../mfa/second-factors.ts';
import type { Queryable } from '../storage/database.ts';
import { NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';

/** An authenticator step: a code is made for one 30-second step, and each is accepted once. */
export const TOTP_STEP_MS = 30_000;

/** The authenticator app's code for this secret at the clock's time; the clock does not move. */
export function totpCodeAt(secret: string, clock: ManualClock): Promise<string> {
  return generate({ secret, period: TOTP_STEP_MS / 1000, epoch: Math.floor(clock.now().getTime() / 1000) });
}

/** An enrolled authenticator app: its secret, and its codes at the bank's clock. */
export interface EnrolledAuthenticator {
  secret: string;
  /** The code at the clock's time, which stays where it is. */
  codeNow(): Promise<string>;
  /** The next fresh code: moves the clock one step on first, since a code from a step already used is a replay. */
  nextCode(): Promise<string>;
}

/**
 * Enrols an authenticator app for a customer straight through the second-factor service (the security page has its
 * own tests): starts enrolment and confirms it with the code at the clock's current time. The clock is not moved;
 * the code just used confirmed the enrolment, so the first code for a login is `nextCode()` (or the caller moves the clock).
 * Unless `cooling_off` is asked for, the app is then dated as registered before the cooling-off (a customer who has had
 * it for a while, which tests of links and step-ups mean); the cooling-off itself has its own tests.
 */
export async function enrolAuthenticatorApp(
  { secondFactors, clock, db }: { secondFactors: Pick<SecondFactors, 'startTotpEnrolment' | 'confirmTotpEnrolment'>; clock: ManualClock; db: Queryable },
  customer_id: string,
  { cooling_off = false }: { cooling_off?: boolean } = {},
): Promise<EnrolledAuthenticator> {
  const started = await secondFactors.startTotpEnrolment(customer_id);
  assert.ok(started.ok, `TOTP enrolment started for ${customer_id}: ${started.ok ? '' : started.code}`);
  const { secret } = started;
  const codeNow = () => totpCodeAt(secret, clock);
  assert.deepEqual(await secondFactors.confirmTotpEnrolment(customer_id, await codeNow()), { ok: true }, 'TOTP enrolment confirmed');
  if (!cooling_off) {
    await db.query(`UPDATE second_factors SET enrolled_at = $2 WHERE customer_id = $1 AND factor = 'totp'`,
      [customer_id, new Date(clock.now().getTime() - NEW_FACTOR_COOLING_OFF_MS - TOTP_STEP_MS)]);
  }
  const nextCode = () => {
    clock.advance(TOTP_STEP_MS);
    return codeNow();
  };
  return { secret, codeNow, nextCode };
}
