/** Largest yen amount any single transfer may carry: ¥1 trillion, far beyond any account, well inside 2^53. */
export const AMOUNT_YEN_MAX = 1_000_000_000_000;

/** True for a positive whole number of yen that fits the ledger. */
export function isAmountYen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= AMOUNT_YEN_MAX;
}

/** Formats yen for people: ¥5,000. */
export function formatYen(amount_yen: number): string {
  return `¥${amount_yen.toLocaleString('en-US')}`;
}
