import type { Queryable } from '../storage/database.ts';

/** A charge whose money moved, as the history tables count it. */
export interface MovedCharge {
  customer_id: string;
  operator_id: string;
  link_id: string;
  amount_yen: number;
  /**
   * The account holder approved this charge at the bank (a step-up), or staff released it: from now on the link is
   * confirmed, nothing more is added to its unconfirmed yen, and the risk step reads them as 0. False for a charge
   * the risk step allowed.
   */
  confirmed: boolean;
}

function sortedBy<T>(entries: Iterable<[string, T]>): T[] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
}

/**
 * Adds charges whose money moved to the customers', links' and customer–operator history, in one statement.
 * Rows go in key order so concurrent batches lock them in the same order. Called in the transaction that
 * moved the money: the charge batch (allowed charges) or the step-up approval (a pending charge posted).
 */
export async function recordChargeHistory(tx: Queryable, charges: readonly MovedCharge[], now: Date): Promise<void> {
  if (charges.length === 0) return;
  const customers = new Map<string, { id: string; count: number; largest: number }>();
  const links = new Map<string, { id: string; count: number; unconfirmed_yen: number; confirmed: boolean }>();
  const pairs = new Map<string, { customer_id: string; operator_id: string }>();
  for (const charge of charges) {
    const customer = customers.get(charge.customer_id) ?? { id: charge.customer_id, count: 0, largest: 0 };
    customer.count += 1;
    customer.largest = Math.max(customer.largest, charge.amount_yen);
    customers.set(charge.customer_id, customer);
    const link = links.get(charge.link_id) ?? { id: charge.link_id, count: 0, unconfirmed_yen: 0, confirmed: false };
    link.count += 1;
    if (charge.confirmed) link.confirmed = true;
    else link.unconfirmed_yen += charge.amount_yen;
    links.set(charge.link_id, link);
    pairs.set(`${charge.customer_id}:${charge.operator_id}`, { customer_id: charge.customer_id, operator_id: charge.operator_id });
  }
  const c = sortedBy(customers.entries());
  const l = sortedBy(links.entries());
  const p = sortedBy(pairs.entries());
  // One statement, three upserts: one round trip inside the batch's transaction instead of three. A known
  // customer–operator pair is left alone: only its first charge is read.
  await tx.query(
    `WITH customer_rows AS (
       INSERT INTO risk_customer_stats (customer_id, charges_count, charge_yen_largest)
       SELECT id, n, largest FROM unnest($2::uuid[], $3::int[], $4::int8[]) AS t (id, n, largest)
       ON CONFLICT (customer_id) DO UPDATE SET charges_count = risk_customer_stats.charges_count + EXCLUDED.charges_count,
         charge_yen_largest = greatest(risk_customer_stats.charge_yen_largest, EXCLUDED.charge_yen_largest)
       RETURNING 1
     ), link_rows AS (
       -- A confirmed link's unconfirmed yen stay what they were when it was confirmed: nothing is added after.
       INSERT INTO risk_link_stats (link_id, charges_count, unconfirmed_yen, confirmed_at, first_charge_at)
       SELECT id, n, CASE WHEN confirmed THEN 0 ELSE yen END, CASE WHEN confirmed THEN $1::timestamptz END, $1::timestamptz
         FROM unnest($5::uuid[], $6::int[], $9::int8[], $10::boolean[]) AS t (id, n, yen, confirmed)
       ON CONFLICT (link_id) DO UPDATE SET charges_count = risk_link_stats.charges_count + EXCLUDED.charges_count,
         unconfirmed_yen = risk_link_stats.unconfirmed_yen + CASE WHEN risk_link_stats.confirmed_at IS NULL THEN EXCLUDED.unconfirmed_yen ELSE 0 END,
         confirmed_at = coalesce(risk_link_stats.confirmed_at, EXCLUDED.confirmed_at)
       RETURNING 1
     )
     INSERT INTO risk_customer_operators (customer_id, operator_id, first_charge_at)
     SELECT c, o, $1 FROM unnest($7::uuid[], $8::uuid[]) AS t (c, o)
     ON CONFLICT (customer_id, operator_id) DO NOTHING`,
    [now, c.map((x) => x.id), c.map((x) => x.count), c.map((x) => x.largest),
      l.map((x) => x.id), l.map((x) => x.count), p.map((x) => x.customer_id), p.map((x) => x.operator_id),
      l.map((x) => x.unconfirmed_yen), l.map((x) => x.confirmed)],
  );
}
