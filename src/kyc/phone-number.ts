/** Japan's country calling code: bank records hold domestic numbers, wallets often send E.164. */
const JAPAN_COUNTRY_CODE = '81';

/**
 * Digits in a Japanese number after the leading 0 (the national significant number): 9 for a
 * landline (03-1234-5678 → 312345678), 10 for a mobile or IP phone (090-1234-5678 → 9012345678).
 */
const JAPAN_NATIONAL_DIGITS_MIN = 9;
const JAPAN_NATIONAL_DIGITS_MAX = 10;

/** E.164 allows at most 15 digits including the country code. */
const E164_DIGITS_MAX = 15;

/** What people put between digit groups: spaces, hyphens and dashes of any width, dots and brackets. */
const PHONE_PUNCTUATION = /[\s\-‐‑‒–—―−ー.()]/gu;

/**
 * Normalises a phone number to E.164 (`+819012345678`), or null when it is not a phone number.
 * "090-1234-5678", "09012345678", "+81 90 1234 5678", "+81 (0)90-1234-5678" and full-width digits
 * all give the same answer, so a record and an attestation written differently still compare equal.
 */
export function normalizePhoneNumber(phone: string): string | null {
  const compact = phone.normalize('NFKC').replace(PHONE_PUNCTUATION, '');
  let national: string;
  if (compact.startsWith(`+${JAPAN_COUNTRY_CODE}`)) {
    // "+81 (0)90…" keeps the domestic trunk 0 by habit; it is not part of the number.
    national = compact.slice(1 + JAPAN_COUNTRY_CODE.length).replace(/^0/, '');
  } else if (compact.startsWith('+')) {
    const digits = compact.slice(1);
    return /^[1-9]\d*$/.test(digits) && digits.length <= E164_DIGITS_MAX ? `+${digits}` : null;
  } else if (/^0[1-9]/.test(compact)) {
    national = compact.slice(1);
  } else {
    return null;
  }
  if (!/^[1-9]\d*$/.test(national)) return null;
  if (national.length < JAPAN_NATIONAL_DIGITS_MIN || national.length > JAPAN_NATIONAL_DIGITS_MAX) return null;
  return `+${JAPAN_COUNTRY_CODE}${national}`;
}
