import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Database } from '../storage/database.ts';

/** The authorization server's private signing keys (JWKS) and cookie-signing secrets. */
export interface AuthorizationSecrets {
  jwks: { keys: JWK[] };
  cookie_keys: string[];
}

async function createSecrets(): Promise<AuthorizationSecrets> {
  // PS256 and ES256 are the FAPI 2.0 signing algorithms; one key of each lets clients use either.
  const keys: JWK[] = [];
  for (const alg of ['PS256', 'ES256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    keys.push({ ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}` });
  }
  return { jwks: { keys }, cookie_keys: [randomBytes(32).toString('base64url')] };
}

/**
 * Loads the secrets, creating them on first start. The insert is ON CONFLICT DO NOTHING, so two processes
 * starting together end up with the same secrets.
 */
export async function loadAuthorizationSecrets(db: Database): Promise<AuthorizationSecrets> {
  const [existing] = await db.query<{ value: AuthorizationSecrets }>(`SELECT value FROM authorization_secrets WHERE name = 'provider'`);
  if (existing) return existing.value;
  await db.query(`INSERT INTO authorization_secrets (name, value) VALUES ('provider', $1) ON CONFLICT (name) DO NOTHING`, [
    JSON.stringify(await createSecrets()),
  ]);
  const [stored] = await db.query<{ value: AuthorizationSecrets }>(`SELECT value FROM authorization_secrets WHERE name = 'provider'`);
  if (!stored) throw new Error('authorization secrets were not stored');
  return stored.value;
}
