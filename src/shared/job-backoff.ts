import { FurikaeError } from '../errors/furikae-error.ts';
import type { Logger } from './logger.ts';
import { retryDelay } from './retry-delay.ts';

/**
 * The longest a background job waits between failing passes. While the database is away each pass fails fast
 * (the storage layer's breaker), so this bounds both the load of a long outage and how soon after its end the
 * job resumes.
 */
export const JOB_RETRY_DELAY_MS_MAX = 5_000;

/** How a background loop paces itself through failures. */
export interface JobBackoff {
  /** A pass went through: back to the normal interval; the end of an outage is logged once, at info. */
  succeeded(): void;
  /** A pass failed: the wait before the next, doubling from the interval up to the cap. */
  failed(error: unknown): number;
}

/**
 * Back-off for a background job (the outbox, webhooks, waiting-charge expiry). A database outage is logged once
 * at warn when it starts and once at info when a pass next succeeds, not once per tick; any other failure is a
 * bug or a broken dependency and is logged at error on every pass, at the backed-off rate. Durations are real
 * time, not the bank's injected clock: they measure an outage, not business days.
 */
export function createJobBackoff({ log, job, interval_ms, delay_ms_max = JOB_RETRY_DELAY_MS_MAX, now_ms = () => performance.now() }: {
  log: Logger; job: string; interval_ms: number; delay_ms_max?: number; now_ms?: () => number;
}): JobBackoff {
  let failures = 0;
  let outage_since_ms: number | undefined;
  return {
    succeeded() {
      if (outage_since_ms !== undefined) log.info({ job, outage_ms: Math.round(now_ms() - outage_since_ms) }, `${job}: the database is back; resumed`);
      outage_since_ms = undefined;
      failures = 0;
    },
    failed(error) {
      failures += 1;
      const unavailable = error instanceof FurikaeError && error.code === 'service_unavailable';
      if (!unavailable) log.error({ err: error, job, failures }, `${job} failed; retrying with back-off`);
      else if (outage_since_ms === undefined) {
        outage_since_ms = now_ms();
        log.warn({ job, reason: (error as Error).message }, `${job}: the database is unavailable; backing off until it is back`);
      }
      return retryDelay(failures, { base: Math.max(1, interval_ms), max: Math.max(interval_ms, delay_ms_max) });
    },
  };
}
