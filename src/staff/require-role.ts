import type { Queryable } from '../storage/database.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { roleAllows, type StaffRole } from './staff-role.ts';

/**
 * Reads the staff member's role inside the caller's transaction and refuses with staff_role_insufficient unless it
 * allows `required`. The console's gate checks the role too; services that move money or speak for the bank check
 * again, so a CLI or a future API cannot skip it.
 */
export async function requireStaffRole(tx: Queryable, staff_id: string, required: StaffRole): Promise<StaffRole> {
  const [row] = isUuid(staff_id) ? await tx.query<{ role: StaffRole }>(`SELECT role FROM staff_users WHERE id = $1`, [staff_id]) : [];
  if (!row || !roleAllows(row.role, required)) {
    throw new FurikaeError('staff_role_insufficient', `This needs the ${required} role${row ? `; the staff member is ${row.role}` : ''}`);
  }
  return row.role;
}
