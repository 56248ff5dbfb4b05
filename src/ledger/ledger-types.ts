/**
 * The ledger's data model, after TigerBeetle: accounts with pending and posted debits and credits,
 * immutable transfers whose client-supplied id is the idempotency key, and a status per transfer
 * instead of a throw for any expected outcome.
 */
import type { Queryable } from '../storage/database.ts';

export interface AccountFlags {
  /** The account may never have debits (pending + posted) above its posted credits: no overdraft. */
  debits_must_not_exceed_credits?: boolean;
  /** The mirror image, for accounts that must never hold a net credit. */
  credits_must_not_exceed_debits?: boolean;
}

export interface NewAccount {
  /** UUID chosen by the caller; creating it again with the same fields is `exists`. */
  id: string;
  /** What kind of account this is (the caller's chart of accounts). */
  code: number;
  flags?: AccountFlags;
}

export interface Account {
  id: string;
  code: number;
  flags: Required<AccountFlags>;
  debits_pending: number;
  debits_posted: number;
  credits_pending: number;
  credits_posted: number;
  created_at: Date;
}

export interface TransferFlags {
  /** Reserve the amount now; a later transfer posts or voids it. */
  pending?: boolean;
  /** Posts the pending transfer named by `pending_id`. */
  post_pending_transfer?: boolean;
  /** Voids the pending transfer named by `pending_id`, releasing the reservation. */
  void_pending_transfer?: boolean;
}

export interface NewTransfer {
  /** UUID chosen by the caller: the idempotency key. */
  id: string;
  /** For post/void these may be omitted; they are taken from the pending transfer. */
  debit_account_id?: string;
  credit_account_id?: string;
  /** Positive integer yen. For post: at most the pending amount (absent or 0 posts it all). For void: absent or 0. */
  amount_yen?: number;
  /** What kind of transfer this is (the caller's catalogue: charge, refund, deposit…). */
  code: number;
  /** The business object this transfer belongs to (a charge id, a refund id), or null. */
  user_data?: string | null;
  flags?: TransferFlags;
  /** With post_pending_transfer or void_pending_transfer: the pending transfer's id. */
  pending_id?: string;
  /** With pending: seconds until the reservation voids itself; 0 means never. */
  timeout_seconds?: number;
}

export interface Transfer {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount_yen: number;
  code: number;
  user_data: string | null;
  flags: Required<TransferFlags>;
  pending_id: string | null;
  timeout_seconds: number;
  /** When the ledger committed it, from the injected clock. */
  created_at: Date;
}

/** One transfer's outcome. `ok` and `exists` mean it stands; every other value means nothing was written for it. */
export type CreateTransferResult =
  | 'ok'
  | 'exists'
  | 'exists_with_different_debit_account_id'
  | 'exists_with_different_credit_account_id'
  | 'exists_with_different_amount'
  | 'exists_with_different_code'
  | 'exists_with_different_user_data'
  | 'exists_with_different_flags'
  | 'exists_with_different_pending_id'
  | 'exists_with_different_timeout'
  | 'amount_must_be_positive'
  /** The amount is not a whole number of yen within Number.MAX_SAFE_INTEGER. */
  | 'amount_must_be_safe_integer'
  /** Above AMOUNT_YEN_MAX (src/shared/yen.ts). */
  | 'amount_exceeds_maximum'
  | 'accounts_must_be_different'
  | 'flags_are_mutually_exclusive'
  | 'pending_id_required'
  | 'pending_id_must_be_absent'
  /** timeout_seconds is only for pending transfers. */
  | 'timeout_reserved_for_pending_transfer'
  /** timeout_seconds is not a whole number from 0 to PENDING_TIMEOUT_SECONDS_MAX. */
  | 'timeout_out_of_range'
  | 'debit_account_not_found'
  | 'credit_account_not_found'
  | 'exceeds_credits'
  | 'exceeds_debits'
  /** The debit account's debits (pending + posted) would pass Number.MAX_SAFE_INTEGER. */
  | 'overflows_debits'
  /** The credit account's credits (pending + posted) would pass Number.MAX_SAFE_INTEGER. */
  | 'overflows_credits'
  | 'pending_transfer_not_found'
  | 'pending_transfer_not_pending'
  | 'pending_transfer_already_posted'
  | 'pending_transfer_already_voided'
  | 'pending_transfer_expired'
  | 'pending_transfer_has_different_accounts'
  | 'exceeds_pending_transfer_amount'
  /** A void names an amount other than the pending amount (voids are never partial). */
  | 'pending_transfer_has_different_amount';

export type CreateAccountResult =
  | 'ok'
  | 'exists'
  | 'exists_with_different_code'
  | 'exists_with_different_flags'
  /** Both no-overdraft flags at once would freeze the account at zero. */
  | 'flags_are_mutually_exclusive';

/** One posted line of an account's history, as a passbook prints it. */
export interface AccountHistoryEntry {
  transfer: Transfer;
  /** debit: money left this account; credit: money arrived. */
  direction: 'debit' | 'credit';
  amount_yen: number;
  /** credits_posted − debits_posted after this line. */
  balance_yen: number;
}

export interface InvariantReport {
  /** Σ over all accounts of (credits_posted − debits_posted) and the same for pending; both must be 0. */
  posted_sum_yen: number;
  pending_sum_yen: number;
  /** Accounts whose stored balances differ from the sums of their transfers. */
  accounts_out_of_step: string[];
  /** Accounts with the no-overdraft flag whose debits exceed credits. */
  accounts_overdrawn: string[];
  ok: boolean;
}

export interface Ledger {
  /** Creates accounts; a result per account. */
  createAccounts(accounts: readonly NewAccount[]): Promise<CreateAccountResult[]>;
  /** Queues the transfers on the batching writer; resolves after the batch that holds them commits. */
  createTransfers(transfers: readonly NewTransfer[]): Promise<CreateTransferResult[]>;
  /**
   * Applies transfers in order inside the caller's transaction, set-based, with a result per transfer.
   * For callers (the charge pipeline) that must write their own rows in the same transaction.
   */
  applyTransfers(tx: Queryable, transfers: readonly NewTransfer[]): Promise<CreateTransferResult[]>;
  lookupAccounts(ids: readonly string[]): Promise<Account[]>;
  lookupTransfers(ids: readonly string[]): Promise<Transfer[]>;
  /** Posted lines for one account, oldest first, with the running balance: the latest `limit` lines (100 unless given, at most 1,000). */
  accountHistory(account_id: string, options?: { limit?: number }): Promise<AccountHistoryEntry[]>;
  /** Voids every pending transfer whose timeout has passed by the injected clock; returns how many. */
  expirePendingTransfers(): Promise<number>;
  /** Recomputes balances from transfers and checks the sums; read-only. */
  checkInvariants(): Promise<InvariantReport>;
  /** Drains the batching writer. */
  close(): Promise<void>;
}
