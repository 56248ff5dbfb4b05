import type { Queryable } from '../storage/database.ts';

/** The wallet's copy of a bank link: the bank's id, its limits, and the token for charges. */
export interface WalletBankLink {
  id: string;
  user_id: string;
  /** A 2020 link's credential (secret: sent only to the bank, never logged or shown); null for a FAPI 2.0 link, whose tokens are in wallet_bank_grants. */
  link_token: string | null;
  status: 'active' | 'revoked';
  method: string;
  branch_code: string;
  account_number_masked: string;
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  created_at: Date;
  revoked_at: Date | null;
}

const LINK_COLUMNS = `id, user_id, link_token, status, method, branch_code, account_number_masked,
  charge_yen_max, charges_yen_per_month_max, created_at, revoked_at`;

/** The user's active bank link, or null. */
export async function findActiveBankLink(db: Queryable, user_id: string): Promise<WalletBankLink | null> {
  const [link] = await db.query<WalletBankLink>(`SELECT ${LINK_COLUMNS} FROM wallet_bank_links WHERE user_id = $1 AND status = 'active'`, [user_id]);
  return link ?? null;
}

/** A bank link by the bank's id, or null. */
export async function findBankLink(db: Queryable, id: string): Promise<WalletBankLink | null> {
  const [link] = await db.query<WalletBankLink>(`SELECT ${LINK_COLUMNS} FROM wallet_bank_links WHERE id = $1`, [id]);
  return link ?? null;
}

/** Records that a link no longer works (revoked by the user, or the bank said so), and forgets its tokens and DPoP key. */
export async function markBankLinkRevoked(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query(`UPDATE wallet_bank_links SET status = 'revoked', revoked_at = $2 WHERE id = $1 AND status = 'active'`, [id, at]);
  await db.query(`DELETE FROM wallet_bank_grants WHERE link_id = $1`, [id]);
}
