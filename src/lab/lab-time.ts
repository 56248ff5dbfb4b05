import { Type } from '@sinclair/typebox';
import { JST_OFFSET_MS } from '../shared/japan-time.ts';
import type { SeededRandom } from './seeded-random.ts';

/** Milliseconds in a minute, an hour and a day of simulated time. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** A month for rates ("twice a month"): the mean Gregorian month, so twelve of them make a year. */
export const MONTH_MS = (365.2425 / 12) * DAY_MS;

/** The hours of the day (Japan time) in which a person acts: [from, to). */
export const WakingHours = Type.Tuple([Type.Integer({ minimum: 0, maximum: 23 }), Type.Integer({ minimum: 1, maximum: 24 })], {
  description: 'Hours of the day in Japan time, [from, to), in which these moves happen',
});

/** People top up and go to the ATM while awake: 07:00 to 23:00 Japan time. */
export const WAKING_HOURS_DEFAULT: [number, number] = [7, 23];

/** The Japan-time hour of an instant. */
function japanHour(at: Date): number {
  return new Date(at.getTime() + JST_OFFSET_MS).getUTCHours();
}

/** The instant itself if it falls in the waking hours, else a random time in the next waking window. */
export function withinWakingHours(at: Date, [from, to]: readonly [number, number], random: SeededRandom): Date {
  const hour = japanHour(at);
  if (hour >= from && hour < to) return at;
  const japanMidnight = Math.floor((at.getTime() + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS;
  const dayStart = hour >= to ? japanMidnight + DAY_MS : japanMidnight;
  return new Date(dayStart + from * HOUR_MS + random.next() * (to - from) * HOUR_MS);
}

/** The next event of a Poisson process with `per_month` events a month, after `after`. */
export function nextPoisson(after: Date, per_month: number, random: SeededRandom): Date {
  const mean_ms = MONTH_MS / per_month;
  return new Date(after.getTime() - mean_ms * Math.log(1 - random.next()));
}

/** The instant `days` (fractional) after `start`. */
export function daysAfter(start: Date, days: number): Date {
  return new Date(start.getTime() + days * DAY_MS);
}

/** The first instant of the next calendar month in Japan time. */
export function nextJapanMonth(at: Date): Date {
  const japan = new Date(at.getTime() + JST_OFFSET_MS);
  return new Date(Date.UTC(japan.getUTCFullYear(), japan.getUTCMonth() + 1, 1) - JST_OFFSET_MS);
}
