import type { Queryable } from '../storage/database.ts';
import type { Ledger, NewTransfer } from '../ledger/ledger-types.ts';
import type { Ids } from '../shared/ids.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';
import { BANK_FRAUD_LOSS_ACCOUNT_ID, COMPENSATION_CLEARING_ACCOUNT_ID, TransferCode } from '../bank/chart-of-accounts.ts';
import { enqueueOperatorEvent } from '../webhooks/webhook-event.ts';
import { COMPENSATION_COLUMNS, compensationPassbookLabel, type Compensation } from './compensation.ts';

/** How one attempt to pay went. `refused` moved nothing; the reason is kept on the compensation for staff. */
export type PaymentOutcome =
  | { kind: 'paid'; compensation: Compensation }
  | { kind: 'already_paid'; compensation: Compensation }
  | { kind: 'refused'; code: 'operator_funds_insufficient' | 'compensation_exceeds_charge'; reason: string };

/** Thrown inside the payment's transaction to roll back every leg; caught by the caller, which records why. */
export class PaymentRefused extends Error {
  override name = 'PaymentRefused';
  constructor(readonly code: 'operator_funds_insufficient' | 'compensation_exceeds_charge', reason: string) {
    super(reason);
  }
}

/**
 * The legs of a payment: the operator's share and the bank's share into clearing, then the whole amount out to
 * the customer (one passbook line). Zero shares are left out. Their ids were fixed at the proposal.
 */
export function compensationTransfers(compensation: Compensation, operator_settlement_account_id: string): NewTransfer[] {
  const { operator_yen, bank_yen, amount_yen, id } = compensation;
  const leg = (transfer_id: string, debit_account_id: string, credit_account_id: string, amount: number): NewTransfer =>
    ({ id: transfer_id, debit_account_id, credit_account_id, amount_yen: amount, code: TransferCode.compensation, user_data: id });
  return [
    ...(operator_yen > 0 ? [leg(compensation.operator_transfer_id, operator_settlement_account_id, COMPENSATION_CLEARING_ACCOUNT_ID, operator_yen)] : []),
    ...(bank_yen > 0 ? [leg(compensation.bank_transfer_id, BANK_FRAUD_LOSS_ACCOUNT_ID, COMPENSATION_CLEARING_ACCOUNT_ID, bank_yen)] : []),
    leg(compensation.payout_transfer_id, COMPENSATION_CLEARING_ACCOUNT_ID, compensation.account_id, amount_yen),
  ];
}

/**
 * Pays one approved compensation inside the caller's transaction, or finds it already paid. The compensation row
 * is locked first, so two payers (a second approval, the recovery job after a crash) take turns and the second
 * finds it paid; the transfer ids are fixed, so even a payment the database had somehow half-seen would answer
 * `exists`, never move money twice. Refunds made since the proposal are checked against each charge again.
 * Everything (ledger legs, passbook line, notice, webhook, status, audit entry) commits together.
 */
