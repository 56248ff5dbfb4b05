/** Japan Standard Time is UTC+9 all year (no daylight saving), so a fixed offset is exact. */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** An instant as a Japanese reader expects it in a notice: 2026/11/10 10:00 (JST). */
export function formatJapanDateTime(instant: Date | string): string {
  const shifted = new Date(new Date(instant).getTime() + JST_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 10).replaceAll('-', '/')} ${shifted.slice(11, 16)} (JST)`;
}
