/**
 * The baseline the batched ledger is measured against: one database transaction per transfer, locking
 * both accounts, inserting the transfer and updating the two balances. It keeps the same rules
 * (idempotent id, no overdraft) on the same tables, so the only difference measured is batching.
 * Single-phase transfers only: it exists for the benchmark, never for production.
 */
import { assert } from '../shared/assert.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { CreateTransferResult, NewTransfer } from '../ledger/ledger-types.ts';

export interface NaiveLedger {
  /** Applies one single-phase transfer in its own transaction. */
  createTransfer(transfer: NewTransfer): Promise<CreateTransferResult>;
}

interface Balances {
  id: string;
  flags: number;
  debits_pending: number;
  debits_posted: number;
  credits_posted: number;
}

/** Creates the one-transaction-per-transfer ledger over the ledger's own tables. */
export function createNaiveLedger(options: { db: Database; clock: Clock }): NaiveLedger {
  const { db, clock } = options;
  return {
    createTransfer(transfer) {
      const { id, debit_account_id, credit_account_id, amount_yen, code } = transfer;
      assert(debit_account_id && credit_account_id && debit_account_id !== credit_account_id, 'naive transfers name two accounts');
      assert(Number.isSafeInteger(amount_yen) && (amount_yen as number) > 0, 'naive transfers move a positive amount');
      assert(!transfer.flags?.pending && !transfer.flags?.post_pending_transfer && !transfer.flags?.void_pending_transfer, 'naive transfers are single-phase');
      const amount = amount_yen as number;
      return db.transaction(async (tx) => {
        const accounts = await tx.query<Balances>(
          `SELECT id, flags, debits_pending, debits_posted, credits_posted FROM ledger_accounts
            WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
          [[debit_account_id, credit_account_id]],
        );
        const debit = accounts.find((account) => account.id === debit_account_id);
        if (!debit) return 'debit_account_not_found';
        if (!accounts.some((account) => account.id === credit_account_id)) return 'credit_account_not_found';
        if ((debit.flags & 1) !== 0 && debit.debits_pending + debit.debits_posted + amount > debit.credits_posted) {
          return 'exceeds_credits';
        }
        const inserted = await tx.query(
          `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount_yen, code, user_data, flags, timeout_seconds, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
          [id, debit_account_id, credit_account_id, amount, code, transfer.user_data ?? null, clock.now()],
        );
        if (inserted.length === 0) return 'exists';
        await tx.query(`UPDATE ledger_accounts SET debits_posted = debits_posted + $2 WHERE id = $1`, [debit_account_id, amount]);
        await tx.query(`UPDATE ledger_accounts SET credits_posted = credits_posted + $2 WHERE id = $1`, [credit_account_id, amount]);
        return 'ok';
      });
    },
  };
}
