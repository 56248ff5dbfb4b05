import type { PasskeyAssertion, PasskeyRefusalCode } from './passkey.ts';

/** The second factors a customer can hold: passkeys (WebAuthn), an authenticator app (TOTP) and SMS codes. */
export type SecondFactorKind = 'passkey' | 'totp' | 'sms';

/** The factors that are codes the customer types, kept one row each in second_factors, with failure counts and locks. */
export type CodeFactorKind = 'totp' | 'sms';

/**
 * A proof offered as a second factor. `purpose` binds an SMS code or a passkey challenge to what it was issued
 * for; a passkey's challenge is also bound to the browser session or interaction (`bound_to`).
 */
export type SecondFactorProof =
  | { factor: 'totp'; code: string }
  | { factor: 'sms'; code: string; purpose?: string }
  | ({ factor: 'passkey' } & PasskeyAssertion);

/**
 * The outcome of a second-factor attempt, as a value. A failed code never says which factor or what was
 * wrong (RTS Art. 4(3)(a)); `second_factor_locked` only says that the factor tried is locked. A refused passkey
 * answer says why (a PasskeyRefusalCode): it cannot be guessed, so the reason helps no one but the customer.
 */
export type SecondFactorResult =
  | { ok: true; factor: SecondFactorKind }
  | { ok: false; code: 'second_factor_failed' | 'second_factor_locked' | PasskeyRefusalCode };

/** A factor as the customer and staff see it. */
export interface FactorView {
  factor: SecondFactorKind;
  status: 'pending' | 'active' | 'locked';
  failures_consecutive: number;
  enrolled_at: Date | null;
  locked_at: Date | null;
  /** For SMS: the registered phone, last four digits only. */
  phone_masked?: string;
  /** For passkeys: how many the customer holds (the security page lists them). */
  passkeys_count?: number;
}

/** A locked factor, for the staff console. */
export interface LockedFactor {
  customer_id: string;
  name_kanji: string;
  factor: CodeFactorKind;
  failures_consecutive: number;
  locked_at: Date;
}
