/**
 * The hardened wallet's own signing key: it authenticates the wallet to the bank's authorization server
 * (private_key_jwt) and signs its users' KYC attestations. Made on first start and kept in the wallet's
 * database; the bank registers its public half (the demo seeds it), and never sees the private one.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { assert } from '../shared/assert.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

/** ES256: allowed by FAPI 2.0, and its keys and signatures are small. */
export const WALLET_SIGNING_ALG = 'ES256';

/** The wallet's signing key, ready to sign, with the public JWKS the bank registers. */
export interface WalletSigningKey {
  /** The key id: the JWK thumbprint (RFC 7638), so the same key always has the same id. */
  kid: string;
  alg: typeof WALLET_SIGNING_ALG;
  privateKey: CryptoKey;
  /** What the bank registers for this operator. */
  public_jwks: { keys: JWK[] };
}

/** The wallet's signing key: the one already stored, or a new one stored now. Safe to call from several processes at once. */
export async function loadWalletSigningKey(db: Database, clock: Clock): Promise<WalletSigningKey> {
  const existing = await activeKey(db);
  if (existing) return existing;
  const { privateKey, publicKey } = await generateKeyPair(WALLET_SIGNING_ALG, { extractable: true });
  const public_jwk: JWK = { ...(await exportJWK(publicKey)), alg: WALLET_SIGNING_ALG, use: 'sig' };
  const kid = await calculateJwkThumbprint(public_jwk);
  const private_jwk: JWK = { ...(await exportJWK(privateKey)), alg: WALLET_SIGNING_ALG, kid };
  await db.query(
    `INSERT INTO wallet_signing_keys (kid, alg, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [kid, WALLET_SIGNING_ALG, JSON.stringify(private_jwk), JSON.stringify({ ...public_jwk, kid }), clock.now()],
  );
  // Two first starts racing both insert, but only one active key can land; both then use it, so the bank needs to know only one.
  const stored = await activeKey(db);
  assert(stored, 'a signing key is stored');
  return stored;
}

async function activeKey(db: Database): Promise<WalletSigningKey | null> {
  const [row] = await db.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
    `SELECT kid, private_jwk, public_jwk FROM wallet_signing_keys WHERE active`,
  );
  if (!row) return null;
  const privateKey = (await importJWK(row.private_jwk, WALLET_SIGNING_ALG)) as CryptoKey;
  return { kid: row.kid, alg: WALLET_SIGNING_ALG, privateKey, public_jwks: { keys: [row.public_jwk] } };
}
