/** The second factors a customer can hold. Passkeys may join later. */
export type SecondFactorKind = 'totp' | 'sms';

/** A code offered as a second factor. `purpose` binds an SMS code to what it was sent for. */
export type SecondFactorProof = { factor: 'totp'; code: string } | { factor: 'sms'; code: string; purpose?: string };

/**
 * The outcome of a second-factor attempt, as a value. A failure never says which factor or what was
 * wrong (RTS Art. 4(3)(a)); `second_factor_locked` only says that the factor tried is locked.
 */
export type SecondFactorResult =
  | { ok: true; factor: SecondFactorKind }
  | { ok: false; code: 'second_factor_failed' | 'second_factor_locked' };

/** A factor as the customer and staff see it. */
export interface FactorView {
  factor: SecondFactorKind;
  status: 'pending' | 'active' | 'locked';
  failures_consecutive: number;
  enrolled_at: Date | null;
  locked_at: Date | null;
  /** For SMS: the registered phone, last four digits only. */
  phone_masked?: string;
}

/** A locked factor, for the staff console. */
export interface LockedFactor {
  customer_id: string;
  name_kanji: string;
  factor: SecondFactorKind;
  failures_consecutive: number;
  locked_at: Date;
}
