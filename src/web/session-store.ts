import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { hashToken } from '../shared/secret-hash.ts';

export type SessionKind = 'customer' | 'staff';

/**
 * How long a session lasts without a request: 15 minutes, the idle limit banks hold internet banking to (FFIEC
 * and PCI DSS 8.2.8 both name 15 minutes). Each request moves it on; nothing moves the absolute limit.
 */
export const SESSION_IDLE_MS = 15 * 60 * 1000;
/** How long a customer's session lasts however busy: an hour, past any passbook visit or approval, then log in again. */
export const CUSTOMER_SESSION_ABSOLUTE_MS = 60 * 60 * 1000;
/** How long a staff session lasts however busy: one shift, then the password and authenticator code again. */
export const STAFF_SESSION_ABSOLUTE_MS = 8 * 60 * 60 * 1000;

/**
 * Each kind's cookie. Paths keep them apart (a customer cookie never reaches /staff); staff are SameSite=Strict,
 * customers Lax, since they arrive at /bank/approvals from a link in a text message.
 */
export const SESSION_KINDS = {
  customer: { cookie: 'furikae_customer', path: '/bank', same_site: 'lax', absolute_ms: CUSTOMER_SESSION_ABSOLUTE_MS },
  staff: { cookie: 'furikae_staff', path: '/staff', same_site: 'strict', absolute_ms: STAFF_SESSION_ABSOLUTE_MS },
} as const satisfies Record<SessionKind, { cookie: string; path: string; same_site: 'lax' | 'strict'; absolute_ms: number }>;

export interface Session {
  kind: SessionKind;
  subject_id: string;
}

/**
 * Server-side sessions: the cookie holds a random id, the table holds only its hash. A session ends after
 * SESSION_IDLE_MS without a request, at its kind's absolute limit, or at logout, whichever comes first.
 */
export function createSessionStore({ db, clock, secure_cookies = false }: { db: Database; clock: Clock; secure_cookies?: boolean }) {
  const later = (ms: number) => new Date(clock.now().getTime() + ms);

  const store = {
    /** Starts a session and returns the cookie value (tests put sessions in this way; pages use `begin`). */
    async start(kind: SessionKind, subject_id: string): Promise<string> {
      const id = randomBytes(32).toString('base64url');
      // Sweep ended sessions as new ones start, so the table stays as small as the set of live sessions.
      await db.query(`DELETE FROM web_sessions WHERE expires_at <= $1 OR idle_expires_at <= $1`, [clock.now()]);
      await db.query(
        `INSERT INTO web_sessions (id_hash, kind, subject_id, expires_at, idle_expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [hashToken(id), kind, subject_id, later(SESSION_KINDS[kind].absolute_ms), later(SESSION_IDLE_MS)],
      );
      return id;
    },

    /** Starts a session after a login and sets its cookie, ending whatever session the browser had (no fixation). */
    async begin(request: FastifyRequest, reply: FastifyReply, kind: SessionKind, subject_id: string): Promise<void> {
      const { cookie, path, same_site } = SESSION_KINDS[kind];
      await store.end(request, kind);
      reply.setCookie(cookie, await store.start(kind, subject_id), { path, httpOnly: true, sameSite: same_site, secure: secure_cookies });
    },

    /**
     * The live session of this kind behind the request's cookie, or undefined. Reading it is activity and moves
     * its idle limit on, unless `touch` is false (a page reloading itself is not someone at the desk).
     */
    async read(request: FastifyRequest, kind: SessionKind, { touch = true }: { touch?: boolean } = {}): Promise<Session | undefined> {
      const cookie = request.cookies[SESSION_KINDS[kind].cookie];
      if (!cookie) return undefined;
      const now = clock.now();
      const [row] = touch
        ? await db.query<Session>(
          `UPDATE web_sessions SET idle_expires_at = least(expires_at, $4)
            WHERE id_hash = $1 AND kind = $2 AND expires_at > $3 AND idle_expires_at > $3 RETURNING kind, subject_id`,
          [hashToken(cookie), kind, now, later(SESSION_IDLE_MS)])
        : await db.query<Session>(
          `SELECT kind, subject_id FROM web_sessions WHERE id_hash = $1 AND kind = $2 AND expires_at > $3 AND idle_expires_at > $3`,
          [hashToken(cookie), kind, now]);
      return row;
    },

    /** Ends the request's session of this kind, if any (the cookie is cleared by `logout`). */
    async end(request: FastifyRequest, kind: SessionKind): Promise<void> {
      const cookie = request.cookies[SESSION_KINDS[kind].cookie];
      if (cookie) await db.query(`DELETE FROM web_sessions WHERE id_hash = $1`, [hashToken(cookie)]);
    },

    /** Ends the session and clears its cookie. */
    async logout(request: FastifyRequest, reply: FastifyReply, kind: SessionKind): Promise<void> {
      await store.end(request, kind);
      reply.clearCookie(SESSION_KINDS[kind].cookie, { path: SESSION_KINDS[kind].path });
    },
  };
  return store;
}

export type SessionStore = ReturnType<typeof createSessionStore>;
