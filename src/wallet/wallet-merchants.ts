import type { Queryable } from '../storage/database.ts';

/** A shop that takes wallet payments (seeded by the migration for the demo). */
export interface WalletMerchant {
  id: string;
  name: string;
  account_id: string;
}

/** Every merchant, in a stable order for the pay form. */
export function listWalletMerchants(db: Queryable): Promise<WalletMerchant[]> {
  return db.query<WalletMerchant>(`SELECT id, name, account_id FROM wallet_merchants ORDER BY id`);
}

/** The merchant with this id, or null. */
export async function findWalletMerchant(db: Queryable, id: string): Promise<WalletMerchant | null> {
  const [merchant] = await db.query<WalletMerchant>(`SELECT id, name, account_id FROM wallet_merchants WHERE id = $1`, [id]);
  return merchant ?? null;
}
