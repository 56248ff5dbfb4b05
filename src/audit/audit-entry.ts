import { createHash, createHmac } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The prev_hash of the first entry: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);
/** The action of the one entry that marks where the chain became keyed; the entries before it are legacy SHA-256. */
export const CHAIN_KEYED_ACTION = 'audit.chain_keyed';

/** The columns read back from audit_log, in chain order. */
export const AUDIT_COLUMNS = 'seq, id, at, staff_id, action, subject, reason, details, prev_hash, hash';

/** One staff action (or, with no staff_id, an action of the bank itself) as the audit log keeps it. */
export interface AuditEntry {
  seq: number;
  id: string;
  at: Date;
  staff_id: string | null;
  action: string;
  subject: string;
  reason: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  /** HMAC-SHA256 under the audit key; for entries written before the chain was keyed, plain SHA-256. */
  hash: string;
}

/** What an entry's link covers: the RFC 8785 (JCS) canonical JSON of every field but the link itself, prev_hash included. */
export function auditEntryText(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, id, at, staff_id, action, subject, reason, details, prev_hash } = entry;
  const text = canonicalize({ seq, id, at: at.toISOString(), staff_id, action, subject, reason, details, prev_hash });
  if (text === undefined) throw new TypeError('an audit entry has no canonical JSON');
  return text;
}

/** The link of an entry in the keyed chain: HMAC-SHA256 (hex) under the audit key, which the database never holds. */
export function auditEntryMac(key: string, entry: Omit<AuditEntry, 'hash'>): string {
  return createHmac('sha256', key).update(auditEntryText(entry), 'utf8').digest('hex');
}

/** The link of an entry written before the chain was keyed: plain SHA-256, which anyone can recompute. */
export function legacyAuditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(auditEntryText(entry), 'utf8').digest('hex');
}
