import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { assert } from '../shared/assert.ts';
import { GENESIS_HASH, auditEntryHash, type AuditEntry } from './audit-entry.ts';

/** Longest reason a staff member may type: a sentence or two, as the kill-switch form asks for. */
export const AUDIT_REASON_CHARS_MAX = 1000;
/** Entries one listing returns: a screenful for the console. */
export const AUDIT_LISTED_MAX = 500;

/** What a caller says about one staff action; the log adds id, time, position and hashes. */
export interface AuditAction {
  staff_id: string;
  action: string;
  subject: string;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** The columns read back from audit_log, in chain order. */
export const AUDIT_COLUMNS = 'seq, id, at, staff_id, action, subject, reason, details, prev_hash, hash';

/**
 * The audit log of staff actions. Appends take a transaction-scoped advisory lock, so concurrent actions in
 * any number of processes still form one chain, and the entry commits or rolls back with the action itself.
 */
export function createAuditLog({ db, clock, ids }: { db: Database; clock: Clock; ids: Ids }) {
  async function append(tx: Queryable, input: AuditAction): Promise<AuditEntry> {
    assert(input.reason == null || input.reason.length <= AUDIT_REASON_CHARS_MAX, 'reason length checked by the caller');
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('furikae.audit_log'))`);
    const [head] = await tx.query<{ seq: number; hash: string }>(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
    // Stored as jsonb and read back parsed: hash what will come back (Dates become strings, undefined goes).
    const details = JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>;
    const unhashed = {
      seq: (head?.seq ?? 0) + 1, id: ids.next(), at: clock.now(), staff_id: input.staff_id, action: input.action,
      subject: input.subject, reason: input.reason ?? null, details, prev_hash: head?.hash ?? GENESIS_HASH,
    };
    const entry: AuditEntry = { ...unhashed, hash: auditEntryHash(unhashed) };
    await tx.query(
      `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [entry.seq, entry.id, entry.at, entry.staff_id, entry.action, entry.subject, entry.reason, JSON.stringify(entry.details), entry.prev_hash, entry.hash],
    );
    return entry;
  }

  return {
    /** Appends one entry inside the caller's transaction, so the action and its record commit together. */
    append,

    /** Appends one entry in a transaction of its own, for actions that write nothing else. */
    record(input: AuditAction): Promise<AuditEntry> {
      return db.transaction((tx) => append(tx, input));
    },

    /** The newest entries first, optionally for one subject or action. */
    async list(filter: { subject?: string; action?: string; limit?: number } = {}): Promise<AuditEntry[]> {
      const limit = Math.min(filter.limit ?? AUDIT_LISTED_MAX, AUDIT_LISTED_MAX);
      return db.query<AuditEntry>(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log
          WHERE ($1::text IS NULL OR subject = $1) AND ($2::text IS NULL OR action = $2)
          ORDER BY seq DESC LIMIT $3`,
        [filter.subject ?? null, filter.action ?? null, limit],
      );
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
