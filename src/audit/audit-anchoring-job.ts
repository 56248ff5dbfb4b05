import type { Logger } from '../shared/logger.ts';
import type { AuditLog } from './audit-log.ts';

/**
 * How often the bank anchors the audit chain's head outside the database. It bounds the window in which an
 * owner of the database could drop the newest entries unseen: entries older than one interval are covered by
 * an anchor. An anchor is one small line, written only when the head has moved.
 */
export const AUDIT_ANCHOR_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Anchors the audit chain's head at start, every AUDIT_ANCHOR_INTERVAL_MS while the head moves, and once more
 * at stop. Safe in every process at once: each appends what it saw, and verification checks every anchor.
 */
export function createAuditAnchoringJob({ audit, log, interval_ms = AUDIT_ANCHOR_INTERVAL_MS }: { audit: AuditLog; log: Logger; interval_ms?: number }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const pass = async () => {
    try {
      const anchor = await audit.anchor();
      if (anchor) log.info({ seq: anchor.seq, location: audit.anchor_location }, 'audit chain anchored');
    } catch (error) {
      // An unanchored stretch widens the window for truncation: staff should hear of it.
      log.error({ err: error, location: audit.anchor_location }, 'audit chain anchoring failed; retrying next pass');
    }
  };
  const once = () => {
    if (!running) running = pass().finally(() => (running = undefined));
    return running;
  };
  return {
    async start() {
      if (timer) return;
      await once();
      timer = setInterval(once, interval_ms);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      await once();
    },
  };
}
