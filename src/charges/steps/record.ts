import { assert } from '../../shared/assert.ts';
import { pendingTimeoutSeconds } from '../../stepup/pending-charge-timeouts.ts';
import { openItems, type ChargeItem, type ChargeStatus, type ChargeStep } from '../charge.ts';

const STATUS_FOR_ACTION = { allow: 'succeeded', challenge: 'pending_approval', hold: 'held' } as const satisfies Record<string, ChargeStatus>;

/** The status a charge is written with, and when its reservation runs out if it waits. */
function statusOf(item: ChargeItem, now: Date): { status: ChargeStatus; approval_expires_at: Date | null } {
  const action = item.risk?.action ?? 'allow';
  assert(action !== 'deny', 'a denied charge is never recorded');
  if (action === 'allow') return { status: 'succeeded', approval_expires_at: null };
  return { status: STATUS_FOR_ACTION[action], approval_expires_at: new Date(now.getTime() + pendingTimeoutSeconds(action) * 1000) };
}

/**
 * record: the charge rows (with the risk decision and reasons) and the links' monthly totals, in the same transaction
 * as the money. A waiting charge counts against the month at once, since its money is reserved; a void gives it back.
 */
export const record: ChargeStep = {
  name: 'record',
  async run({ tx, now }, items) {
    const open = openItems(items);
    if (open.length === 0) return;
    const statuses = open.map((item) => statusOf(item, now));
    await tx.query(
      `INSERT INTO charges (id, operator_id, link_id, account_id, idempotency_key, request_hash, amount_yen, description, status, created_at,
                            risk_decision, risk_reasons, approval_expires_at)
       SELECT id, operator_id, link_id, account_id, idempotency_key, request_hash, amount_yen, description, status, $8,
              risk_decision, ARRAY(SELECT jsonb_array_elements_text(risk_reasons)), approval_expires_at
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::bigint[], $9::text[], $10::text[],
                     $11::text[], $12::jsonb[], $13::timestamptz[])
           AS t (id, operator_id, link_id, account_id, idempotency_key, request_hash, amount_yen, description, status,
                 risk_decision, risk_reasons, approval_expires_at)`,
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
        statuses.map((s) => s.status),
        open.map((item) => item.risk?.decision.action ?? null),
        open.map((item) => JSON.stringify(item.risk?.decision.reasons ?? [])),
        statuses.map((s) => s.approval_expires_at),
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
    open.forEach((item, index) => {
      const { amount_yen, description } = item.request;
      const { status, approval_expires_at } = statuses[index]!;
      const charge = { id: item.charge_id, link_id: item.link!.id, amount_yen, refunded_yen: 0, status, description, created_at: now, approval_expires_at };
      item.outcome = { kind: status === 'succeeded' ? 'charged' : 'pending', replayed: false, charge };
    });
  },
};
