/**
 * How long a challenged charge waits for the customer: 10 minutes to find the phone, read the text and approve at
 * the bank, short enough that the reservation does not tie up the customer's money for long.
 */
export const STEP_UP_TIMEOUT_SECONDS = 10 * 60;

/**
 * How long a held charge waits for staff: three days covers a weekend of review. When it runs out the money goes
 * back to the customer (the fail-safe side), never to the operator.
 */
export const HOLD_TIMEOUT_SECONDS = 3 * 24 * 60 * 60;

/** The pending transfer's timeout for a charge that waits. */
export function pendingTimeoutSeconds(action: 'challenge' | 'hold'): number {
  return action === 'challenge' ? STEP_UP_TIMEOUT_SECONDS : HOLD_TIMEOUT_SECONDS;
}
