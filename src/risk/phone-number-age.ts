const HOUR_MS = 60 * 60 * 1000;

/**
 * Whole hours from when the phone number on record was changed to `now`; null for the number given at opening (the
 * features read `nullif(phone_set_at, created_at)`): a new customer's number is new to the bank, not taken over, and
 * a new account is the other rules' business. 0 for a time ahead of `now` (another process's clock a moment ahead),
 * so a number changed "in the future" counts as just changed, never as old. The SIM behind the number, as the carrier
 * dates its last change (`links.sms_sim_changed_at`), ages the same way.
 */
export function phoneNumberAgeHours(phone_changed_at: Date | null, now: Date): number | null {
  if (phone_changed_at === null) return null;
  return Math.max(0, Math.floor((now.getTime() - phone_changed_at.getTime()) / HOUR_MS));
}
