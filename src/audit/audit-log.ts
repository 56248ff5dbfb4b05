import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { assert } from '../shared/assert.ts';
import { AUDIT_COLUMNS, CHAIN_KEYED_ACTION, GENESIS_HASH, auditEntryMac, legacyAuditEntryHash, type AuditEntry } from './audit-entry.ts';
import { signAuditAnchor, type AuditAnchor } from './audit-anchor.ts';
import type { AuditAnchorStore } from './audit-anchor-store.ts';
import { verifyAuditChain, walkAuditChain, type AuditVerification } from './verify-audit-chain.ts';

/** Longest reason a staff member may type: a sentence or two, as the kill-switch form asks for. */
export const AUDIT_REASON_CHARS_MAX = 1000;
/** Entries one listing returns: a screenful for the console. */
export const AUDIT_LISTED_MAX = 500;
/** Shortest audit key accepted: 32 characters, as for the bank's other HMAC keys. */
export const AUDIT_KEY_CHARS_MIN = 32;

/** What a caller says about one staff action; the log adds id, time, position and hashes. */
export interface AuditAction {
  /** The staff member who acted; null only for what the bank does itself (the keying mark). */
  staff_id: string | null;
  action: string;
  subject: string;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** A lone UTF-16 surrogate: it has no UTF-8 form, so the database would store U+FFFD, and RFC 8785 refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text as the database will give it back. */
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** Stored as jsonb and read back parsed: link what will come back (Dates become strings, undefined goes, text is well-formed). */
function asStored(details: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(details), (_key, value: unknown) => (typeof value === 'string' ? wellFormed(value) : value)) as Record<string, unknown>;
}

export interface AuditLogDeps {
  db: Database;
  clock: Clock;
  ids: Ids;
  /** The HMAC key of the chain (FURIKAE_AUDIT_KEY): held by the bank's processes, never by its database. */
  key: string;
  /** Where heads are anchored outside the database; without one (tests, benchmarks) nothing is anchored. */
  anchors?: AuditAnchorStore;
}

/**
 * The audit log of staff actions, an HMAC chain: each entry's link is HMAC-SHA256 under the audit key over the
 * entry's RFC 8785 JSON with the previous link, so whoever owns the database but not the key cannot edit an
 * entry and re-chain the rest. Appends take a transaction-scoped advisory lock, so concurrent actions in any
 * number of processes still form one chain, and the entry commits or rolls back with the action itself.
 */
export function createAuditLog({ db, clock, ids, key, anchors }: AuditLogDeps) {
  assert(key.length >= AUDIT_KEY_CHARS_MIN, 'the audit key is checked at start-up');

  async function insert(tx: Queryable, entry: AuditEntry): Promise<void> {
    await tx.query(
      `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [entry.seq, entry.id, entry.at, entry.staff_id, entry.action, entry.subject, entry.reason, JSON.stringify(entry.details), entry.prev_hash, entry.hash],
    );
  }

  function next(head: { seq: number; hash: string } | undefined, input: AuditAction): AuditEntry {
    const unlinked = {
      seq: (head?.seq ?? 0) + 1, id: ids.next(), at: clock.now(), staff_id: input.staff_id, action: input.action,
      subject: wellFormed(input.subject), reason: input.reason == null ? null : wellFormed(input.reason), details: asStored(input.details ?? {}), prev_hash: head?.hash ?? GENESIS_HASH,
    };
    return { ...unlinked, hash: auditEntryMac(key, unlinked) };
  }

  /**
   * The head under the lock. If the chain still ends in a legacy (SHA-256) entry, first marks where keying
   * begins: the mark's HMAC covers the legacy head, so from then on the legacy entries cannot change unseen
   * either, and it records, honestly, whether the legacy chain verified when it was sealed. A head that is
   * neither keyed under this key nor a legacy entry is refused: this process has the wrong key, or the head
   * was tampered with, and either way nothing may be chained onto it.
   */
  async function keyedHead(tx: Queryable): Promise<{ seq: number; hash: string } | undefined> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('furikae.audit_log'))`);
    const [head] = await tx.query<AuditEntry>(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1`);
    if (!head) return undefined;
    const { hash, ...rest } = head;
    if (auditEntryMac(key, rest) === hash) return head;
    const [marked] = await tx.query(`SELECT 1 FROM audit_log WHERE action = $1`, [CHAIN_KEYED_ACTION]);
    if (marked || legacyAuditEntryHash(rest) !== hash) {
      throw new Error(`audit_log entry #${head.seq} is not linked under this FURIKAE_AUDIT_KEY: the key is wrong or the entry was changed (run furikae audit verify)`);
    }
    const legacy = await walkAuditChain(tx, { key, keyed_from_seq: head.seq + 1, anchors: [] });
    const mark = next(head, {
      staff_id: null, action: CHAIN_KEYED_ACTION, subject: 'audit_log',
      details: { legacy_entries: head.seq, legacy_head: hash, legacy_chain: legacy.ok ? 'verified' : `broken at #${legacy.broken.seq}: ${legacy.broken.problem}` },
    });
    await insert(tx, mark);
    return mark;
  }

  async function append(tx: Queryable, input: AuditAction): Promise<AuditEntry> {
    assert(input.reason == null || input.reason.length <= AUDIT_REASON_CHARS_MAX, 'reason length checked by the caller');
    const entry = next(await keyedHead(tx), input);
    await insert(tx, entry);
    return entry;
  }

  /** The chain's head and where keying begins, for an anchor. */
  async function head(): Promise<{ seq: number; hash: string; keyed_from_seq: number } | undefined> {
    const [last] = await db.query<{ seq: number; hash: string }>(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
    if (!last) return undefined;
    const [mark] = await db.query<{ seq: number }>(`SELECT seq FROM audit_log WHERE action = $1 ORDER BY seq LIMIT 1`, [CHAIN_KEYED_ACTION]);
    return { ...last, keyed_from_seq: mark?.seq ?? 1 };
  }

  let last_anchored: { seq: number; hash: string } | undefined;

  return {
    /** Appends one entry inside the caller's transaction, so the action and its record commit together. */
    append,

    /** Appends one entry in a transaction of its own, for actions that write nothing else. */
    record(input: AuditAction): Promise<AuditEntry> {
      return db.transaction((tx) => append(tx, input));
    },

    /** Marks where keying begins if the chain still ends in a legacy entry; the bank calls it at start-up. */
    async ensureKeyed(): Promise<void> {
      await db.transaction(keyedHead);
    },

    /** Writes the current head to the anchor store, unless this process already anchored that head; returns it. */
    async anchor(): Promise<AuditAnchor | undefined> {
      if (!anchors) return undefined;
      const current = await head();
      if (!current || (last_anchored?.seq === current.seq && last_anchored.hash === current.hash)) return undefined;
      const anchor = signAuditAnchor(key, { ...current, at: clock.now().toISOString() });
      await anchors.append(anchor);
      last_anchored = current;
      return anchor;
    },

    /** Walks the whole chain against the key and every stored anchor (see verifyAuditChain). */
    async verify(): Promise<AuditVerification> {
      return verifyAuditChain(db, { key, anchor_lines: anchors ? await anchors.readLines() : [] });
    },

    /** Where anchors are written, or undefined when this log anchors nowhere. */
    anchor_location: anchors?.location,

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
