import { randomBytes } from 'node:crypto';
import type { Database } from '../storage/database.ts';

/** Bytes of a server key made here: 256 bits, the HMAC-SHA256 key size. */
export const APP_SECRET_BYTES = 32;

/**
 * A server key kept in the app's own `app_secrets` table: made on first start, then the same for every process and
 * restart (ON CONFLICT DO NOTHING, so two processes starting together agree). For keys that must be shared but need
 * no operator to configure them because holding the database gives nothing more (the form-token HMAC key).
 */
export async function loadAppSecret(db: Database, name: string, now: Date): Promise<string> {
  await db.query(`INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
    [name, randomBytes(APP_SECRET_BYTES).toString('base64url'), now]);
  const [row] = await db.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = $1`, [name]);
  if (!row) throw new Error(`app secret ${name} was not stored`);
  return row.value;
}
