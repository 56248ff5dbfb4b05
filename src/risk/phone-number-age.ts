const HOUR_MS = 60 * 60 * 1000;

/**
 * Whole hours from when the phone number on record was set or changed to `now`; 0 for a time ahead of `now` (another
 * process's clock a moment ahead), so a number changed "in the future" counts as just changed, never as old.
 */
export function phoneNumberAgeHours(phone_set_at: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - phone_set_at.getTime()) / HOUR_MS));
}