export async function payCompensation(
  tx: Queryable,
  { ledger, ids, audit, now }: { ledger: Ledger; ids: Ids; audit: AuditLog; now: Date },
  compensation_id: string,
): Promise<PaymentOutcome> {
  const [compensation] = await tx.query<Compensation>(`SELECT ${COMPENSATION_COLUMNS} FROM compensations WHERE id = $1 FOR UPDATE`, [compensation_id]);
  assert(compensation, `compensation ${compensation_id} exists`);
  if (compensation.status === 'paid') return { kind: 'already_paid', compensation };
  assert(compensation.status === 'approved', `only an approved compensation is paid (it is ${compensation.status})`);
  assert(compensation.approved_by !== null && compensation.approved_by !== compensation.proposed_by, 'four eyes: approved by someone else');
  assert(isAmountYen(compensation.amount_yen) && compensation.operator_yen + compensation.bank_yen === compensation.amount_yen, 'the shares add up');

  // The charges, locked against refunds racing this payment: a refund after the proposal must not be paid twice.
  const lines = await tx.query<{ charge_id: string; amount_yen: number; compensable_yen: number; link_id: string }>(
    `SELECT l.charge_id, l.amount_yen, c.amount_yen - c.refunded_yen AS compensable_yen, c.link_id
       FROM compensation_charges l JOIN charges c ON c.id = l.charge_id
      WHERE l.compensation_id = $1 ORDER BY l.charge_id FOR UPDATE OF c`, [compensation_id]);
  assert(lines.reduce((sum, line) => sum + line.amount_yen, 0) === compensation.amount_yen, 'the lines add up to the compensation');
  const over = lines.find((line) => line.amount_yen > line.compensable_yen);
  if (over) throw new PaymentRefused('compensation_exceeds_charge', `Charge ${over.charge_id} was refunded since the proposal: ¥${over.compensable_yen} remains`);

  const [operator] = await tx.query<{ display_name: string; passbook_label: string; settlement_account_id: string }>(
    `SELECT display_name, passbook_label, settlement_account_id FROM operators WHERE id = $1`, [compensation.operator_id]);
  assert(operator, 'the operator exists');
  const transfers = compensationTransfers(compensation, operator.settlement_account_id);
  const results = await ledger.applyTransfers(tx, transfers);
  results.forEach((result, index) => {
    if (result === 'ok' || result === 'exists') return;
    const transfer = transfers[index]!;
    if (result === 'exceeds_credits' && transfer.debit_account_id === operator.settlement_account_id) {
      throw new PaymentRefused('operator_funds_insufficient', `${operator.display_name}'s settlement account cannot cover its ¥${compensation.operator_yen} share`);
    }
    assert(false, `compensation transfer ${transfer.id}: ${result}`);
  });

  const label = compensationPassbookLabel(operator.passbook_label);
  await tx.query(`INSERT INTO passbook_labels (transfer_id, label) VALUES ($1, $2) ON CONFLICT (transfer_id) DO NOTHING`, [compensation.payout_transfer_id, label]);
  await tx.query(
    `INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at)
     SELECT $1, $2, a.customer_id, 'email', 'compensation_paid',
            jsonb_build_object('compensation_id', $3::text, 'operator_name', $4::text, 'passbook_label', $5::text, 'amount_yen', $6::bigint,
              'branch_code', a.branch_code, 'account_masked', '****' || right(a.account_number, 3), 'paid_at', $2::timestamptz), $2
       FROM bank_accounts a WHERE a.id = $7`,
    [ids.next(), now, compensation.id, operator.display_name, label, compensation.amount_yen, compensation.account_id],
  );
  await enqueueOperatorEvent(tx, {
    id: ids.next(), operator_id: compensation.operator_id, type: 'compensation.paid', at: now,
    data: {
      compensation: {
        id: compensation.id, amount_yen: compensation.amount_yen, operator_share_yen: compensation.operator_yen, bank_share_yen: compensation.bank_yen,
        charges: lines.map((line) => ({ id: line.charge_id, link_id: line.link_id, amount_yen: line.amount_yen })), paid_at: now.toISOString(),
      },
    },
  });
  const [paid] = await tx.query<Compensation>(
    `UPDATE compensations SET status = 'paid', paid_at = $2, payment_error = NULL WHERE id = $1 AND status = 'approved' RETURNING ${COMPENSATION_COLUMNS}`,
    [compensation.id, now]);
  assert(paid, 'the locked approved compensation is now paid');
  await audit.append(tx, {
    staff_id: compensation.approved_by!, action: 'compensation.pay', subject: compensation.id,
    details: { incident_id: compensation.incident_id, amount_yen: compensation.amount_yen, operator_yen: compensation.operator_yen, bank_yen: compensation.bank_yen, transfer_ids: transfers.map((t) => t.id) },
  });
  return { kind: 'paid', compensation: paid };
}
