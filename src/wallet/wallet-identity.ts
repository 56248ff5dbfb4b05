import type { KycLevel } from '../operators/operator.ts';
import type { Queryable } from '../storage/database.ts';

/** A passed eKYC check: what the vendor verified, and how and when. */
export interface EkycRecord {
  id: string;
  vendor: string;
  level: KycLevel;
  method: string;
  name_kana: string;
  /** YYYY-MM-DD. */
  birth_date: string;
  /** E.164, the phone verified at sign-up. */
  phone: string;
  checked_at: Date;
}

/** What the hardened wallet knows about who a user is: empty for every 2020-mode user. */
export interface WalletIdentity {
  /** E.164 as typed at sign-up; not proven until phone_verified_at. */
  phone: string | null;
  phone_verified_at: Date | null;
  /** The newest passed eKYC check, or null. */
  ekyc: EkycRecord | null;
}

/** The user's phone and eKYC status. */
export async function findWalletIdentity(db: Queryable, user_id: string): Promise<WalletIdentity> {
  const [user] = await db.query<{ phone: string | null; phone_verified_at: Date | null }>(
    `SELECT phone, phone_verified_at FROM wallet_users WHERE id = $1`,
    [user_id],
  );
  const [ekyc] = await db.query<EkycRecord>(
    `SELECT id, vendor, level, method, name_kana, birth_date, phone, checked_at FROM wallet_ekyc_checks
      WHERE user_id = $1 AND outcome = 'verified' ORDER BY checked_at DESC, id DESC LIMIT 1`,
    [user_id],
  );
  return { phone: user?.phone ?? null, phone_verified_at: user?.phone_verified_at ?? null, ekyc: ekyc ?? null };
}
