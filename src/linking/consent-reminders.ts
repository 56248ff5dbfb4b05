import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { createPeriodicJob, type PeriodicJob } from '../shared/periodic-job.ts';
import { enqueueOperatorEvents } from '../webhooks/webhook-event.ts';
import type { ConsentExpiringData } from '../notify/notice.ts';

/**
 * A consent is reminded of when it ends within 14 days. Two weeks gives a customer who reads mail once a week two
 * chances to see it and still leaves days to open the operator's app, and gives the operator room for its own
 * in-app prompt at the customer's next top-up (wallets are topped up weekly to monthly); much earlier and the
 * reminder is forgotten by the day it matters.
 */
export const CONSENT_REMINDER_WINDOW_DAYS = 14;

/** Links one statement claims: bounds the transaction (and the locks it holds) however many consents end together. */
export const CONSENT_REMINDERS_PER_STATEMENT_MAX = 500;

/** How often the job looks: a reminder 14 days ahead loses nothing by a few minutes, and an idle bank asks one indexed question. */
export const CONSENT_REMINDER_INTERVAL_MS = 5 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

interface Claimed {
  id: string;
  operator_id: string;
  customer_id: string;
  consent_expires_at: Date;
  operator_name: string;
  branch_code: string;
  account_masked: string;
}

/**
 * Reminds customers and operators of FAPI consents ending within CONSENT_REMINDER_WINDOW_DAYS, once per consent
 * period. One statement claims a batch of active links not yet reminded for their current `consent_expires_at`
 * (SKIP LOCKED, so several bank processes share the work and never wait on a charge batch) and marks them; the
 * customer's e-mail (outbox) and the operator's `link.consent_expiring` webhook are written in the same
 * transaction, so each is written exactly when its mark is. A renewal moves `consent_expires_at`, opening the next
 * period. Revoked, frozen, legacy and already expired links are not reminded. Returns how many links it reminded.
 */
export async function remindExpiringConsents(db: Database, { clock, ids }: { clock: Clock; ids: Ids }, rows_max = CONSENT_REMINDERS_PER_STATEMENT_MAX): Promise<number> {
  assert(Number.isSafeInteger(rows_max) && rows_max >= 1, 'rows_max is a positive integer');
  const now = clock.now();
  const window_end = new Date(now.getTime() + CONSENT_REMINDER_WINDOW_DAYS * DAY_MS);
  let reminded = 0;
  for (;;) {
    const claimed = await db.transaction(async (tx) => {
      const rows = await tx.query<Claimed>(
        `WITH due AS (
           SELECT id FROM links
            WHERE status = 'active' AND method = 'fapi2' AND consent_expires_at > $1 AND consent_expires_at <= $2
              AND consent_reminded_for IS DISTINCT FROM consent_expires_at
            ORDER BY consent_expires_at LIMIT $3
            FOR NO KEY UPDATE SKIP LOCKED)
         UPDATE links l SET consent_reminded_for = l.consent_expires_at
           FROM due, operators o, bank_accounts a
          WHERE l.id = due.id AND o.id = l.operator_id AND a.id = l.account_id
         RETURNING l.id, l.operator_id, a.customer_id, l.consent_expires_at, o.display_name AS operator_name, a.branch_code,
                   '****' || right(a.account_number, 3) AS account_masked`,
        [now, window_end, rows_max],
      );
      if (rows.length === 0) return rows;
      const data = rows.map((row): ConsentExpiringData => ({
        link_id: row.id, operator_name: row.operator_name, branch_code: row.branch_code, account_masked: row.account_masked,
        consent_expires_at: row.consent_expires_at.toISOString(),
      }));
      // E-mail only: the reminder is not urgent, and an SMS about "renewing" is what smishing looks like.
      await tx.query(
        `INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at)
         SELECT t.id, $1, t.customer_id, 'email', 'consent_expiring', t.data, $1
           FROM unnest($2::uuid[], $3::uuid[], $4::jsonb[]) AS t (id, customer_id, data)`,
        [now, rows.map(() => ids.next()), rows.map((row) => row.customer_id), data.map((d) => JSON.stringify(d))],
      );
      await enqueueOperatorEvents(tx, rows.map((row) => ({
        id: ids.next(), operator_id: row.operator_id, type: 'link.consent_expiring' as const, at: now,
        data: { link: { id: row.id, consent_expires_at: row.consent_expires_at.toISOString() } },
      })));
      return rows;
    });
    reminded += claimed.length;
    if (claimed.length < rows_max) return reminded;
  }
}

/** Runs remindExpiringConsents every `interval_ms` (backing off while the database is away) until stopped. */
export function createConsentReminderJob({ db, clock, ids, log, interval_ms = CONSENT_REMINDER_INTERVAL_MS }: {
  db: Database; clock: Clock; ids: Ids; log: Logger; interval_ms?: number;
}): PeriodicJob {
  return createPeriodicJob({
    job: 'consent reminders', log, interval_ms,
    async pass() {
      const reminded = await remindExpiringConsents(db, { clock, ids });
      if (reminded > 0) log.info({ reminded }, 'consent reminders written');
    },
  });
}
