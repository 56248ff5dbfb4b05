import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { assert } from '../shared/assert.ts';
import { DECOY_SECRET_HASH, hashSecret, verifySecret } from '../shared/secret-hash.ts';
import { matchTotpCode, newTotpSecret, totpUri } from '../mfa/totp-code.ts';
import { isStaffRole, type StaffRole } from './staff-role.ts';

/** A bank staff member who uses the console. */
export interface StaffUser {
  id: string;
  login_id: string;
  display_name: string;
  role: StaffRole;
  created_at: Date;
}

const STAFF_COLUMNS = 'id, login_id, display_name, role, created_at';
/** Staff listed at most (the console's assignee names): a bank's monitoring team, not its whole payroll. */
export const STAFF_LISTED_MAX = 500;

/**
 * The staff row that failed logins with an unknown login id are audited under (it can never log in: no password
 * hash verifies against it and it has no authenticator). Made by the staff migrations.
 */
export const UNKNOWN_LOGIN_STAFF_ID = '00000000-0000-0000-0000-000000000000';

/** A console login's login id: letters, digits and . _ - only, so it reads unambiguously in logs and the audit log. */
export const STAFF_LOGIN_ID = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** What a console login attempt came to. Only `ok` logs in; the rest tell the audit log why not, never the person. */
export type StaffLoginCheck =
  | { outcome: 'ok'; staff: StaffUser }
  | { outcome: 'unknown_login' }
  | { outcome: 'wrong_password' | 'no_second_factor' | 'wrong_code'; staff_id: string };

/** A new authenticator secret for a staff member, shown once to be added to their app. */
export interface StaffTotpEnrolment {
  secret: string;
  otpauth_uri: string;
}

