import type { Logger } from '../shared/logger.ts';
import type { StepUpApprovals } from './step-up-approvals.ts';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher.ts';

/** How often waiting charges are expired and webhooks sent: a second keeps a 10-minute timeout exact to the second. */
export const WAITING_CHARGE_JOBS_INTERVAL_MS = 1_000;

/**
 * The background loop of waiting charges: expire those past their timeout (voiding the reservation) and send due
 * webhook deliveries. Safe in every process at once (both claim their work with row locks). Tests drive the two
 * functions themselves instead.
 */
export function createWaitingChargeJobs({ stepUp, webhooks, log, interval_ms = WAITING_CHARGE_JOBS_INTERVAL_MS }: {
  stepUp: StepUpApprovals; webhooks: WebhookDispatcher; log: Logger; interval_ms?: number;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const pass = async () => {
    try {
      await stepUp.expireDue();
      await webhooks.dispatchDue();
    } catch (error) {
      log.error({ err: error }, 'waiting-charge jobs failed; retrying next pass');
    }
  };
  return {
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (!running) running = pass().finally(() => (running = undefined));
      }, interval_ms);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type WaitingChargeJobs = ReturnType<typeof createWaitingChargeJobs>;
