import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.ts';

/** Tries per delivery: with the back-off below, about 8½ hours of an operator being down before the bank gives up. */
export const WEBHOOK_ATTEMPTS_MAX = 10;
/** First retry after 30 seconds, doubling each time: a blip clears fast, an outage is not hammered. */
export const WEBHOOK_RETRY_BASE_SECONDS = 30;
/** Never wait more than 4 hours between tries. */
export const WEBHOOK_RETRY_SECONDS_MAX = 4 * 60 * 60;
/** How long one POST may take: an operator's endpoint should answer at once and do its work later. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
/** Deliveries one dispatch claims: bounds the work (and the time a lease must cover) of one pass. */
export const WEBHOOK_DELIVERIES_PER_PASS_MAX = 100;
/** A claimed delivery is hidden from other dispatchers this long: longer than a pass of timeouts in a row. */
export const WEBHOOK_LEASE_SECONDS = 60;
/** Longest error text kept from a failed try. */
const ERROR_CHARS_MAX = 500;

/** The wait after the `attempts`-th failed try. */
export function webhookRetryDelaySeconds(attempts: number): number {
  assert(Number.isSafeInteger(attempts) && attempts >= 1, 'a retry follows at least one attempt');
  return Math.min(WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1), WEBHOOK_RETRY_SECONDS_MAX);
}

interface Claimed {
  id: string;
  body: string;
  attempts: number;
  url: string | null;
  secret: string | null;
}

/** What one pass did. */
export interface DispatchReport {
  delivered: number;
  retrying: number;
  failed: number;
}

/**
 * Sends due webhook deliveries: claims a page with a lease (FOR UPDATE SKIP LOCKED, so several processes share the
 * work), signs each body with the operator's current secret and timestamp, POSTs it, and records the answer. Any
 * 2xx is delivered; anything else waits 30 s, 1 min, 2 min… until WEBHOOK_ATTEMPTS_MAX, then is marked failed.
 */
export function createWebhookDispatcher({ db, clock, log, fetch = globalThis.fetch }: { db: Database; clock: Clock; log: Logger; fetch?: typeof globalThis.fetch }) {
  async function send(delivery: Claimed): Promise<{ ok: boolean; status: number | null; error: string | null }> {
    if (!delivery.url || !delivery.secret) return { ok: false, status: null, error: 'no webhook registered' };
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'furikae-webhooks/1', [WEBHOOK_SIGNATURE_HEADER]: signWebhook(delivery.secret, delivery.body, clock.now()) },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return { ok: response.status >= 200 && response.status < 300, status: response.status, error: response.ok ? null : `HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, status: null, error: String((error as Error).message ?? error).slice(0, ERROR_CHARS_MAX) };
    }
  }

  return {
    /** Sends what is due now; returns how it went. */
    async dispatchDue(limit = WEBHOOK_DELIVERIES_PER_PASS_MAX): Promise<DispatchReport> {
      const now = clock.now();
      const claimed = await db.query<Claimed>(
        `WITH due AS (
           SELECT id FROM webhook_deliveries
            WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
            ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE webhook_deliveries d SET next_attempt_at = $3 FROM due WHERE d.id = due.id RETURNING d.id, d.body, d.attempts, d.operator_id
         )
         SELECT c.id, c.body, c.attempts, w.url, w.secret FROM claimed c LEFT JOIN operator_webhooks w ON w.operator_id = c.operator_id`,
        [now, Math.min(limit, WEBHOOK_DELIVERIES_PER_PASS_MAX), new Date(now.getTime() + WEBHOOK_LEASE_SECONDS * 1000)],
      );
      const report: DispatchReport = { delivered: 0, retrying: 0, failed: 0 };
      for (const delivery of claimed) {
        const result = await send(delivery);
        const attempts = delivery.attempts + 1;
        const at = clock.now();
        if (result.ok) {
          report.delivered += 1;
          await db.query(`UPDATE webhook_deliveries SET attempts = $2, delivered_at = $3, last_status = $4, last_error = NULL WHERE id = $1`,
            [delivery.id, attempts, at, result.status]);
          continue;
        }
        const giving_up = attempts >= WEBHOOK_ATTEMPTS_MAX;
        if (giving_up) report.failed += 1;
        else report.retrying += 1;
        await db.query(
          `UPDATE webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4,
                  failed_at = CASE WHEN $5::boolean THEN $6::timestamptz END,
                  next_attempt_at = CASE WHEN $5::boolean THEN next_attempt_at ELSE $7::timestamptz END
            WHERE id = $1`,
          [delivery.id, attempts, result.status, result.error, giving_up, at,
            new Date(at.getTime() + (giving_up ? 0 : webhookRetryDelaySeconds(attempts)) * 1000)],
        );
        log.warn({ delivery_id: delivery.id, attempts, status: result.status, giving_up }, 'webhook delivery failed');
      }
      return report;
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
