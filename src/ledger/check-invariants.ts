/**
 * The ledger's audit: recomputes every balance from the transfers and the pending states, and checks
 * that money is neither made nor lost. Read-only, in one repeatable-read snapshot so a running writer
 * cannot make a consistent ledger look broken.
 */
import type { Database } from '../storage/database.ts';
import type { InvariantReport } from './ledger-types.ts';

/** Most account ids listed per finding: enough to start an investigation without flooding a report. */
export const INVARIANT_ACCOUNTS_LISTED_MAX = 100;

/** Recomputes balances from transfers and checks the sums. */
export async function checkInvariants(db: Database): Promise<InvariantReport> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const [sums] = await tx.query<{ posted_sum_yen: number; pending_sum_yen: number }>(
      `SELECT coalesce(sum(credits_posted - debits_posted), 0)::int8 AS posted_sum_yen,
              coalesce(sum(credits_pending - debits_pending), 0)::int8 AS pending_sum_yen
         FROM ledger_accounts`,
    );
    // Posted: single-phase transfers and posts (flags & 5 = 0). Pending: pending transfers still in state `pending`.
    const out_of_step = await tx.query<{ id: string }>(
      `WITH movements AS (
         SELECT debit_account_id AS id, 0::int8 AS dp, amount_yen AS dpo, 0::int8 AS cp, 0::int8 AS cpo
           FROM ledger_transfers WHERE flags & 5 = 0
         UNION ALL
         SELECT credit_account_id, 0, 0, 0, amount_yen FROM ledger_transfers WHERE flags & 5 = 0
         UNION ALL
         SELECT t.debit_account_id, t.amount_yen, 0, 0, 0
           FROM ledger_transfers t JOIN ledger_pending_transfers p ON p.id = t.id WHERE p.state = 'pending'
         UNION ALL
         SELECT t.credit_account_id, 0, 0, t.amount_yen, 0
           FROM ledger_transfers t JOIN ledger_pending_transfers p ON p.id = t.id WHERE p.state = 'pending'
       ), recomputed AS (
         SELECT id, sum(dp) AS dp, sum(dpo) AS dpo, sum(cp) AS cp, sum(cpo) AS cpo FROM movements GROUP BY id
       )
       SELECT coalesce(a.id, r.id) AS id
         FROM ledger_accounts a FULL JOIN recomputed r ON r.id = a.id
        WHERE a.id IS NULL
           OR a.debits_pending <> coalesce(r.dp, 0) OR a.debits_posted <> coalesce(r.dpo, 0)
           OR a.credits_pending <> coalesce(r.cp, 0) OR a.credits_posted <> coalesce(r.cpo, 0)
        ORDER BY 1 LIMIT $1`,
      [INVARIANT_ACCOUNTS_LISTED_MAX],
    );
    const overdrawn = await tx.query<{ id: string }>(
      `SELECT id FROM ledger_accounts
        WHERE (flags & 1 <> 0 AND debits_pending + debits_posted > credits_posted)
           OR (flags & 2 <> 0 AND credits_pending + credits_posted > debits_posted)
        ORDER BY id LIMIT $1`,
      [INVARIANT_ACCOUNTS_LISTED_MAX],
    );
    const posted_sum_yen = sums?.posted_sum_yen ?? 0;
    const pending_sum_yen = sums?.pending_sum_yen ?? 0;
    const accounts_out_of_step = out_of_step.map((row) => row.id);
    const accounts_overdrawn = overdrawn.map((row) => row.id);
    return {
      posted_sum_yen,
      pending_sum_yen,
      accounts_out_of_step,
      accounts_overdrawn,
      ok: posted_sum_yen === 0 && pending_sum_yen === 0 && accounts_out_of_step.length === 0 && accounts_overdrawn.length === 0,
    };
  });
}
