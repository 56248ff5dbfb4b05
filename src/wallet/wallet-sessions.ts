/**
 * Server-side sessions. The browser holds only a random id (HttpOnly, SameSite=Lax cookie); the table holds its
 * sha256 and the user. Forms carry tokens bound to this cookie (src/http/form-csrf.ts), not kept here.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

/** A logged-in session lasts a working day, then the user logs in again. */
export const SESSION_SECONDS_MAX = 12 * 60 * 60;
/** 256 bits: not guessable. */
const SECRET_BYTES = 32;

export interface WalletSession {
  user_id: string;
  expires_at: Date;
}

export interface WalletSessions {
  /** Starts a session; returns the cookie value (shown to nobody else, stored only as a hash). */
  open(user_id: string): Promise<{ cookie_value: string; session: WalletSession }>;
  /** The live session for a cookie value, or null if unknown or expired. */
  find(cookie_value: string | undefined): Promise<WalletSession | null>;
  /** Ends the session (logout, or rotation at login). */
  close(cookie_value: string | undefined): Promise<void>;
}

function hashId(cookie_value: string): string {
  return createHash('sha256').update(cookie_value).digest('hex');
}

/** Sessions stored in the wallet's database, timed by the injected clock. */
export function createWalletSessions({ db, clock }: { db: Database; clock: Clock }): WalletSessions {
  return {
    async open(user_id) {
      const now = clock.now();
      const expires_at = new Date(now.getTime() + SESSION_SECONDS_MAX * 1000);
      const cookie_value = randomBytes(SECRET_BYTES).toString('base64url');
      // Sweep expired rows as new ones arrive, so the table stays as small as the set of live sessions.
      await db.query(`DELETE FROM wallet_sessions WHERE expires_at <= $1`, [now]);
      await db.query(
        `INSERT INTO wallet_sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
        [hashId(cookie_value), user_id, now, expires_at],
      );
      return { cookie_value, session: { user_id, expires_at } };
    },

    async find(cookie_value) {
      if (!cookie_value || cookie_value.length > 2 * SECRET_BYTES) return null;
      const [row] = await db.query<WalletSession>(
        `SELECT user_id, expires_at FROM wallet_sessions WHERE id_hash = $1 AND expires_at > $2`,
        [hashId(cookie_value), clock.now()],
      );
      return row ?? null;
    },

    async close(cookie_value) {
      if (!cookie_value) return;
      await db.query(`DELETE FROM wallet_sessions WHERE id_hash = $1`, [hashId(cookie_value)]);
    },
  };
}
