import { JST_OFFSET_MS } from '../shared/japan-time.ts';

/** A birth date split once, for ages computed millions of times. */
export interface BirthDate {
  year: number;
  /** month × 100 + day, which orders like the date within a year. */
  month_day: number;
}

/** Splits YYYY-MM-DD; undefined for anything else. */
export function parseBirthDate(birth_date: string): BirthDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth_date);
  return match ? { year: Number(match[1]), month_day: Number(match[2]) * 100 + Number(match[3]) } : undefined;
}

/**
 * Whole years of age on the Japan-time date of an instant, as src/risk/customer-age.ts counts them (a test keeps the
 * two equal), without formatting a date string: the scan asks this for every charge.
 */
export function ageOnJapanDate(birth: BirthDate | undefined, at_ms: number): number | null {
  if (!birth) return null;
  const japan = new Date(at_ms + JST_OFFSET_MS);
  let years = japan.getUTCFullYear() - birth.year;
  if ((japan.getUTCMonth() + 1) * 100 + japan.getUTCDate() < birth.month_day) years -= 1;
  return years >= 0 ? years : null;
}

/** The Japan-time month of an instant as year × 100 + month (202009), a cheap key for per-month totals. */
export function japanMonthKey(at_ms: number): number {
  const japan = new Date(at_ms + JST_OFFSET_MS);
  return japan.getUTCFullYear() * 100 + japan.getUTCMonth() + 1;
}
