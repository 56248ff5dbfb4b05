import type { Logger } from './logger.ts';
import { createJobBackoff } from './job-backoff.ts';

/** A background loop that can be started and stopped; stop() waits for a pass under way. */
export interface PeriodicJob {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs `pass` every `interval_ms`, one pass at a time (the next is scheduled when one ends, so a slow pass never
 * overlaps itself), backing off while it fails (src/shared/job-backoff.ts). The timer does not keep an otherwise
 * idle process alive.
 */
export function createPeriodicJob({ job, log, interval_ms, pass }: { job: string; log: Logger; interval_ms: number; pass: () => Promise<void> }): PeriodicJob {
  const backoff = createJobBackoff({ log, job, interval_ms });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function once(): Promise<number> {
    try {
      await pass();
      backoff.succeeded();
      return interval_ms;
    } catch (error) {
      return backoff.failed(error);
    }
  }

  function schedule(delay_ms: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = once().then((next_ms) => {
        running = undefined;
        schedule(next_ms);
      });
    }, delay_ms);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(interval_ms);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
