import { generateSecret, generateURI, verify } from 'otplib';

/** Seconds per TOTP step: RFC 6238's default, and the only one authenticator apps reliably support. */
export const TOTP_PERIOD_SECONDS = 30;
/**
 * How far back a code may be from: one step, for the code that was on screen when the customer started
 * typing (RFC 6238 §5.2 allows "at most one time step" of delay). Never forward: phones keep network time.
 */
export const TOTP_DRIFT_SECONDS_BACK = 30;
/** Bytes of randomness in a TOTP secret: 160 bits, RFC 4226 §4's recommended length. */
export const TOTP_SECRET_BYTES = 20;
/** The issuer authenticator apps show beside the code. ASCII, since some apps garble other scripts. */
export const TOTP_ISSUER = 'Furikae Bank';

const SIX_DIGITS = /^[0-9]{6}$/;

/** A new random base32 TOTP secret. */
export function newTotpSecret(): string {
  return generateSecret({ length: TOTP_SECRET_BYTES });
}

/** The otpauth:// URI an authenticator app scans (as a QR code) or imports. */
export function totpUri(secret: string, label: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label, secret, period: TOTP_PERIOD_SECONDS });
}

/**
 * The time step a code belongs to, if it is right at `now` and newer than `time_step_last`
 * (a step already used is a replay: RTS Art. 4(1) accepts an authentication code only once).
 */
export async function matchTotpCode(secret: string, code: string, now: Date, time_step_last: number | null): Promise<number | undefined> {
  if (!SIX_DIGITS.test(code)) return undefined;
  const result = await verify({
    secret,
    token: code,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: [TOTP_DRIFT_SECONDS_BACK, 0],
    ...(time_step_last === null ? {} : { afterTimeStep: time_step_last }),
  });
  // otplib's functional verify answers for HOTP and TOTP alike; only the TOTP answer carries a time step.
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
