/**
 * How accounts and transfers are stored: flags as bit masks (as TigerBeetle packs them) and the
 * mapping between rows and the contract's objects. The bit values are shared with 001_ledger.sql.
 */
import type { Account, AccountFlags, Transfer, TransferFlags } from './ledger-types.ts';

export const ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS = 1;
export const ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS = 2;

export const TRANSFER_PENDING = 1;
export const TRANSFER_POST_PENDING = 2;
export const TRANSFER_VOID_PENDING = 4;

/** Every column of ledger_transfers that a Transfer carries, for SELECT lists. */
export const TRANSFER_COLUMNS =
  'id, debit_account_id, credit_account_id, amount_yen, pending_id, code, user_data, flags, timeout_seconds, created_at';

/** Every column of ledger_accounts that an Account carries, for SELECT lists. */
export const ACCOUNT_COLUMNS =
  'id, code, flags, debits_pending, debits_posted, credits_pending, credits_posted, created_at';

export interface TransferRow {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount_yen: number;
  pending_id: string | null;
  code: number;
  user_data: string | null;
  flags: number;
  timeout_seconds: number;
  created_at: Date;
}

export interface AccountRow {
  id: string;
  code: number;
  flags: number;
  debits_pending: number;
  debits_posted: number;
  credits_pending: number;
  credits_posted: number;
  created_at: Date;
}

/** Packs account flags into the stored bit mask. */
export function accountFlagBits(flags: AccountFlags | undefined): number {
  return (
    (flags?.debits_must_not_exceed_credits ? ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS : 0) |
    (flags?.credits_must_not_exceed_debits ? ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS : 0)
  );
}

/** Packs transfer flags into the stored bit mask. */
export function transferFlagBits(flags: TransferFlags | undefined): number {
  return (
    (flags?.pending ? TRANSFER_PENDING : 0) |
    (flags?.post_pending_transfer ? TRANSFER_POST_PENDING : 0) |
    (flags?.void_pending_transfer ? TRANSFER_VOID_PENDING : 0)
  );
}

/** Unpacks a stored account row. */
export function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id,
    code: row.code,
    flags: {
      debits_must_not_exceed_credits: (row.flags & ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) !== 0,
      credits_must_not_exceed_debits: (row.flags & ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) !== 0,
    },
    debits_pending: row.debits_pending,
    debits_posted: row.debits_posted,
    credits_pending: row.credits_pending,
    credits_posted: row.credits_posted,
    created_at: row.created_at,
  };
}

/** Unpacks a stored transfer row. */
export function transferFromRow(row: TransferRow): Transfer {
  return {
    id: row.id,
    debit_account_id: row.debit_account_id,
    credit_account_id: row.credit_account_id,
    amount_yen: row.amount_yen,
    code: row.code,
    user_data: row.user_data,
    flags: {
      pending: (row.flags & TRANSFER_PENDING) !== 0,
      post_pending_transfer: (row.flags & TRANSFER_POST_PENDING) !== 0,
      void_pending_transfer: (row.flags & TRANSFER_VOID_PENDING) !== 0,
    },
    pending_id: row.pending_id,
    timeout_seconds: row.timeout_seconds,
    created_at: row.created_at,
  };
}
