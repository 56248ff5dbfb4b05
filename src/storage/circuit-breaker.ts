import type { Logger } from '../shared/logger.ts';
import { retryDelay } from '../shared/retry-delay.ts';
import { DatabaseUnavailableError, RETRY_AFTER_SECONDS } from './database-unavailable-error.ts';

/** First wait after the database is found unreachable: a restart's refusal clears this fast. */
export const RECONNECT_DELAY_MS_BASE = 250;
/**
 * The longest wait between reconnect attempts, the same as the Retry-After clients are given: a failover
 * (seconds) is noticed within one attempt of its end, and a long outage costs one connect attempt this often.
 */
export const RECONNECT_DELAY_MS_MAX = RETRY_AFTER_SECONDS * 1000;

/** What the breaker knows about the database right now. */
export type BreakerState = { reachable: true } | { reachable: false; since_ms: number; attempts: number };

export interface CircuitBreaker {
  /** Throws DatabaseUnavailableError at once while the database is known down and no reconnect attempt is due. */
  admit(): void;
  /** Something reached the database: closes the breaker (and says so once if it was open). */
  reachable(): void;
  /** A connect failed or a query went unanswered: opens the breaker (warning once per outage) and schedules the next attempt. */
  unreachable(error: unknown): void;
  state(): BreakerState;
}

/**
 * Fails fast while the database is away. Without it every request during an outage would wait out its own
 * connect timeout against a hung server, piling up sockets and requests. While open, one caller per back-off
 * interval (RECONNECT_DELAY_MS_BASE doubling to RECONNECT_DELAY_MS_MAX) is let through to try; any success,
 * by it or by a query already in flight, closes the breaker. Times are real time (`now_ms`), not the bank's
 * injected clock: they measure a network, not business days.
 */
export function createCircuitBreaker({ log, now_ms = () => performance.now() }: { log?: Logger; now_ms?: () => number }): CircuitBreaker {
  let down: { since_ms: number; attempts: number; next_attempt_ms: number } | undefined;
  return {
    admit() {
      if (!down) return;
      const now = now_ms();
      if (now < down.next_attempt_ms) {
        throw new DatabaseUnavailableError('The database is unreachable; the bank is reconnecting', {
          retry_after_seconds: Math.max(1, Math.ceil((down.next_attempt_ms - now) / 1000)),
        });
      }
      // This caller is the attempt; the next one waits out the following interval.
      down.attempts += 1;
      down.next_attempt_ms = now + retryDelay(down.attempts, { base: RECONNECT_DELAY_MS_BASE, max: RECONNECT_DELAY_MS_MAX });
    },
    reachable() {
      if (!down) return;
      log?.info({ outage_ms: Math.round(now_ms() - down.since_ms), attempts: down.attempts }, 'database reachable again');
      down = undefined;
    },
    unreachable(error) {
      if (down) return;
      const now = now_ms();
      down = { since_ms: now, attempts: 1, next_attempt_ms: now + RECONNECT_DELAY_MS_BASE };
      const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
      log?.warn({ code, reason: String(message ?? error) }, 'database unreachable; answering 503 and reconnecting with back-off');
    },
    state: () => (down ? { reachable: false, since_ms: down.since_ms, attempts: down.attempts } : { reachable: true }),
  };
}
