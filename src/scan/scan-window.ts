import { FurikaeError } from '../errors/furikae-error.ts';
import { JST_OFFSET_MS } from '../shared/japan-time.ts';

/** The longest window one scan covers: Japan Post Bank reviewed three years (July 2017 – Sep 2020); ten bounds the work. */
export const SCAN_WINDOW_YEARS_MAX = 10;

/** A scan window: Japan-time calendar days as typed (both inclusive) and the instants they span, [from_at, to_at). */
export interface ScanWindow {
  from_date: string;
  to_date: string;
  from_at: Date;
  to_at: Date;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight Japan time at the start of a YYYY-MM-DD day, or undefined if it is not a real calendar date. */
function japanMidnight(date: unknown): Date | undefined {
  if (typeof date !== 'string') return undefined;
  const match = DATE.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const back = new Date(utc);
  // Date.UTC rolls 2021-02-30 over to March: only a date that reads back the same is real.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return new Date(utc - JST_OFFSET_MS);
}

/** Checks a window as typed; throws scan_window_invalid or scan_window_too_long, changing nothing. */
export function parseScanWindow(from_date: unknown, to_date: unknown): ScanWindow {
  const from_at = japanMidnight(from_date);
  const to_midnight = japanMidnight(to_date);
  if (!from_at || !to_midnight) throw new FurikaeError('scan_window_invalid', 'from and to must be calendar dates written YYYY-MM-DD');
  if (from_at > to_midnight) throw new FurikaeError('scan_window_invalid', `from ${String(from_date)} is after to ${String(to_date)}`);
  const to_at = new Date(to_midnight.getTime() + 24 * 60 * 60 * 1000);
  const limit = new Date(from_at.getTime() + JST_OFFSET_MS);
  limit.setUTCFullYear(limit.getUTCFullYear() + SCAN_WINDOW_YEARS_MAX);
  if (to_at.getTime() > limit.getTime() - JST_OFFSET_MS) {
    throw new FurikaeError('scan_window_too_long', `A scan window is at most ${SCAN_WINDOW_YEARS_MAX} years; scan ${String(from_date)} to ${String(to_date)} in parts`);
  }
  return { from_date: from_date as string, to_date: to_date as string, from_at, to_at };
}
