/**
 * Idempotency: a transfer whose id is already stored is compared field by field with the stored one.
 * The order is fixed (flags first, because they change what the other fields mean, as in TigerBeetle)
 * so a retry always gets the same answer.
 */
import { assert } from '../shared/assert.ts';
import type { CreateTransferResult, NewTransfer } from './ledger-types.ts';
import { TRANSFER_POST_PENDING, TRANSFER_VOID_PENDING, transferFlagBits, type TransferRow } from './ledger-rows.ts';

/**
 * Compares a new transfer with the stored one of the same id. For a post or void, fields the caller may
 * omit (accounts, amount, user_data) count as the same when omitted; `pending` is the transfer it settles.
 */
export function transferExists(
  transfer: NewTransfer,
  existing: TransferRow,
  pending: TransferRow | undefined,
): CreateTransferResult {
  assert(transfer.id === existing.id, 'compared transfers must share an id');
  const flags = transferFlagBits(transfer.flags);
  if (flags !== existing.flags) return 'exists_with_different_flags';
  const settles = (flags & (TRANSFER_POST_PENDING | TRANSFER_VOID_PENDING)) !== 0;
  if ((transfer.pending_id ?? null) !== existing.pending_id) return 'exists_with_different_pending_id';
  if (!settles) {
    if (transfer.debit_account_id !== existing.debit_account_id) return 'exists_with_different_debit_account_id';
    if (transfer.credit_account_id !== existing.credit_account_id) return 'exists_with_different_credit_account_id';
    if (transfer.amount_yen !== existing.amount_yen) return 'exists_with_different_amount';
    if ((transfer.user_data ?? null) !== existing.user_data) return 'exists_with_different_user_data';
    if ((transfer.timeout_seconds ?? 0) !== existing.timeout_seconds) return 'exists_with_different_timeout';
    if (transfer.code !== existing.code) return 'exists_with_different_code';
    return 'exists';
  }
  if (transfer.debit_account_id !== undefined && transfer.debit_account_id !== existing.debit_account_id) {
    return 'exists_with_different_debit_account_id';
  }
  if (transfer.credit_account_id !== undefined && transfer.credit_account_id !== existing.credit_account_id) {
    return 'exists_with_different_credit_account_id';
  }
  // An omitted amount (or 0) meant "all of it": the same as a stored amount equal to the pending amount.
  assert(pending !== undefined && pending.id === existing.pending_id, 'a stored post or void has its pending transfer');
  const amount_yen = transfer.amount_yen || pending.amount_yen;
  if (amount_yen !== existing.amount_yen) return 'exists_with_different_amount';
  if (transfer.user_data !== undefined && transfer.user_data !== null && transfer.user_data !== existing.user_data) {
    return 'exists_with_different_user_data';
  }
  if ((transfer.timeout_seconds ?? 0) !== existing.timeout_seconds) return 'exists_with_different_timeout';
  if (transfer.code !== existing.code) return 'exists_with_different_code';
  return 'exists';
}
