import type { Logger } from '../shared/logger.ts';
import type { SimSwapApi } from './sim-swap-api.ts';

/**
 * How recent a SIM swap refuses SMS as a factor for money or a new factor: 72 hours. A SIM-swap thief cashes in
 * within hours of the swap, or after a weekend when the victim has not yet been to the carrier's shop (a swap on
 * Friday night, used on Monday); the victim usually notices a dead phone and restores the SIM within that time.
 * CAMARA's default `maxAge` (240 h) would refuse a customer who changed phones last week for ten days.
 */
export const SIM_SWAP_WINDOW_HOURS = 72;

/**
 * Longest wait for the carrier's answer: 2 seconds, well inside the time a customer waits for a page after pressing
 * "approve", and longer than the carrier APIs' usual sub-second answers. Past it the answer is unknown.
 */
export const SIM_SWAP_TIMEOUT_MS = 2_000;

/** What the bank knows of the number: swapped within the window, not swapped, or unknown (the API failed or was slow). */
export type SimSwapStatus = 'swapped' | 'not_swapped' | 'unknown';

/**
 * Asks the carrier one question with a deadline. Never throws and never waits past `timeout_ms`: an error or a
 * timeout is `unknown`, which callers treat as "SMS not trusted" (fail safe). The phone number is never logged.
 */
async function askCarrier<T>(
  log: Logger,
  timeout_ms: number,
  question: (signal: AbortSignal) => Promise<T>,
): Promise<{ answer: T } | 'unknown'> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timed_out = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`SIM Swap API gave no answer within ${timeout_ms} ms`));
      resolve('timeout');
    }, timeout_ms);
  });
  try {
    // The race, not the signal alone, bounds the wait: a client that ignores its signal still cannot hang the request.
    const answer = await Promise.race([question(controller.signal).then((value) => ({ answer: value })), timed_out]);
    if (answer === 'timeout') {
      log.warn({ timeout_ms }, 'SIM Swap API timed out; SMS is not trusted for this act');
      return 'unknown';
    }
    return answer;
  } catch (error) {
    log.warn({ err: error }, 'SIM Swap API failed; SMS is not trusted for this act');
    return 'unknown';
  } finally {
    clearTimeout(timer);
  }
}

/** Asks the carrier whether the SIM for `phone_number` was swapped within SIM_SWAP_WINDOW_HOURS (CAMARA `check`). */
export async function checkSimSwap(
  { api, log }: { api: SimSwapApi; log: Logger },
  phone_number: string,
  { window_hours = SIM_SWAP_WINDOW_HOURS, timeout_ms = SIM_SWAP_TIMEOUT_MS }: { window_hours?: number; timeout_ms?: number } = {},
): Promise<SimSwapStatus> {
  const asked = await askCarrier(log, timeout_ms, (signal) => api.check({ phone_number, max_age_hours: window_hours }, signal));
  if (asked === 'unknown') return 'unknown';
  return asked.answer.swapped ? 'swapped' : 'not_swapped';
}

/**
 * Asks the carrier when the SIM for `phone_number` last changed (CAMARA `retrieve-date`): a date, null when the
 * carrier knows of no change, or `unknown` (failed or slow), with the same deadline as the check.
 */
export async function latestSimChange(
  { api, log }: { api: SimSwapApi; log: Logger },
  phone_number: string,
  { timeout_ms = SIM_SWAP_TIMEOUT_MS }: { timeout_ms?: number } = {},
): Promise<Date | null | 'unknown'> {
  const asked = await askCarrier(log, timeout_ms, (signal) => api.retrieveDate({ phone_number }, signal));
  return asked === 'unknown' ? 'unknown' : asked.answer.latest_sim_change;
}
