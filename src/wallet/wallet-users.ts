import type { Queryable } from '../storage/database.ts';

/** A wallet user as the wallet knows them: nothing here has been verified (the 2020 weakness). */
export interface WalletUser {
  id: string;
  name: string;
  email: string;
  /** The user's e-money account in the wallet ledger. */
  account_id: string;
  created_at: Date;
}

const USER_COLUMNS = 'id, name, email, account_id, created_at';

/** The user with this id, or null. */
export async function findWalletUserById(db: Queryable, id: string): Promise<WalletUser | null> {
  const [user] = await db.query<WalletUser>(`SELECT ${USER_COLUMNS} FROM wallet_users WHERE id = $1`, [id]);
  return user ?? null;
}

/** The user with this (already lower-cased) e-mail, or null. */
export async function findWalletUserByEmail(db: Queryable, email: string): Promise<WalletUser | null> {
  const [user] = await db.query<WalletUser>(`SELECT ${USER_COLUMNS} FROM wallet_users WHERE email = $1`, [email]);
  return user ?? null;
}
