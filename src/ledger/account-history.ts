/**
 * An account's posted lines, as a passbook prints them: single-phase transfers and posts of pending
 * transfers (reservations and voids never show), with the balance after each line.
 */
import { assert } from '../shared/assert.ts';
import type { Queryable } from '../storage/database.ts';
import { isUuid } from './is-uuid.ts';
import { TRANSFER_COLUMNS, transferFromRow, type TransferRow } from './ledger-rows.ts';
import type { AccountHistoryEntry } from './ledger-types.ts';

/** Lines returned when the caller gives no limit: one passbook page and a bit. */
export const HISTORY_LINES_DEFAULT = 100;
/** Most lines one call returns, so a busy settlement account cannot be read whole into memory. */
export const HISTORY_LINES_MAX = 1000;

/**
 * The latest `limit` posted lines of an account, oldest first. The running balance is worked back from the
 * stored balance in the same statement (one snapshot), so it costs the lines read, not the whole history.
 */
export async function accountHistory(db: Queryable, account_id: string, options: { limit?: number } = {}): Promise<AccountHistoryEntry[]> {
  const limit = options.limit ?? HISTORY_LINES_DEFAULT;
  assert(isUuid(account_id), 'account_id must be a lower-case UUID');
  assert(Number.isSafeInteger(limit) && limit >= 1 && limit <= HISTORY_LINES_MAX, `limit must be 1 to ${HISTORY_LINES_MAX}`);
  // The `flags & 5 = 0` predicates repeat the partial indexes' so the planner can use them.
  const rows = await db.query<TransferRow & { direction: 'debit' | 'credit'; balance_yen: number }>(
    `WITH account AS (
       SELECT credits_posted - debits_posted AS balance_yen FROM ledger_accounts WHERE id = $1
     ), lines AS (
       SELECT * FROM (
         (SELECT ${TRANSFER_COLUMNS}, seq, 'debit' AS direction, -amount_yen AS signed_yen FROM ledger_transfers
           WHERE debit_account_id = $1 AND flags & 5 = 0 ORDER BY seq DESC LIMIT $2)
         UNION ALL
         (SELECT ${TRANSFER_COLUMNS}, seq, 'credit' AS direction, amount_yen AS signed_yen FROM ledger_transfers
           WHERE credit_account_id = $1 AND flags & 5 = 0 ORDER BY seq DESC LIMIT $2)
       ) both_sides ORDER BY seq DESC LIMIT $2
     )
     SELECT lines.*,
            (account.balance_yen - coalesce(sum(signed_yen) OVER (ORDER BY seq DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::int8
              AS balance_yen
       FROM lines, account
      ORDER BY seq`,
    [account_id, limit],
  );
  return rows.map((row) => ({
    transfer: transferFromRow(row),
    direction: row.direction,
    amount_yen: row.amount_yen,
    balance_yen: row.balance_yen,
  }));
}
