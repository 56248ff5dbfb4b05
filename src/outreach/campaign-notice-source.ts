import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { OUTBOX_COLUMNS } from '../notify/notice.ts';
import { NOTICE_CLAIM_LEASE_MS } from '../notify/notification-dispatcher.ts';
import type { BulkNoticeSource, ClaimedNotice } from '../notify/bulk-notice-source.ts';

/**
 * Campaign e-mails sent per second across every bank process, unless configured (FURIKAE_CAMPAIGN_SENDS_PER_SECOND):
 * 5.5 million in about 31 hours, a pace a bank's own relay and the big mailbox providers accept from one sender
 * without throttling it as a spammer (docs/incident-response.md).
 */
export const CAMPAIGN_SENDS_PER_SECOND_DEFAULT = 50;
/** The most one setting may ask for: far beyond any relay a bank runs, so a typo cannot unleash a flood. */
export const CAMPAIGN_SENDS_PER_SECOND_MAX = 5_000;
/** Rows of cancelled campaigns marked cancelled per claim: small, so the sweep never holds up a dispatch. */
export const CANCELLED_SWEEP_ROWS_MAX = 2_000;
/** Why a notice is uncertain: what staff read beside it. */
export const UNCERTAIN_REASON = 'the sending process stopped while this notice was on its way: it may or may not have been delivered, so it is not resent';

/** Settles campaigns that have nothing left outstanding: running ones complete. */
async function completeFinished(tx: Queryable, now: Date): Promise<void> {
  await tx.query(
    `UPDATE campaigns SET status = 'completed', completed_at = $1, status_changed_at = $1
      WHERE status = 'running' AND enqueued_at IS NOT NULL
        AND sent_count + failed_count + uncertain_count + cancelled_count = enqueued_count`, [now]);
}

/** Adds per-campaign counts from rows that just changed state. */
async function addCounts(tx: Queryable, column: 'sent_count' | 'failed_count' | 'uncertain_count' | 'cancelled_count', campaign_ids: readonly string[]): Promise<void> {
  if (campaign_ids.length === 0) return;
  await tx.query(
    `UPDATE campaigns c SET ${column} = c.${column} + t.n
       FROM (SELECT id, count(*)::int AS n FROM unnest($1::uuid[]) AS id GROUP BY id) t WHERE c.id = t.id`, [[...campaign_ids]]);
}

/**
 * The campaign e-mails the notification dispatcher sends behind ordinary notices. A claim, in one transaction:
 * turns rows whose sender died mid-send (still `sending` after the lease) into `uncertain`; marks a slice of
 * cancelled campaigns' rows `cancelled`; completes finished campaigns; refills a token bucket shared by every
 * process (one row, `sends_per_second` a second, one second's worth at most); and claims as many due rows of
 * running campaigns, oldest campaign first, as there are tokens and room, marking them `sending`. A row is thus
 * sent at most once: after a crash it is never claimed again, and staff see it as uncertain.
 */
