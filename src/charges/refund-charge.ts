import { createHash } from 'node:crypto';
import type { Database } from '../storage/database.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { assert } from '../shared/assert.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { TransferCode } from '../bank/chart-of-accounts.ts';
import { transferWithLabel } from '../bank/bank-core.ts';
import type { Operator } from '../operators/operator.ts';

export interface Refund {
  id: string;
  charge_id: string;
  amount_yen: number;
  created_at: Date;
}

export interface RefundRequest {
  charge_id: string;
  idempotency_key: string;
  amount_yen: number;
}

/**
 * Refunds part or all of a charge: a reversing transfer from the operator's settlement account back to the
 * customer, never an edit of the charge's transfer. The charge row is locked, so two refunds racing on one
 * charge cannot together exceed it.
 */
export async function refundCharge(
  { db, ledger, clock, ids }: { db: Database; ledger: Ledger; clock: Clock; ids: Ids },
  operator: Operator,
  request: RefundRequest,
): Promise<{ refund: Refund; replayed: boolean }> {
  const request_hash = createHash('sha256').update(JSON.stringify([request.charge_id, request.amount_yen])).digest('base64url');
  return db.transaction(async (tx) => {
    const [charge] = await tx.query<{ id: string; account_id: string; amount_yen: number; refunded_yen: number; status: string }>(
      `SELECT id, account_id, amount_yen, refunded_yen, status FROM charges WHERE id = $1 AND operator_id = $2 FOR UPDATE`,
      [request.charge_id, operator.id],
    );
    if (!charge) throw new FurikaeError('charge_not_found', `No charge ${request.charge_id}`);
    // A waiting, declined or expired charge moved no money, so there is nothing to give back.
    if (charge.status !== 'succeeded') throw new FurikaeError('charge_not_settled', `Charge ${charge.id} is ${charge.status}`);
    const [previous] = await tx.query<Refund & { request_hash: string }>(
      `SELECT id, charge_id, amount_yen, created_at, request_hash FROM refunds WHERE operator_id = $1 AND idempotency_key = $2`,
      [operator.id, request.idempotency_key],
    );
    if (previous) {
      if (previous.request_hash !== request_hash) throw new FurikaeError('idempotency_key_reused', 'This Idempotency-Key was used for a different refund');
      const { request_hash: _, ...refund } = previous;
      return { refund, replayed: true };
    }
    // What the bank already made good by compensation (proposed, approved or paid) is not the operator's to refund:
    // the customer would be paid twice. The charge row is locked, so a proposal cannot slip in between.
    const [compensated] = await tx.query<{ yen: number }>(
      `SELECT coalesce(sum(amount_yen), 0)::bigint AS yen FROM compensation_charges WHERE charge_id = $1 AND live`, [charge.id]);
    const remaining = charge.amount_yen - charge.refunded_yen - (compensated?.yen ?? 0);
    if (request.amount_yen > remaining) {
      throw new FurikaeError('refund_exceeds_charge', `¥${remaining.toLocaleString('en-US')} of this charge remains refundable`, { refundable_yen: remaining });
    }
    const id = ids.next();
    const now = clock.now();
    const transfer = {
      id, debit_account_id: operator.settlement_account_id, credit_account_id: charge.account_id,
      amount_yen: request.amount_yen, code: TransferCode.refund, user_data: charge.id,
    };
    const result = await transferWithLabel(tx, ledger, transfer, operator.passbook_label);
    if (result === 'exceeds_credits') throw new FurikaeError('operator_funds_insufficient', 'The settlement account cannot cover this refund');
    assert(result === 'ok', `refund transfer ${id}: ${result}`);
    await tx.query(
      `INSERT INTO refunds (id, charge_id, operator_id, idempotency_key, request_hash, amount_yen, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, charge.id, operator.id, request.idempotency_key, request_hash, request.amount_yen, now],
    );
    await tx.query(`UPDATE charges SET refunded_yen = refunded_yen + $2 WHERE id = $1`, [charge.id, request.amount_yen]);
    return { refund: { id, charge_id: charge.id, amount_yen: request.amount_yen, created_at: now }, replayed: false };
  });
}
