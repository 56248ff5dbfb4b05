import { randomUUID } from 'node:crypto';
import type { Queryable } from '../storage/database.ts';

/**
 * Writes a link row directly, with its consent's end, for tests about what the bank does around that end (reminders,
 * renewal refusals, the pages that show it) without walking a consent each time. Returns its id.
 */
export async function insertConsentedLinkRow(db: Queryable, { operator_id, account_id, created_at, consent_expires_at, method = 'fapi2', status = 'active', id = randomUUID() }: {
  operator_id: string; account_id: string; created_at: Date; consent_expires_at: Date | null; method?: string; status?: string; id?: string;
}): Promise<string> {
  await db.query(
    `INSERT INTO links (id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at, consent_expires_at)
     VALUES ($1, $2, $3, $4, $5, 100000, 300000, $6, $7)`,
    [id, operator_id, account_id, method, status, created_at, consent_expires_at],
  );
  return id;
}
