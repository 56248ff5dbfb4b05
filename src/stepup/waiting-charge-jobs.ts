import type { Logger } from '../shared/logger.ts';
import { createPeriodicJob, type PeriodicJob } from '../shared/periodic-job.ts';
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
}): PeriodicJob {
  return createPeriodicJob({
    job: 'waiting-charge jobs', log, interval_ms,
    async pass() {
      await stepUp.expireDue();
      await webhooks.dispatchDue();
    },
  });
}

export type WaitingChargeJobs = ReturnType<typeof createWaitingChargeJobs>;
