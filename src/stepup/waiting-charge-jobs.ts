import type { Logger } from '../shared/logger.ts';
import { createJobBackoff } from '../shared/job-backoff.ts';
import type { StepUpApprovals } from './step-up-approvals.ts';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher.ts';

/** How often waiting charges are expired and webhooks sent: a second keeps a 10-minute timeout exact to the second. */
export const WAITING_CHARGE_JOBS_INTERVAL_MS = 1_000;

/**
 * The background loop of waiting charges: expire those past their timeout (voiding the reservation, and with it
 * any pending ledger transfer past its own timeout) and send due webhook deliveries. Safe in every process at once
 * (both claim their work with row locks). While the database is away, passes back off (JOB_RETRY_DELAY_MS_MAX at
 * most) and resume by themselves. Tests drive the two functions themselves instead.
 */
export function createWaitingChargeJobs({ stepUp, webhooks, log, interval_ms = WAITING_CHARGE_JOBS_INTERVAL_MS }: {
  stepUp: StepUpApprovals; webhooks: WebhookDispatcher; log: Logger; interval_ms?: number;
}) {
  const backoff = createJobBackoff({ log, job: 'waiting-charge jobs', interval_ms });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function pass(): Promise<number> {
    try {
      await stepUp.expireDue();
      await webhooks.dispatchDue();
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
      running = pass().then((next_ms) => {
        running = undefined;
        schedule(next_ms);
      });
    }, delay_ms);
    // The loop must not keep a process alive that has nothing else to do.
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

export type WaitingChargeJobs = ReturnType<typeof createWaitingChargeJobs>;
