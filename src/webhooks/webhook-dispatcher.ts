import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { retryDelay } from '../shared/retry-delay.ts';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.ts';
import type { WebhookSender } from './webhook-sender.ts';

/** Tries per delivery: with the back-off below, about 8½ hours of an operator being down before the bank gives up. */
export const WEBHOOK_ATTEMPTS_MAX = 10;
/** First retry after 30 seconds, doubling each time: a blip clears fast, an outage is not hammered. */
export const WEBHOOK_RETRY_BASE_SECONDS = 30;
/** Never wait more than 4 hours between tries. */
export const WEBHOOK_RETRY_SECONDS_MAX = 4 * 60 * 60;
/** How long one POST may take: an operator's endpoint should answer at once and do its work later. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
/** Deliveries one dispatch claims: bounds the work of one pass and the POSTs it has in flight at once. */
export const WEBHOOK_DELIVERIES_PER_PASS_MAX = 100;
/**
 * A claimed delivery is hidden from other dispatchers this long. A pass sends its whole batch at once, so it lasts
 * about one WEBHOOK_TIMEOUT_MS (every POST is cut off there) plus the claim and the one UPDATE that records the
 * answers: far inside the lease, so another process (each runs dispatchDue every second) never sends a webhook
 * while this one still is. If this process dies mid-pass, another sends after the lease (at least once, never lost).
 */
export const WEBHOOK_LEASE_SECONDS = 60;
/** Longest error text kept from a failed try. */
const ERROR_CHARS_MAX = 500;

/** The wait after the `attempts`-th failed try. */
export function webhookRetryDelaySeconds(attempts: number): number {
  return retryDelay(attempts, { base: WEBHOOK_RETRY_BASE_SECONDS, max: WEBHOOK_RETRY_SECONDS_MAX });
}

interface Claimed {
  id: string;
  body: string;
  attempts: number;
  url: string | null;
  secret: string | null;
}

/** How one claimed delivery went, to be recorded with the rest of its pass. */
type Settled =
  | { id: string; outcome: 'delivered'; attempts: number; at: Date; status: number | null }
  | { id: string; outcome: 'retrying'; attempts: number; at: Date; status: number | null; error: string | null; next_attempt_at: Date }
  | { id: string; outcome: 'failed'; attempts: number; at: Date; status: number | null; error: string | null };

/** What one pass did. */
export interface DispatchReport {
  delivered: number;
  retrying: number;
  failed: number;
}

/**
 * Sends due webhook deliveries: claims a page with a lease (FOR UPDATE SKIP LOCKED, so several processes share the
 * work), signs each body with the operator's current secret and timestamp, POSTs them all at once, and records
 * every answer in one statement. Any 2xx is delivered; anything else (a refused target address included) waits
 * 30 s, 1 min, 2 min… until WEBHOOK_ATTEMPTS_MAX, then is marked failed. `send` checks the target's addresses
 * before every POST (webhook-sender.ts).
 */
export function createWebhookDispatcher({ db, clock, log, send: post }: { db: Database; clock: Clock; log: Logger; send: WebhookSender }) {
  async function send(delivery: Claimed): Promise<{ ok: boolean; status: number | null; error: string | null }> {
    if (!delivery.url || !delivery.secret) return { ok: false, status: null, error: 'no webhook registered' };
    try {
      const { status } = await post(delivery.url, {
        headers: { 'content-type': 'application/json', 'user-agent': 'furikae-webhooks/1', [WEBHOOK_SIGNATURE_HEADER]: signWebhook(delivery.secret, delivery.body, clock.now()) },
        body: delivery.body,
        timeout_ms: WEBHOOK_TIMEOUT_MS,
      });
      const ok = status >= 200 && status < 300;
      return { ok, status, error: ok ? null : `HTTP ${status}` };
    } catch (error) {
      return { ok: false, status: null, error: String((error as Error).message ?? error).slice(0, ERROR_CHARS_MAX) };
    }
  }

  async function settle(delivery: Claimed): Promise<Settled> {
    const result = await send(delivery);
    const attempts = delivery.attempts + 1;
    const at = clock.now();
    if (result.ok) return { id: delivery.id, outcome: 'delivered', attempts, at, status: result.status };
    const giving_up = attempts >= WEBHOOK_ATTEMPTS_MAX;
    log.warn({ delivery_id: delivery.id, attempts, status: result.status, giving_up }, 'webhook delivery failed');
    if (giving_up) return { id: delivery.id, outcome: 'failed', attempts, at, status: result.status, error: result.error };
    return {
      id: delivery.id, outcome: 'retrying', attempts, at, status: result.status, error: result.error,
      next_attempt_at: new Date(at.getTime() + webhookRetryDelaySeconds(attempts) * 1000),
    };
  }

  /** Records a pass's answers in one UPDATE; a delivery another dispatcher settled meanwhile is left as it is. */
  async function record(settled: readonly Settled[]): Promise<void> {
    if (settled.length === 0) return;
    await db.query(
      `UPDATE webhook_deliveries d
          SET attempts = t.attempts, delivered_at = t.delivered_at, failed_at = t.failed_at,
              last_status = t.last_status, last_error = t.last_error,
              next_attempt_at = coalesce(t.next_attempt_at, d.next_attempt_at)
         FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::text[])
                AS t (id, attempts, delivered_at, failed_at, next_attempt_at, last_status, last_error)
        WHERE d.id = t.id AND d.delivered_at IS NULL AND d.failed_at IS NULL`,
      [
        settled.map((s) => s.id), settled.map((s) => s.attempts),
        settled.map((s) => (s.outcome === 'delivered' ? s.at : null)),
        settled.map((s) => (s.outcome === 'failed' ? s.at : null)),
        settled.map((s) => (s.outcome === 'retrying' ? s.next_attempt_at : null)),
        settled.map((s) => s.status),
        settled.map((s) => (s.outcome === 'delivered' ? null : s.error)),
      ],
    );
  }

  /**
   * Answers whose recording failed (the database went away after the POSTs): recorded before anything new is
   * claimed, so an outage shorter than the lease does not send them again.
   */
  let unrecorded: Settled[] = [];

  return {
    /** Sends what is due now, all at once; returns how it went. */
    async dispatchDue(limit = WEBHOOK_DELIVERIES_PER_PASS_MAX): Promise<DispatchReport> {
      if (unrecorded.length > 0) {
        await record(unrecorded);
        unrecorded = [];
      }
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
      const settled = await Promise.all(claimed.map(settle));
      try {
        await record(settled);
      } catch (error) {
        unrecorded = settled;
        throw error;
      }
      return {
        delivered: settled.filter((s) => s.outcome === 'delivered').length,
        retrying: settled.filter((s) => s.outcome === 'retrying').length,
        failed: settled.filter((s) => s.outcome === 'failed').length,
      };
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
