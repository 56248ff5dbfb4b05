import type { Queryable } from '../storage/database.ts';
import { GENESIS_HASH, auditEntryHash, type AuditEntry } from './audit-entry.ts';
import { AUDIT_COLUMNS } from './audit-log.ts';

/** Entries read per query while verifying: bounded memory however long the chain grows. */
export const AUDIT_VERIFY_PAGE_ENTRIES = 1000;

/** Why an entry breaks the chain. */
export type AuditBreak =
  | 'seq_gap' // an entry is missing (deleted) or out of place
  | 'prev_hash_mismatch' // the entry does not follow the one before it
  | 'hash_mismatch'; // the entry's content was changed after it was written

/** The outcome of walking the chain: every entry checks, or the first that does not. */
export type AuditVerification =
  | { ok: true; entries_count: number; head_hash: string }
  | { ok: false; entries_count: number; broken: { seq: number; id: string; problem: AuditBreak; expected: string; found: string } };

/**
 * Walks the audit chain from the first entry and reports the first broken one. Dropping entries from the end
 * leaves a shorter valid chain; compare the head hash with one noted elsewhere (a report, a ticket) to catch that.
 */
export async function verifyAuditChain(db: Queryable): Promise<AuditVerification> {
  let prev_hash = GENESIS_HASH;
  let expected_seq = 1;
  let checked = 0;
  for (;;) {
    const page = await db.query<AuditEntry>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`, [expected_seq, AUDIT_VERIFY_PAGE_ENTRIES]);
    for (const entry of page) {
      const broken = (problem: AuditBreak, expected: string, found: string) =>
        ({ ok: false as const, entries_count: checked, broken: { seq: entry.seq, id: entry.id, problem, expected, found } });
      if (entry.seq !== expected_seq) return broken('seq_gap', String(expected_seq), String(entry.seq));
      if (entry.prev_hash !== prev_hash) return broken('prev_hash_mismatch', prev_hash, entry.prev_hash);
      const { hash, ...rest } = entry;
      const recomputed = auditEntryHash(rest);
      if (recomputed !== hash) return broken('hash_mismatch', recomputed, hash);
      prev_hash = hash;
      expected_seq += 1;
      checked += 1;
    }
    if (page.length < AUDIT_VERIFY_PAGE_ENTRIES) break;
  }
  return { ok: true, entries_count: checked, head_hash: prev_hash };
}
