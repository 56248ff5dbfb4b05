import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** The prev_hash of the first entry: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** One staff action as the audit log keeps it. */
export interface AuditEntry {
  seq: number;
  id: string;
  at: Date;
  staff_id: string;
  action: string;
  subject: string;
  reason: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** SHA-256 (hex) over the canonical JSON of every field but the hash itself, prev_hash included: the chain link. */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, id, at, staff_id, action, subject, reason, details, prev_hash } = entry;
  const text = canonicalJson({ seq, id, at: at.toISOString(), staff_id, action, subject, reason, details, prev_hash });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
