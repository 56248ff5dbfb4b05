import { assert } from './assert.ts';

/**
 * The wait before the next try of something that has failed `attempts` times: `base` after the first failure,
 * doubling each time, never more than `max`. Units are the caller's (the outbox counts milliseconds, webhooks seconds).
 */
export function retryDelay(attempts: number, { base, max }: { base: number; max: number }): number {
  assert(Number.isSafeInteger(attempts) && attempts >= 1, 'a retry follows at least one attempt');
  assert(base > 0 && max >= base, 'a back-off starts above zero and its cap is at least its start');
  // 2 ** n overflows to Infinity for a very large attempts; the cap still holds.
  return Math.min(base * 2 ** (attempts - 1), max);
}
