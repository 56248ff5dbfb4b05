import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { hashToken } from '../shared/secret-hash.ts';

/** How long a bank page session lives without a new login: banks log idle users out quickly. */
export const SESSION_TTL_MS = 15 * 60 * 1000;

export type SessionKind = 'customer' | 'staff';

export interface Session {
  kind: SessionKind;
  subject_id: string;
  csrf_token: string;
}

/** Server-side sessions: the cookie holds a random id, the table holds only its hash. */
export function createSessionStore({ db, clock }: { db: Database; clock: Clock }) {
  return {
    /** Starts a session and returns the cookie value. */
    async start(kind: SessionKind, subject_id: string): Promise<string> {
      const id = randomBytes(32).toString('base64url');
      await db.query(
        `INSERT INTO web_sessions (id_hash, kind, subject_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [hashToken(id), kind, subject_id, randomBytes(24).toString('base64url'), new Date(clock.now().getTime() + SESSION_TTL_MS)],
      );
      return id;
    },

    /** The live session of this kind for a cookie value, or undefined. */
    async read(kind: SessionKind, cookie: string | undefined): Promise<Session | undefined> {
      if (!cookie) return undefined;
      const [row] = await db.query<Session>(
        `SELECT kind, subject_id, csrf_token FROM web_sessions WHERE id_hash = $1 AND kind = $2 AND expires_at > $3`,
        [hashToken(cookie), kind, clock.now()],
      );
      return row;
    },

    async end(cookie: string | undefined): Promise<void> {
      if (cookie) await db.query(`DELETE FROM web_sessions WHERE id_hash = $1`, [hashToken(cookie)]);
    },
  };
}

/** Compares a form's CSRF token with the session's in constant time. */
export function csrfMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf_token);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type SessionStore = ReturnType<typeof createSessionStore>;
