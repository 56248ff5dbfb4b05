import type { Queryable } from '../storage/database.ts';
import { OUTBOX_COLUMNS, type OutboxRow } from './notice.ts';

/** Largest page of notices one call returns. */
export const NOTICES_PAGE_MAX = 100;

/** A customer's notices, newest first, with their delivery status: what the bank told them, when, and whether it arrived. */
export async function listNotices(db: Queryable, customer_id: string, limit = NOTICES_PAGE_MAX): Promise<OutboxRow[]> {
  return db.query<OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM notification_outbox WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [customer_id, Math.min(limit, NOTICES_PAGE_MAX)],
  );
}
