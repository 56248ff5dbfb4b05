/** Japan Standard Time is UTC+9 all year (no daylight saving), so a fixed offset is exact. */
export const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** The instant as an ISO 8601 string whose fields read as Japan time (the trailing Z is then meaningless). */
function japanIso(instant: Date | string): string {
  return new Date(new Date(instant).getTime() + JST_OFFSET_MS).toISOString();
}

/** The Japan-time calendar date of an instant: 2026-11-10. */
export function japanDate(instant: Date): string {
  return japanIso(instant).slice(0, 10);
}

/** An instant as a Japanese reader expects it in a notice: 2026/11/10 10:00 (JST). */
export function formatJapanDateTime(instant: Date | string): string {
  const shifted = japanIso(instant);
  return `${shifted.slice(0, 10).replaceAll('-', '/')} ${shifted.slice(11, 16)} (JST)`;
}

/** Japan time, to the minute, for staff in Tokyo: 2026-11-10 10:00; empty when there is no instant. */
export function jst(at: Date | null | undefined): string {
  if (!at) return '';
  return japanIso(at).slice(0, 16).replace('T', ' ');
}

/** Japan time of day, to the second, for a customer waiting on a code: 10:00:42. */
export function japanClock(instant: Date): string {
  return japanIso(instant).slice(11, 19);
}
