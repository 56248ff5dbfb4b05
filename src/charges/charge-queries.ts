import type { Database } from '../storage/database.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { CHARGE_COLUMNS, type Charge } from './charge.ts';

/** Largest page of charges one list call returns: keeps a response small and a query's cost bounded. */
export const CHARGES_PAGE_MAX = 100;

/** An operator's charges, newest first, optionally for one link, paged by id (ids are time-ordered). */
export async function listCharges(
  db: Database,
  operator_id: string,
  options: { link_id?: string; limit: number; before?: string },
): Promise<Charge[]> {
  return db.query<Charge>(
    `SELECT ${CHARGE_COLUMNS} FROM charges
      WHERE operator_id = $1 AND ($2::uuid IS NULL OR link_id = $2) AND ($3::uuid IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4`,
    [operator_id, options.link_id ?? null, options.before ?? null, Math.min(options.limit, CHARGES_PAGE_MAX)],
  );
}

/** One of the operator's charges, or charge_not_found. */
export async function getCharge(db: Database, operator_id: string, charge_id: string): Promise<Charge> {
  const [charge] = await db.query<Charge>(`SELECT ${CHARGE_COLUMNS} FROM charges WHERE id = $1 AND operator_id = $2`, [charge_id, operator_id]);
  if (!charge) throw new FurikaeError('charge_not_found', `No charge ${charge_id}`);
  return charge;
}
