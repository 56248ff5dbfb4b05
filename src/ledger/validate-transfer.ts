/**
 * Checks one transfer before anything is read: its shape (a wrong type is a programmer's bug, so an
 * assertion) and its fields (a value a caller may really send, so a result code). Field checks run in a
 * fixed order so the same bad transfer always gets the same code.
 */
import { assert } from '../shared/assert.ts';
import { AMOUNT_YEN_MAX } from '../shared/yen.ts';
import { isUuid } from './is-uuid.ts';
import type { CreateTransferResult, NewTransfer } from './ledger-types.ts';

/** Longest a pending transfer may hold its reservation: a year. Anything longer is a forgotten hold, not a charge awaiting review. */
export const PENDING_TIMEOUT_SECONDS_MAX = 366 * 24 * 60 * 60;

/** Largest code the int4 column holds. */
const CODE_MAX = 2_147_483_647;

/** Asserts that a transfer has the contract's types, so one caller's bug cannot break a whole batch's SQL. */
export function assertTransferShape(transfer: NewTransfer): void {
  assert(typeof transfer === 'object' && transfer !== null, 'a transfer must be an object');
  assert(isUuid(transfer.id), `transfer id ${String(transfer.id)} must be a lower-case UUID`);
  assert(transfer.debit_account_id === undefined || isUuid(transfer.debit_account_id), `transfer ${transfer.id}: debit_account_id must be a lower-case UUID`);
  assert(transfer.credit_account_id === undefined || isUuid(transfer.credit_account_id), `transfer ${transfer.id}: credit_account_id must be a lower-case UUID`);
  assert(transfer.pending_id === undefined || transfer.pending_id === null || isUuid(transfer.pending_id), `transfer ${transfer.id}: pending_id must be a lower-case UUID`);
  assert(transfer.user_data === undefined || transfer.user_data === null || isUuid(transfer.user_data), `transfer ${transfer.id}: user_data must be a lower-case UUID or null`);
  assert(Number.isSafeInteger(transfer.code) && transfer.code >= 0 && transfer.code <= CODE_MAX, `transfer ${transfer.id}: code must be an integer from 0 to ${CODE_MAX}`);
  assert(transfer.amount_yen === undefined || typeof transfer.amount_yen === 'number', `transfer ${transfer.id}: amount_yen must be a number`);
  assert(transfer.timeout_seconds === undefined || typeof transfer.timeout_seconds === 'number', `transfer ${transfer.id}: timeout_seconds must be a number`);
  assert(transfer.flags === undefined || (typeof transfer.flags === 'object' && transfer.flags !== null), `transfer ${transfer.id}: flags must be an object`);
}

function checkAmount(amount_yen: number | undefined, zero_allowed: boolean): CreateTransferResult | undefined {
  if (amount_yen === undefined) return zero_allowed ? undefined : 'amount_must_be_positive';
  if (!Number.isSafeInteger(amount_yen)) return 'amount_must_be_safe_integer';
  if (amount_yen < 0 || (amount_yen === 0 && !zero_allowed)) return 'amount_must_be_positive';
  if (amount_yen > AMOUNT_YEN_MAX) return 'amount_exceeds_maximum';
  return undefined;
}

/** Checks a transfer's own fields; undefined when they are fine and the ledger must look further. */
export function validateTransfer(transfer: NewTransfer): CreateTransferResult | undefined {
  const flags = transfer.flags ?? {};
  const kinds = Number(!!flags.pending) + Number(!!flags.post_pending_transfer) + Number(!!flags.void_pending_transfer);
  if (kinds > 1) return 'flags_are_mutually_exclusive';
  const settles = !!flags.post_pending_transfer || !!flags.void_pending_transfer;
  const has_pending_id = transfer.pending_id !== undefined && transfer.pending_id !== null;
  if (settles && !has_pending_id) return 'pending_id_required';
  if (!settles && has_pending_id) return 'pending_id_must_be_absent';
  const timeout_seconds = transfer.timeout_seconds ?? 0;
  if (!flags.pending && timeout_seconds !== 0) return 'timeout_reserved_for_pending_transfer';
  if (!Number.isSafeInteger(timeout_seconds) || timeout_seconds < 0 || timeout_seconds > PENDING_TIMEOUT_SECONDS_MAX) {
    return 'timeout_out_of_range';
  }
  const { debit_account_id, credit_account_id } = transfer;
  if (debit_account_id !== undefined && debit_account_id === credit_account_id) return 'accounts_must_be_different';
  if (!settles) {
    // Post and void may omit the accounts (they come from the pending transfer); nothing else may.
    if (debit_account_id === undefined) return 'debit_account_not_found';
    if (credit_account_id === undefined) return 'credit_account_not_found';
  }
  return checkAmount(transfer.amount_yen, settles);
}