/** Staff users: who they are, their role, their console password and their authenticator app. */
export function createStaffDirectory({ db, clock, ids }: { db: Database; clock: Clock; ids: Ids }) {
  return {
    /** Adds a staff member; the password is stored scrypt-hashed. */
    async create(input: { login_id: string; display_name: string; password: string; role: StaffRole }): Promise<StaffUser> {
      assert(isStaffRole(input.role), `unknown staff role ${String(input.role)}`);
      assert(STAFF_LOGIN_ID.test(input.login_id), `a staff login id matches ${STAFF_LOGIN_ID}`);
      const [row] = await db.query<StaffUser>(
        `INSERT INTO staff_users (id, login_id, display_name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${STAFF_COLUMNS}`,
        [ids.next(), input.login_id, input.display_name, await hashSecret(input.password), input.role, clock.now()],
      );
      assert(row, 'staff inserted');
      return row;
    },

    /**
     * Checks a console login: the password, then (only when it is right) the authenticator code, which is accepted
     * once: its time step is recorded in the same statement that accepts it, so a code seen over a shoulder or
     * replayed by a second process fails. As slow for an unknown login as for a wrong password.
     */
    async checkLogin(login_id: string, password: string, totp_code: string): Promise<StaffLoginCheck> {
      const [row] = await db.query<StaffUser & { password_hash: string; totp_secret: string | null; totp_time_step_last: number | null }>(
        `SELECT ${STAFF_COLUMNS}, password_hash, totp_secret, totp_time_step_last FROM staff_users WHERE login_id = $1`, [login_id]);
      const password_ok = await verifySecret(password, row?.password_hash ?? DECOY_SECRET_HASH);
      if (!row) return { outcome: 'unknown_login' };
      if (!password_ok) return { outcome: 'wrong_password', staff_id: row.id };
      if (row.totp_secret === null) return { outcome: 'no_second_factor', staff_id: row.id };
      const time_step = await matchTotpCode(row.totp_secret, totp_code.trim(), clock.now(), row.totp_time_step_last === null ? null : Number(row.totp_time_step_last));
      const accepted = time_step === undefined ? [] : await db.query(
        `UPDATE staff_users SET totp_time_step_last = $2
          WHERE id = $1 AND totp_secret = $3 AND (totp_time_step_last IS NULL OR totp_time_step_last < $2) RETURNING 1`,
        [row.id, time_step, row.totp_secret]);
      if (accepted.length === 0) return { outcome: 'wrong_code', staff_id: row.id };
      const { password_hash: _hash, totp_secret: _secret, totp_time_step_last: _step, ...staff } = row;
      return { outcome: 'ok', staff };
    },

    /**
     * Gives a staff member a new authenticator secret, replacing any they had (a lost phone): out of band only, from
     * `furikae staff add|enrol` (or the demo seed, which passes its published secret). Never a console action, so a
     * stolen password cannot enrol the thief's app. Returns the secret and otpauth URI to show once.
     */
    async enrolTotp(id: string, options: { secret?: string } = {}): Promise<StaffTotpEnrolment | undefined> {
      const secret = options.secret ?? newTotpSecret();
      const [row] = await db.query<{ login_id: string }>(
        `UPDATE staff_users SET totp_secret = $2, totp_time_step_last = NULL, totp_enrolled_at = $3 WHERE id = $1 AND id <> $4 RETURNING login_id`,
        [id, secret, clock.now(), UNKNOWN_LOGIN_STAFF_ID]);
      return row ? { secret, otpauth_uri: totpUri(secret, `${row.login_id}@console`) } : undefined;
    },

    /** The staff member with this login id, or undefined (for `furikae staff`). */
    async findByLogin(login_id: string): Promise<(StaffUser & { totp_enrolled_at: Date | null }) | undefined> {
      const [row] = await db.query<StaffUser & { totp_enrolled_at: Date | null }>(
        `SELECT ${STAFF_COLUMNS}, totp_enrolled_at FROM staff_users WHERE login_id = $1`, [login_id]);
      return row;
    },

    /** The logins whose authenticator secret is one of `secrets` (the demo's, before `furikae serve` starts). */
    async loginsWithTotpSecret(secrets: readonly string[]): Promise<string[]> {
      const rows = await db.query<{ login_id: string }>(`SELECT login_id FROM staff_users WHERE totp_secret = ANY($1) ORDER BY login_id`, [secrets]);
      return rows.map((row) => row.login_id);
    },

    /**
     * The logins whose password is one of `passwords` (the demo's, before `furikae serve` starts). Each stored hash is
     * salted, so every member is tried against every password: a few scrypt checks per member, once at start-up.
     */
    async loginsWithPassword(passwords: readonly string[]): Promise<string[]> {
      const rows = await db.query<{ login_id: string; password_hash: string }>(`SELECT login_id, password_hash FROM staff_users ORDER BY login_id`);
      const matches = await Promise.all(rows.map(async (row) =>
        (await Promise.all(passwords.map((password) => verifySecret(password, row.password_hash)))).some(Boolean)));
      return rows.filter((_row, index) => matches[index]).map((row) => row.login_id);
    },

    async get(id: string): Promise<StaffUser | undefined> {
      const [row] = await db.query<StaffUser>(`SELECT ${STAFF_COLUMNS} FROM staff_users WHERE id = $1`, [id]);
      return row;
    },

    async list(): Promise<StaffUser[]> {
      return db.query<StaffUser>(`SELECT ${STAFF_COLUMNS} FROM staff_users ORDER BY login_id LIMIT $1`, [STAFF_LISTED_MAX]);
    },

    /** Changes a staff member's role (the demo seed and administrators' scripts; not a console action). */
    async setRole(id: string, role: StaffRole): Promise<boolean> {
      assert(isStaffRole(role), `unknown staff role ${String(role)}`);
      const rows = await db.query(`UPDATE staff_users SET role = $2 WHERE id = $1 RETURNING id`, [id, role]);
      return rows.length > 0;
    },
  };
}

export type StaffDirectory = ReturnType<typeof createStaffDirectory>;
