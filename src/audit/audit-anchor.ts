import { createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The chain's head as the bank saw it at one moment, written outside the database (audit-anchor-store.ts).
 * `audit verify` requires the chain to still hold this entry with this link and to reach at least this far, so
 * edits before the anchor and truncation past it are caught even by someone who could write the database.
 */
export interface AuditAnchor {
  seq: number;
  hash: string;
  /** Where the keyed chain begins (the audit.chain_keyed entry, or 1): entries before it are legacy SHA-256. */
  keyed_from_seq: number;
  /** When the anchor was written (ISO 8601). */
  at: string;
  /** HMAC-SHA256 of the other fields under the audit key, so an anchor cannot be made up either. */
  mac: string;
}

type AnchorFields = Omit<AuditAnchor, 'mac'>;

function anchorMac(key: string, { seq, hash, keyed_from_seq, at }: AnchorFields): string {
  return createHmac('sha256', key).update(canonicalize({ seq, hash, keyed_from_seq, at })!, 'utf8').digest('hex');
}

/** An anchor for the head `seq`/`hash` at `at`, signed with the audit key. */
export function signAuditAnchor(key: string, fields: AnchorFields): AuditAnchor {
  return { ...fields, mac: anchorMac(key, fields) };
}

/** Parses one stored anchor and checks its MAC; returns it, or why it cannot be trusted. */
export function readAuditAnchor(key: string, line: string): AuditAnchor | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  const { seq, hash, keyed_from_seq, at, mac } = (value ?? {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1 || !Number.isSafeInteger(keyed_from_seq) || (keyed_from_seq as number) < 1) return 'seq and keyed_from_seq must be positive integers';
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash) || typeof at !== 'string' || typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) return 'malformed fields';
  const anchor = { seq: seq as number, hash, keyed_from_seq: keyed_from_seq as number, at };
  const expected = Buffer.from(anchorMac(key, anchor), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(mac, 'hex'))) return 'its MAC does not verify under the audit key';
  return { ...anchor, mac };
}
