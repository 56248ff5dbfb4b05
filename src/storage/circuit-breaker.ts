import type { Logger } from '../shared/logger.ts';
import { retryDelay } from '../shared/retry-delay.ts';
import { DatabaseUnavailableError, RETRY_AFTER_SECONDS } from './database-unavailable-error.ts';

/** First probe after the database is found unreachable: a restart's refusal clears this fast. */
export const RECONNECT_DELAY_MS_BASE = 250;
/**
 * The longest wait between probes, the same as the Retry-After clients are given: a failover (seconds) is noticed
 * within one probe of its end, and a long outage costs one connection attempt this often.
 */
export const RECONNECT_DELAY_MS_MAX = RETRY_AFTER_SECONDS * 1000;

/** What the breaker knows about the database right now. */
export type BreakerState = { reachable: true } | { reachable: false; since_ms: number; probes: number };

export interface CircuitBreaker {
  /** Throws DatabaseUnavailableError at once while the database is known to be away. */
  admit(): void;
  /** Something reached the database: closes the breaker (and says so once if it was open). */
  reachable(): void;
  /** A connect failed or a query went unanswered: opens the breaker (warning once per outage) and starts probing. */
  unreachable(error: unknown): void;
  state(): BreakerState;
  /** Stops probing (the database is being closed). */
  close(): void;
}

/** Runs `work` after `delay_ms` unless cancelled; real timers by default, a test's hand otherwise. */
export type Schedule = (work: () => void, delay_ms: number) => () => void;

const realTimers: Schedule = (work, delay_ms) => {
  const timer = setTimeout(work, delay_ms);
  // Probing must not keep a process alive that has nothing else to do.
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * Fails fast while the database is away. Without it every request during an outage would wait out its own connect
 * or query timeout against a hung server, piling up sockets and requests. While open, no request is let through:
 * the breaker itself probes (`probe`, e.g. SELECT 1) after RECONNECT_DELAY_MS_BASE, doubling to
 * RECONNECT_DELAY_MS_MAX, so no caller waits on a probe; a successful probe, or any query already in flight that
 * succeeds, closes it. Times are real time, not the bank's injected clock: they measure a network, not business days.
 */
export function createCircuitBreaker({ log, probe, now_ms = () => performance.now(), schedule = realTimers }: {
  log?: Logger; probe: () => Promise<void>; now_ms?: () => number; schedule?: Schedule;
}): CircuitBreaker {
  let down: { since_ms: number; probes: number; next_probe_ms: number; cancel?: () => void } | undefined;
  let closed = false;

  function scheduleProbe(delay_ms: number): void {
    if (!down || closed) return;
    const outage = down;
    outage.next_probe_ms = now_ms() + delay_ms;
    outage.cancel = schedule(() => {
      outage.cancel = undefined;
      if (down !== outage || closed) return;
      outage.probes += 1;
      probe().then(
        () => breaker.reachable(),
        () => scheduleProbe(retryDelay(outage.probes, { base: RECONNECT_DELAY_MS_BASE, max: RECONNECT_DELAY_MS_MAX })),
      );
    }, delay_ms);
  }

  const breaker: CircuitBreaker = {
    admit() {
      if (!down) return;
      throw new DatabaseUnavailableError('The database is unreachable; the bank is reconnecting', {
        retry_after_seconds: Math.max(1, Math.ceil((down.next_probe_ms - now_ms()) / 1000)),
      });
    },
    reachable() {
      if (!down) return;
      down.cancel?.();
      log?.info({ outage_ms: Math.round(now_ms() - down.since_ms), probes: down.probes }, 'database reachable again');
      down = undefined;
    },
    unreachable(error) {
      if (down || closed) return;
      down = { since_ms: now_ms(), probes: 0, next_probe_ms: 0 };
      const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
      log?.warn({ code, reason: String(message ?? error) }, 'database unreachable; answering 503 and reconnecting with back-off');
      scheduleProbe(RECONNECT_DELAY_MS_BASE);
    },
    state: () => (down ? { reachable: false, since_ms: down.since_ms, probes: down.probes } : { reachable: true }),
    close() {
      closed = true;
      down?.cancel?.();
    },
  };
  return breaker;
}
