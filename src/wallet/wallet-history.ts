import type { Queryable } from '../storage/database.ts';

/** How many lines the home page shows: a screenful; older lines are in the bank's passbook and the ledger. */
export const HISTORY_ENTRIES_MAX = 50;

/** One line of a user's history, newest first. */
export interface WalletHistoryEntry {
  kind: 'top_up' | 'payment' | 'send_out' | 'send_in';
  id: string;
  /** Positive for money in, negative for money out; a failed or pending top-up moved nothing yet. */
  amount_yen: number;
  /** Merchant or other user's name; null for top-ups. */
  counterparty: string | null;
  /** Top-ups only: pending, succeeded or failed. */
  status: string | null;
  created_at: Date;
}

/** The user's top-ups, payments and sends, newest first. */
export function listWalletHistory(db: Queryable, user_id: string, limit = HISTORY_ENTRIES_MAX): Promise<WalletHistoryEntry[]> {
  return db.query<WalletHistoryEntry>(
    `SELECT * FROM (
       SELECT 'top_up' AS kind, t.id::text AS id, t.amount_yen AS amount_yen, NULL::text AS counterparty, t.status AS status, t.created_at
         FROM wallet_top_ups t WHERE t.user_id = $1
       UNION ALL
       SELECT 'payment', p.id::text, -p.amount_yen, m.name, NULL, p.created_at
         FROM wallet_payments p JOIN wallet_merchants m ON m.id = p.merchant_id WHERE p.user_id = $1
       UNION ALL
       SELECT 'send_out', s.id::text, -s.amount_yen, u.name, NULL, s.created_at
         FROM wallet_sends s JOIN wallet_users u ON u.id = s.target_user_id WHERE s.source_user_id = $1
       UNION ALL
       SELECT 'send_in', s.id::text, s.amount_yen, u.name, NULL, s.created_at
         FROM wallet_sends s JOIN wallet_users u ON u.id = s.source_user_id WHERE s.target_user_id = $1
     ) AS history
     ORDER BY created_at DESC, id DESC
     LIMIT $2`,
    [user_id, limit],
  );
}
