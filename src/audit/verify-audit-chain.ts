import type { Queryable } from '../storage/database.ts';
import { AUDIT_COLUMNS, CHAIN_KEYED_ACTION, GENESIS_HASH, auditEntryMac, legacyAuditEntryHash, type AuditEntry } from './audit-entry.ts';
import { readAuditAnchor, type AuditAnchor } from './audit-anchor.ts';

/** Entries read per query while verifying: bounded memory however long the chain grows. */
export const AUDIT_VERIFY_PAGE_ENTRIES = 1000;

/** Why the chain does not verify. */
export type AuditBreak =
  | 'seq_gap' // an entry is missing (deleted) or out of place
  | 'prev_hash_mismatch' // the entry does not follow the one before it
  | 'mac_mismatch' // a keyed entry's content or link was changed (or it was written under another key)
  | 'hash_mismatch' // a legacy entry (before the chain was keyed) was changed after it was written
  | 'anchor_mismatch' // the entry differs from the head the bank anchored outside the database
  | 'truncated' // the chain ends before an anchored head: entries were removed from its end
  | 'anchor_invalid'; // an anchor does not parse or its MAC does not verify: the anchor store was tampered with

/** What the anchors said about the chain that verified. */
export interface AnchorCoverage {
  anchors_count: number;
  /** The newest anchored head, if any. */
  latest: { seq: number; at: string } | undefined;
  /** Entries after the newest anchor: protected by the key against edits, but not yet against being dropped. */
  entries_after_latest: number;
}

/** The outcome of walking the chain: every entry checks, or the first that does not. */
export type AuditVerification =
  | { ok: true; entries_count: number; head_hash: string; keyed_from_seq: number; anchored: AnchorCoverage }
  | { ok: false; entries_count: number; broken: { seq: number; id: string; problem: AuditBreak; expected: string; found: string } };

export interface VerifyAuditChainOptions {
  /** The audit key (FURIKAE_AUDIT_KEY) the keyed entries and anchors were made with. */
  key: string;
  /** The anchors as stored, unparsed (AuditAnchorStore.readLines). */
  anchor_lines: readonly string[];
}

/**
 * Verifies the audit chain: reads the anchors (each must carry a valid MAC), finds where keying begins (the
 * audit.chain_keyed mark; with none, every entry must be keyed) and walks the chain from the first entry.
 */
export async function verifyAuditChain(db: Queryable, { key, anchor_lines }: VerifyAuditChainOptions): Promise<AuditVerification> {
  const anchors: AuditAnchor[] = [];
  for (const [index, line] of anchor_lines.entries()) {
    const anchor = readAuditAnchor(key, line);
    if (typeof anchor === 'string') {
      return { ok: false, entries_count: 0, broken: { seq: 0, id: `anchor line ${index + 1}`, problem: 'anchor_invalid', expected: 'a signed anchor', found: anchor } };
    }
    anchors.push(anchor);
  }
  const [mark] = await db.query<{ seq: number }>(`SELECT seq FROM audit_log WHERE action = $1 ORDER BY seq LIMIT 1`, [CHAIN_KEYED_ACTION]);
  return walkAuditChain(db, { key, keyed_from_seq: mark?.seq ?? 1, anchors });
}

/**
 * Walks the chain from the first entry and reports the first thing wrong: entries before `keyed_from_seq` are
 * checked as the legacy SHA-256 chain, the rest as HMACs under the key. Each anchored head must still be in the
 * chain with the same link and the same start of keying, and the chain must reach the newest anchor.
 */
export async function walkAuditChain(db: Queryable, { key, keyed_from_seq, anchors }: { key: string; keyed_from_seq: number; anchors: readonly AuditAnchor[] }): Promise<AuditVerification> {
  const anchored = new Map<number, AuditAnchor[]>();
  for (const anchor of anchors) anchored.set(anchor.seq, [...(anchored.get(anchor.seq) ?? []), anchor]);
  const latest = anchors.reduce<AuditAnchor | undefined>((newest, anchor) => (!newest || anchor.seq > newest.seq ? anchor : newest), undefined);
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
      const keyed = entry.seq >= keyed_from_seq;
      const recomputed = keyed ? auditEntryMac(key, rest) : legacyAuditEntryHash(rest);
      if (recomputed !== hash) return broken(keyed ? 'mac_mismatch' : 'hash_mismatch', recomputed, hash);
      for (const anchor of anchored.get(entry.seq) ?? []) {
        if (anchor.hash !== hash) return broken('anchor_mismatch', `${anchor.hash} (anchored ${anchor.at})`, hash);
        if (anchor.keyed_from_seq !== keyed_from_seq) {
          return broken('anchor_mismatch', `keyed from #${anchor.keyed_from_seq} (anchored ${anchor.at})`, `keyed from #${keyed_from_seq}`);
        }
      }
      prev_hash = hash;
      expected_seq += 1;
      checked += 1;
    }
    if (page.length < AUDIT_VERIFY_PAGE_ENTRIES) break;
  }
  if (latest && latest.seq > checked) {
    return {
      ok: false, entries_count: checked,
      broken: { seq: latest.seq, id: `anchored ${latest.at}`, problem: 'truncated', expected: `an entry #${latest.seq} with link ${latest.hash}`, found: `the chain ends at #${checked}` },
    };
  }
  return {
    ok: true, entries_count: checked, head_hash: prev_hash, keyed_from_seq,
    anchored: { anchors_count: anchors.length, latest: latest && { seq: latest.seq, at: latest.at }, entries_after_latest: latest ? checked - latest.seq : checked },
  };
}
