import { assert } from '../../shared/assert.ts';
import { openItems, type ChargeStep } from '../charge.ts';

/** record: the charge rows and the links' monthly totals, in the same transaction as the money. */
export const record: ChargeStep = {
  name: 'record',
  async run({ tx, now }, items) {
    const open = openItems(items);
    if (open.length === 0) return;
    await tx.query(
      `INSERT INTO charges (id, operator_id, link_id, account_id, idempotency_key, request_hash, amount_yen, description, status, created_at)
       SELECT id, operator_id, link_id, account_id, idempotency_key, request_hash, amount_yen, description, 'succeeded', $8
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::bigint[], $9::text[])
           AS t (id, operator_id, link_id, account_id, idempotency_key, request_hash, amount_yen, description)`,
      [
        open.map((item) => item.charge_id),
        open.map((item) => item.operator!.id),
        open.map((item) => item.link!.id),
        open.map((item) => item.link!.account_id),
        open.map((item) => item.request.idempotency_key),
        open.map((item) => item.request_hash!),
        open.map((item) => item.request.amount_yen),
        now,
        open.map((item) => item.request.description),
      ],
    );
    const perLinkMonth = new Map<string, { link_id: string; month: string; amount_yen: number }>();
    for (const item of open) {
      assert(item.month, 'limits step set the month');
      const key = `${item.link!.id}:${item.month}`;
      const entry = perLinkMonth.get(key) ?? { link_id: item.link!.id, month: item.month, amount_yen: 0 };
      entry.amount_yen += item.request.amount_yen;
      perLinkMonth.set(key, entry);
    }
    const totals = [...perLinkMonth.values()];
    await tx.query(
      `INSERT INTO link_monthly_totals (link_id, month, charged_yen)
       SELECT * FROM unnest($1::uuid[], $2::date[], $3::bigint[])
       ON CONFLICT (link_id, month) DO UPDATE SET charged_yen = link_monthly_totals.charged_yen + EXCLUDED.charged_yen`,
      [totals.map((t) => t.link_id), totals.map((t) => t.month), totals.map((t) => t.amount_yen)],
    );
    for (const item of open) {
      const { amount_yen, description } = item.request;
      item.outcome = {
        kind: 'charged',
        replayed: false,
        charge: { id: item.charge_id, link_id: item.link!.id, amount_yen, refunded_yen: 0, status: 'succeeded', description, created_at: now },
      };
    }
  },
};
