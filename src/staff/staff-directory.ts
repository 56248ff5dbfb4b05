import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { assert } from '../shared/assert.ts';
import { DECOY_SECRET_HASH, hashSecret, verifySecret } from '../shared/secret-hash.ts';
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

/** Staff users: who they are, their role, and their console password. */
export function createStaffDirectory({ db, clock, ids }: { db: Database; clock: Clock; ids: Ids }) {
  return {
    /** Adds a staff member; the password is stored scrypt-hashed. */
    async create(input: { login_id: string; display_name: string; password: string; role: StaffRole }): Promise<StaffUser> {
      assert(isStaffRole(input.role), `unknown staff role ${String(input.role)}`);
      const [row] = await db.query<StaffUser>(
        `INSERT INTO staff_users (id, login_id, display_name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${STAFF_COLUMNS}`,
        [ids.next(), input.login_id, input.display_name, await hashSecret(input.password), input.role, clock.now()],
      );
      assert(row, 'staff inserted');
      return row;
    },

    /** The staff member with this login and password, or undefined; as slow for an unknown login as for a wrong password. */
    async authenticate(login_id: string, password: string): Promise<StaffUser | undefined> {
      const [row] = await db.query<StaffUser & { password_hash: string }>(
        `SELECT ${STAFF_COLUMNS}, password_hash FROM staff_users WHERE login_id = $1`, [login_id]);
      const ok = await verifySecret(password, row?.password_hash ?? DECOY_SECRET_HASH);
      if (!row || !ok) return undefined;
      const { password_hash: _, ...staff } = row;
      return staff;
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
