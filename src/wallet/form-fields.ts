/**
 * Parsers for form fields. Form values arrive as text (and a repeated field as an array), so each
 * parser takes `unknown` and returns a clean value or null; nothing here coerces silently.
 */
import { AMOUNT_YEN_MAX } from '../shared/yen.ts';

/** Longest text any wallet form field accepts; anything longer is refused before it is looked at. */
export const FORM_FIELD_CHARS_MAX = 256;
/** Display names: room for a full Japanese name with a title, short enough for one line on a phone. */
export const NAME_CHARS_MAX = 60;
/** RFC 5321's limit on a forward path. */
export const EMAIL_CHARS_MAX = 254;

/** Whole yen written plainly: no sign, no leading zero, no separators, no exponent; at most 12 digits. */
const AMOUNT_YEN_TEXT = /^[1-9][0-9]{0,11}$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Deliberately simple: one @, something on each side, a dot in the domain, no spaces. */
const EMAIL_TEXT = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The field as a string, or null if it is missing, repeated or too long. */
export function textField(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > FORM_FIELD_CHARS_MAX) return null;
  return value;
}

/** A positive whole number of yen within the ledger's range, or null. */
export function parseAmountYen(value: unknown): number | null {
  const text = textField(value)?.trim();
  if (text === undefined || !AMOUNT_YEN_TEXT.test(text)) return null;
  const amount_yen = Number(text);
  if (!Number.isSafeInteger(amount_yen) || amount_yen > AMOUNT_YEN_MAX) return null;
  return amount_yen;
}

/** A lower-case UUID (the form-embedded idempotency ids), or null. */
export function parseUuid(value: unknown): string | null {
  const text = textField(value)?.trim().toLowerCase();
  return text !== undefined && UUID_TEXT.test(text) ? text : null;
}

/** A plausible e-mail address, trimmed and lower-cased, or null. */
export function parseEmail(value: unknown): string | null {
  const text = textField(value)?.trim().toLowerCase();
  return text !== undefined && text.length <= EMAIL_CHARS_MAX && EMAIL_TEXT.test(text) ? text : null;
}

/** A display name: trimmed, 1 to NAME_CHARS_MAX characters, no control characters; or null. */
export function parseName(value: unknown): string | null {
  const text = textField(value)?.normalize('NFC').trim();
  if (text === undefined || text.length === 0 || [...text].length > NAME_CHARS_MAX) return null;
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text) ? null : text;
}

/** Longest katakana name the form takes; bank records hold far less. */
export const NAME_KANA_CHARS_MAX = 40;
/** Oldest birth year the form takes. */
export const BIRTH_YEAR_MIN = 1900;

/** Full-width katakana words (ァ…ヺ, ・, ー) separated by single spaces. */
export const NAME_KANA_TEXT = /^[\u30a1-\u30fc]+( [\u30a1-\u30fc]+)*$/u;

/** Half-width kana and the ideographic space become their standard forms, so ﾔﾏﾀﾞ　ﾀﾛｳ reads as ヤマダ タロウ. */
export function normalizeNameKana(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

/** A real calendar date, YYYY-MM-DD, from BIRTH_YEAR_MIN up to today. */
export function isBirthDate(text: string, today: Date): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real && year >= BIRTH_YEAR_MIN && date.getTime() <= today.getTime();
}
