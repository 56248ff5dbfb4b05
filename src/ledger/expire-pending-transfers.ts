/**
 * Releases reservations whose timeout has passed, as TigerBeetle's expiry pulse does: the state row
 * becomes `expired` and both accounts give back the pending amount. No transfer is written; the state
 * row is the record. Runs in chunks, each its own transaction, taking locks in the ledger's order.
 */
import { assert } from '../shared/assert.ts';
import type { Database } from '../storage/database.ts';

/** Reservations expired per transaction, so a backlog after downtime never becomes one giant lock-holding transaction. */
export const EXPIRE_TRANSFERS_PER_BATCH_MAX = 8190;

interface ExpiringRow {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount_yen: number;
}

interface Balances {
  id: string;
  debits_pending: number;
  credits_pending: number;
}

async function expireChunk(db: Database, now: Date, chunk_max: number): Promise<number> {
  return db.transaction(async (tx) => {
    // Lock order as in applyTransfers: state rows by id, then accounts by id. A row a concurrent post settled
    // meanwhile is re-checked after the wait and drops out.
    const expiring = await tx.query<ExpiringRow>(
      `SELECT p.id, t.debit_account_id, t.credit_account_id, t.amount_yen
         FROM ledger_pending_transfers p JOIN ledger_transfers t ON t.id = p.id
        WHERE p.state = 'pending' AND p.expires_at IS NOT NULL AND p.expires_at <= $1
        ORDER BY p.id LIMIT $2 FOR UPDATE OF p`,
      [now, chunk_max],
    );
    if (expiring.length === 0) return 0;
    const account_ids = [...new Set(expiring.flatMap((row) => [row.debit_account_id, row.credit_account_id]))];
    const rows = await tx.query<Balances>(
      `SELECT id, debits_pending, credits_pending FROM ledger_accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [account_ids],
    );
    const accounts = new Map(rows.map((row) => [row.id, { ...row }]));
    let debits_released_yen = 0;
    let credits_released_yen = 0;
    for (const row of expiring) {
      const debit = accounts.get(row.debit_account_id);
      const credit = accounts.get(row.credit_account_id);
      assert(debit && credit, `the accounts of pending transfer ${row.id} exist`);
      debit.debits_pending -= row.amount_yen;
      credit.credits_pending -= row.amount_yen;
      debits_released_yen += row.amount_yen;
      credits_released_yen += row.amount_yen;
    }
    for (const account of accounts.values()) {
      assert(account.debits_pending >= 0 && account.credits_pending >= 0, `account ${account.id} released more than it reserved`);
    }
    assert(debits_released_yen === credits_released_yen, 'expiry releases equal debits and credits');
    const changed = [...accounts.values()];
    const [written] = await tx.query<{ accounts_updated: number; states_updated: number }>(
      `WITH accounts AS (
         UPDATE ledger_accounts a SET debits_pending = u.debits_pending, credits_pending = u.credits_pending
           FROM unnest($1::uuid[], $2::int8[], $3::int8[]) AS u (id, debits_pending, credits_pending)
          WHERE a.id = u.id
         RETURNING 1
       ), states AS (
         UPDATE ledger_pending_transfers SET state = 'expired' WHERE id = ANY($4::uuid[]) RETURNING 1
       )
       SELECT (SELECT count(*) FROM accounts)::int AS accounts_updated, (SELECT count(*) FROM states)::int AS states_updated`,
      [changed.map((a) => a.id), changed.map((a) => a.debits_pending), changed.map((a) => a.credits_pending), expiring.map((row) => row.id)],
    );
    assert(written?.accounts_updated === changed.length, 'every account with an expired reservation is updated');
    assert(written?.states_updated === expiring.length, 'every expired reservation is marked');
    return expiring.length;
  });
}

/** Expires every pending transfer whose timeout has passed at `now`, `chunk_max` per transaction; returns how many. */
export async function expirePendingTransfers(db: Database, now: Date, chunk_max = EXPIRE_TRANSFERS_PER_BATCH_MAX): Promise<number> {
  assert(Number.isSafeInteger(chunk_max) && chunk_max >= 1, 'chunk_max is a positive integer');
  let expired_count = 0;
  for (;;) {
    const chunk_count = await expireChunk(db, now, chunk_max);
    expired_count += chunk_count;
    if (chunk_count < chunk_max) return expired_count;
  }
}