export function createCampaignNoticeSource({ db, clock, log, sends_per_second = CAMPAIGN_SENDS_PER_SECOND_DEFAULT }: {
  db: Database; clock: Clock; log: Logger; sends_per_second?: number;
}): BulkNoticeSource {
  assert(Number.isFinite(sends_per_second) && sends_per_second > 0 && sends_per_second <= CAMPAIGN_SENDS_PER_SECOND_MAX, 'a positive send rate within the maximum');
  return {
    async claim(room) {
      assert(Number.isInteger(room) && room > 0, 'room for at least one');
      return db.transaction(async (tx) => {
        const now = clock.now();
        const active = await tx.query<{ id: string; status: string }>(
          `SELECT id, status FROM campaigns WHERE status IN ('running', 'paused', 'cancelled')
              AND sent_count + failed_count + uncertain_count + cancelled_count < enqueued_count ORDER BY created_at, id`);
        if (active.length === 0) return [];

        const stale = await tx.query<{ campaign_id: string }>(
          `UPDATE notification_outbox SET status = 'uncertain', claimed_at = NULL, last_error = $2
            WHERE status = 'sending' AND claimed_at < $1 RETURNING campaign_id`,
          [new Date(now.getTime() - NOTICE_CLAIM_LEASE_MS), UNCERTAIN_REASON]);
        if (stale.length > 0) log.warn({ notices: stale.length }, 'campaign notices left mid-send by a stopped process are now uncertain');
        await addCounts(tx, 'uncertain_count', stale.map((row) => row.campaign_id));

        const cancelled = active.filter((campaign) => campaign.status === 'cancelled').map((campaign) => campaign.id);
        if (cancelled.length > 0) {
          const swept = await tx.query<{ campaign_id: string }>(
            `UPDATE notification_outbox SET status = 'cancelled' WHERE id IN (
               SELECT id FROM notification_outbox WHERE campaign_id = ANY($1::uuid[]) AND campaign_id IS NOT NULL AND status = 'pending' LIMIT $2)
             RETURNING campaign_id`, [cancelled, CANCELLED_SWEEP_ROWS_MAX]);
          await addCounts(tx, 'cancelled_count', swept.map((row) => row.campaign_id));
        }
        await completeFinished(tx, now);

        const running = active.filter((campaign) => campaign.status === 'running').map((campaign) => campaign.id);
        if (running.length === 0) return [];
        const [bucket] = await tx.query<{ tokens: number }>(
          `UPDATE campaign_send_rate
              SET tokens = least($2::double precision, tokens + $2::double precision * greatest(0, extract(epoch FROM ($1::timestamptz - refilled_at)))::double precision),
                  refilled_at = greatest(refilled_at, $1)
            RETURNING tokens`, [now, sends_per_second]);
        assert(bucket, 'the send-rate row exists (outreach migration)');
        const take = Math.min(room, Math.floor(bucket.tokens));
        if (take <= 0) return [];
        const claimed = await tx.query<ClaimedNotice>(
          `WITH due AS (
             SELECT id FROM notification_outbox
              WHERE campaign_id = ANY($1::uuid[]) AND campaign_id IS NOT NULL AND status = 'pending' AND next_attempt_at <= $2
              ORDER BY campaign_id, next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
           UPDATE notification_outbox o SET status = 'sending', claimed_at = $2, attempts = o.attempts + 1, next_attempt_at = $4
             FROM due, customers cu, campaigns c
            WHERE o.id = due.id AND cu.id = o.customer_id AND c.id = o.campaign_id
           RETURNING ${OUTBOX_COLUMNS.split(', ').filter((column) => column !== 'data').map((column) => `o.${column}`).join(', ')},
                     o.data || jsonb_build_object('passbook_labels', to_jsonb(c.passbook_labels), 'message_ja', c.message_ja, 'message_en', c.message_en) AS data,
                     cu.email, cu.phone, cu.name_kanji`,
          [running, now, take, new Date(now.getTime() + NOTICE_CLAIM_LEASE_MS)]);
        await tx.query(`UPDATE campaign_send_rate SET tokens = greatest(0, tokens - $1)`, [claimed.length]);
        return claimed;
      });
    },

    async record(settled) {
      if (settled.length === 0) return;
      await db.transaction(async (tx) => {
        const changed = await tx.query<{ campaign_id: string; status: string }>(
          `UPDATE notification_outbox o
              SET status = t.status, sent_at = t.sent_at, last_error = t.last_error, claimed_at = NULL,
                  next_attempt_at = coalesce(t.next_attempt_at, o.next_attempt_at)
             FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::timestamptz[])
                    AS t (id, status, sent_at, next_attempt_at, last_error, claimed_at)
            WHERE o.id = t.id AND o.status = 'sending' AND o.claimed_at = t.claimed_at
           RETURNING o.campaign_id, o.status`,
          [
            settled.map((s) => s.row.id), settled.map((s) => s.outcome.status),
            settled.map((s) => (s.outcome.status === 'sent' ? s.outcome.sent_at : null)),
            settled.map((s) => (s.outcome.status === 'pending' ? s.outcome.next_attempt_at : null)),
            settled.map((s) => (s.outcome.status === 'sent' ? null : s.outcome.last_error)),
            settled.map((s) => s.row.claimed_at),
          ]);
        await addCounts(tx, 'sent_count', changed.filter((row) => row.status === 'sent').map((row) => row.campaign_id));
        await addCounts(tx, 'failed_count', changed.filter((row) => row.status === 'failed').map((row) => row.campaign_id));
        await completeFinished(tx, clock.now());
      });
    },
  };
}
