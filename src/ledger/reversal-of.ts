/**
 * Corrections are reversing transfers, never edits: the same accounts the other way round, for all or
 * part of the amount, under a new id and the caller's code.
 */
import { assert } from '../shared/assert.ts';
import type { NewTransfer, Transfer } from './ledger-types.ts';

/** The transfer that undoes `transfer` (or `amount_yen` of it). */
export function reversalOf(
  transfer: Transfer,
  options: { id: string; amount_yen?: number; code: number; user_data?: string | null },
): NewTransfer {
  assert(!transfer.flags.pending && !transfer.flags.void_pending_transfer, 'only posted money is reversed; void a pending transfer instead');
  const amount_yen = options.amount_yen ?? transfer.amount_yen;
  assert(Number.isSafeInteger(amount_yen) && amount_yen > 0 && amount_yen <= transfer.amount_yen, 'a reversal moves at most the original amount');
  return {
    id: options.id,
    debit_account_id: transfer.credit_account_id,
    credit_account_id: transfer.debit_account_id,
    amount_yen,
    code: options.code,
    user_data: options.user_data === undefined ? transfer.user_data : options.user_data,
  };
}
