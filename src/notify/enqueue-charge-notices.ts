import type { Queryable } from '../storage/database.ts';
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';

/** One succeeded charge to tell its customer of. */
export interface ChargeNoticeInput {
  /** The outbox row's id (fresh, time-ordered): also the "not me" token's id. */
  notice_id: string;
  charge_id: string;
  link_id: string;
  account_id: string;
  operator_name: string;
  passbook_label: string;
  amount_yen: number;
}

/**
 * Writes one e-mail notice per charge into the outbox, for a whole batch in one INSERT … SELECT FROM unnest, inside
 * the batch's transaction: a committed charge always has its notice and a rolled-back batch leaves none.
 */
export async function enqueueChargeNotices(tx: Queryable, charged_at: Date, charges: readonly ChargeNoticeInput[]): Promise<void> {
  if (charges.length === 0) return;
  for (const charge of charges) assert(isAmountYen(charge.amount_yen), `charge ${charge.charge_id} has a yen amount`);
  const inserted = await tx.query<{ n: number }>(
    `WITH inserted AS (
       INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at)
       SELECT t.notice_id, $1, a.customer_id, 'email', 'charge_succeeded',
              jsonb_build_object('charge_id', t.charge_id, 'link_id', t.link_id, 'operator_name', t.operator_name,
                'passbook_label', t.passbook_label, 'amount_yen', t.amount_yen, 'branch_code', a.branch_code,
                'account_masked', '****' || right(a.account_number, 3), 'charged_at', $1::timestamptz),
              $1
         FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::bigint[])
                AS t (notice_id, charge_id, link_id, account_id, operator_name, passbook_label, amount_yen)
         JOIN bank_accounts a ON a.id = t.account_id
       RETURNING 1)
     SELECT count(*)::int AS n FROM inserted`,
    [
      charged_at,
      charges.map((c) => c.notice_id), charges.map((c) => c.charge_id), charges.map((c) => c.link_id), charges.map((c) => c.account_id),
      charges.map((c) => c.operator_name), charges.map((c) => c.passbook_label), charges.map((c) => c.amount_yen),
    ],
  );
  // Every charged account exists (the ledger just debited it): a missing notice would be a silent charge.
  assert(inserted[0]?.n === charges.length, `one charge notice per charge (${inserted[0]?.n} of ${charges.length})`);
}
