import type { JWK } from 'jose';
import type { Queryable } from '../storage/database.ts';

/**
 * A FAPI 2.0 link's credential as the wallet holds it: the DPoP-bound access token, the refresh token and the
 * DPoP private key they are bound to. Secret: only ever sent to the bank, never logged, never shown.
 */
export interface WalletBankGrant {
  link_id: string;
  access_token: string;
  access_token_expires_at: Date;
  refresh_token: string | null;
  dpop_private_jwk: JWK;
  dpop_public_jwk: JWK;
  updated_at: Date;
}

const GRANT_COLUMNS = 'link_id, access_token, access_token_expires_at, refresh_token, dpop_private_jwk, dpop_public_jwk, updated_at';

/** The grant behind a link, or null (a 2020 link, or one already ended). */
export async function findBankGrant(db: Queryable, link_id: string): Promise<WalletBankGrant | null> {
  const [grant] = await db.query<WalletBankGrant>(`SELECT ${GRANT_COLUMNS} FROM wallet_bank_grants WHERE link_id = $1`, [link_id]);
  return grant ?? null;
}

/** Stores a link's first tokens and its DPoP key. */
export async function insertBankGrant(db: Queryable, grant: WalletBankGrant): Promise<void> {
  await db.query(
    `INSERT INTO wallet_bank_grants (${GRANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [grant.link_id, grant.access_token, grant.access_token_expires_at, grant.refresh_token,
      JSON.stringify(grant.dpop_private_jwk), JSON.stringify(grant.dpop_public_jwk), grant.updated_at],
  );
}

/** Replaces a link's tokens and DPoP key after the customer renewed the consent (a new grant at the bank). */
export async function replaceBankGrant(db: Queryable, grant: WalletBankGrant): Promise<void> {
  await db.query(
    `UPDATE wallet_bank_grants SET access_token = $2, access_token_expires_at = $3, refresh_token = $4, dpop_private_jwk = $5,
            dpop_public_jwk = $6, updated_at = $7
      WHERE link_id = $1`,
    [grant.link_id, grant.access_token, grant.access_token_expires_at, grant.refresh_token,
      JSON.stringify(grant.dpop_private_jwk), JSON.stringify(grant.dpop_public_jwk), grant.updated_at],
  );
}

/** Replaces the tokens after a refresh; a refresh token the bank did not rotate is kept. */
export async function updateBankGrantTokens(
  db: Queryable,
  link_id: string,
  tokens: { access_token: string; access_token_expires_at: Date; refresh_token: string | undefined; updated_at: Date },
): Promise<void> {
  await db.query(
    `UPDATE wallet_bank_grants SET access_token = $2, access_token_expires_at = $3, refresh_token = coalesce($4, refresh_token), updated_at = $5
      WHERE link_id = $1`,
    [link_id, tokens.access_token, tokens.access_token_expires_at, tokens.refresh_token ?? null, tokens.updated_at],
  );
}
