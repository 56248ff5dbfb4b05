import type { Database } from '../storage/database.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import { japanDate } from '../shared/japan-time.ts';

/** One passbook line: 年月日, 摘要 (label), お支払金額 (withdrawal), お預り金額 (deposit), 差引残高 (balance). */
export interface PassbookLine {
  transfer_id: string;
  /** Calendar date in Japan time, YYYY-MM-DD. */
  date: string;
  label: string;
  withdrawal_yen: number | null;
  deposit_yen: number | null;
  balance_yen: number;
}

/** How many lines a passbook page shows: one booklet page holds about 24; the screen shows a few booklets. */
export const PASSBOOK_LINES_MAX = 200;

/** Reads an account's passbook from the ledger, labelled with what the bank recorded when the money moved. */
export async function readPassbook(db: Database, ledger: Ledger, account_id: string): Promise<PassbookLine[]> {
  const history = await ledger.accountHistory(account_id, { limit: PASSBOOK_LINES_MAX });
  const ids = history.map((entry) => entry.transfer.pending_id ?? entry.transfer.id);
  const labels = new Map(
    (await db.query<{ transfer_id: string; label: string }>(
      `SELECT transfer_id, label FROM passbook_labels WHERE transfer_id = ANY($1::uuid[])`, [ids],
    )).map((row) => [row.transfer_id, row.label]),
  );
  return history.map((entry) => ({
    transfer_id: entry.transfer.id,
    date: japanDate(entry.transfer.created_at),
    label: labels.get(entry.transfer.pending_id ?? entry.transfer.id) ?? '',
    withdrawal_yen: entry.direction === 'debit' ? entry.amount_yen : null,
    deposit_yen: entry.direction === 'credit' ? entry.amount_yen : null,
    balance_yen: entry.balance_yen,
  }));
}
