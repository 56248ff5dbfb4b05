import type { Logger } from '../shared/logger.ts';
import type { Compensations } from '../compensation/compensations.ts';
import type { Campaigns } from '../outreach/campaigns.ts';

/**
 * How often the incident jobs run: pay approved compensations not yet paid (after a crash, or once an operator's
 * settlement account can cover its share) and write the notices of campaigns just started. Five seconds: a staff
 * member waits no longer than that for a campaign to start moving, and an idle bank asks two cheap questions.
 */
export const INCIDENT_JOBS_INTERVAL_MS = 5_000;

/**
 * The background loop of incident response. Safe in every process at once: payments lock their compensation, and
 * a campaign being written is skipped by the others. One pass at a time: writing a campaign of a million notices
 * takes most of a minute. Tests call the two functions themselves instead.
 */
export function createIncidentJobs({ compensations, campaigns, log, interval_ms = INCIDENT_JOBS_INTERVAL_MS }: {
  compensations: Compensations; campaigns: Campaigns; log: Logger; interval_ms?: number;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const pass = async () => {
    try {
      await compensations.payDue();
      await campaigns.enqueuePending();
    } catch (error) {
      log.error({ err: error }, 'incident jobs failed; retrying next pass');
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
