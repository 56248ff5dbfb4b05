import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSameDatabase, raceTest, testBackends, type TestBackend } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createStaffDirectory } from '../staff/staff-directory.ts';
import type { Database } from '../storage/database.ts';
import { createAuditLog } from './audit-log.ts';
import { AUDIT_COLUMNS, CHAIN_KEYED_ACTION, GENESIS_HASH, auditEntryMac, auditEntryText, legacyAuditEntryHash, type AuditEntry } from './audit-entry.ts';
import { AUDIT_VERIFY_PAGE_ENTRIES, type AuditVerification } from './verify-audit-chain.ts';
import { createFileAuditAnchorStore } from './file-audit-anchor-store.ts';

const KEY = 'audit-key-for-tests-0123456789abcdef-0123';
const OTHER_KEY = 'another-audit-key-0123456789abcdef-01234';

/** One migrated database per backend with two staff members; each test starts from an empty log (openAudit). */
async function openShared(backend: TestBackend) {
  const db = await backend.open();
  await migrate(db, bankMigrationSets);
  const clock = new ManualClock('2026-11-10T01:00:00Z');
  const ids = createIds(clock);
  const staff = createStaffDirectory({ db, clock, ids });
  const admin = await staff.create({ login_id: 'tanaka', display_name: '田中', password: 'admin-password', role: 'admin' });
  const analyst = await staff.create({ login_id: 'sato', display_name: '佐藤', password: 'analyst-password', role: 'analyst' });
  return { db, clock, ids, admin, analyst };
}
type Shared = Awaited<ReturnType<typeof openShared>>;

/** An empty audit log on the shared database (and, when anchored, a fresh anchor file). */
async function openAudit(shared: Shared, options: { anchored?: boolean } = {}) {
  const { db, clock, ids } = shared;
  await asOwner(db, `DELETE FROM audit_log`);
  const dir = mkdtempSync(join(tmpdir(), 'furikae-anchors-'));
  const anchor_file = join(dir, 'audit-anchors.jsonl');
  const anchors = options.anchored ? createFileAuditAnchorStore(anchor_file) : undefined;
  const open = (key = KEY) => createAuditLog({ db, clock, ids, key, ...(anchors ? { anchors } : {}) });
  return {
    ...shared, audit: open(), open, anchor_file,
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `sql` with the append-only trigger off, as an owner of the database could. */
async function asOwner(db: { exec(sql: string): Promise<void> }, sql: string) {
  await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; ${sql}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
}

const entriesOf = (db: Database) => db.query<AuditEntry>(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq`);

/**
 * Rewrites the chain from entry `from_seq` on, as an owner of the database would after editing an entry: each
 * entry's prev_hash and link recomputed with `link` (SHA-256 for someone without the key, HMAC for an insider with it).
 */
async function rechain(db: Database, from_seq: number, link: (entry: Omit<AuditEntry, 'hash'>) => string) {
  const entries = await entriesOf(db);
  let prev_hash = entries.find((entry) => entry.seq === from_seq - 1)?.hash ?? GENESIS_HASH;
  const updates: string[] = [];
  for (const entry of entries.filter((e) => e.seq >= from_seq)) {
    const { hash: _, ...rest } = entry;
    const hash = link({ ...rest, prev_hash });
    updates.push(`UPDATE audit_log SET prev_hash = '${prev_hash}', hash = '${hash}' WHERE seq = ${entry.seq}`);
    prev_hash = hash;
  }
  await asOwner(db, updates.join('; '));
}

const breakOf = (result: AuditVerification) => (result.ok ? undefined : { seq: result.broken.seq, problem: result.broken.problem });

for (const backend of testBackends) {
  describe(`audit log on ${backend.name}`, { skip: backend.skip }, () => {
    let shared: Shared;
    before(async () => {
      shared = await openShared(backend);
    });
    after(() => shared?.db.close());

    test('an empty log verifies with no entries', async () => {
      const t = await openAudit(shared);
      try {
        const result = await t.audit.verify();
        assert.deepEqual(result.ok && [result.entries_count, result.head_hash, result.keyed_from_seq], [0, GENESIS_HASH, 1]);
      } finally {
        await t.close();
      }
    });

    test('each entry is an HMAC under the key over its RFC 8785 JSON with the previous link, starting from the genesis hash', async () => {
      const t = await openAudit(shared);
      try {
        const first = await t.audit.record({ staff_id: t.admin.id, action: 'operator.switch', subject: 'op-1', reason: '不正出金の疑い', details: { name: 'new_links_suspended', on: true } });
        t.clock.advance(1000);
        const second = await t.audit.record({ staff_id: t.analyst.id, action: 'case.note', subject: 'case-1', details: { at: new Date('2026-11-10T00:00:00Z'), skip: undefined, z: 1, a: [2, { y: null, b: 'ü' }] } });
        assert.deepEqual([first.seq, first.prev_hash, second.seq, second.prev_hash], [1, GENESIS_HASH, 2, first.hash]);
        assert.deepEqual(second.details, { at: '2026-11-10T00:00:00.000Z', z: 1, a: [2, { y: null, b: 'ü' }] }, 'details are stored as JSON keeps them');
        const { hash, ...rest } = second;
        assert.equal(auditEntryText(rest), `{"action":"case.note","at":"${second.at.toISOString()}","details":{"a":[2,{"b":"ü","y":null}],"at":"2026-11-10T00:00:00.000Z","z":1},"id":"${second.id}","prev_hash":"${first.hash}","reason":null,"seq":2,"staff_id":"${t.analyst.id}","subject":"case-1"}`);
        assert.equal(hash, createHmac('sha256', KEY).update(auditEntryText(rest)).digest('hex'));
        assert.notEqual(hash, legacyAuditEntryHash(rest), 'not a plain hash anyone could recompute');
        assert.notEqual(auditEntryMac(KEY, { ...rest, prev_hash: GENESIS_HASH }), hash, 'the previous link is part of the link');
        const listed = await t.audit.list();
        assert.deepEqual(listed.map((entry) => entry.seq), [2, 1]);
        assert.deepEqual(listed[1], first);
        assert.deepEqual((await t.audit.list({ subject: 'op-1' })).map((entry) => entry.id), [first.id]);
        assert.deepEqual((await t.audit.list({ action: 'case.note' })).map((entry) => entry.id), [second.id]);
      } finally {
        await t.close();
      }
    });

    test(`the chain verifies after ${AUDIT_VERIFY_PAGE_ENTRIES + 150} actions, many of them concurrent, as one gapless chain`, async () => {
      const t = await openAudit(shared);
      try {
        const total = AUDIT_VERIFY_PAGE_ENTRIES + 150;
        for (let wave = 0; wave < total / 50; wave++) {
          await Promise.all(Array.from({ length: 50 }, (_, n) => t.audit.record({
            staff_id: n % 2 ? t.admin.id : t.analyst.id, action: 'alert.acknowledge', subject: `alert-${wave}-${n}`, details: { wave, n, nested: { list: [n, 'x'] } },
          })));
        }
        const result = await t.audit.verify();
        assert.equal(result.ok, true);
        assert.equal(result.entries_count, total);
        const seqs = await t.db.query<{ seq: number }>(`SELECT seq FROM audit_log ORDER BY seq`);
        assert.deepEqual(seqs.map((row) => row.seq), Array.from({ length: total }, (_, n) => n + 1));
      } finally {
        await t.close();
      }
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so appends cannot race for the chain's head there.
    raceTest(backend, 'appends from two processes at once still form one gapless chain', async () => {
      const t = await openAudit(shared);
      const otherDb = await openSameDatabase(t.db);
      try {
        const logs = [t.audit, createAuditLog({ db: otherDb, clock: t.clock, ids: t.ids, key: KEY })];
        const total = 200;
        await Promise.all(Array.from({ length: total }, (_, n) => logs[n % 2]!.record({
          staff_id: n % 3 ? t.admin.id : t.analyst.id, action: 'alert.acknowledge', subject: `alert-${n}`, details: { n },
        })));
        const result = await t.audit.verify();
        assert.equal(result.ok, true, JSON.stringify(result));
        assert.equal(result.entries_count, total);
        const seqs = await t.db.query<{ seq: number }>(`SELECT seq FROM audit_log ORDER BY seq`);
        assert.deepEqual(seqs.map((row) => row.seq), Array.from({ length: total }, (_, n) => n + 1));
      } finally {
        await otherDb.close();
        await t.close();
      }
    });

    test('an append inside a transaction that rolls back leaves no entry and no gap', async () => {
      const t = await openAudit(shared);
      try {
        await t.audit.record({ staff_id: t.admin.id, action: 'case.assign', subject: 'c1' });
        await assert.rejects(t.db.transaction(async (tx) => {
          await t.audit.append(tx, { staff_id: t.admin.id, action: 'case.resolve', subject: 'c1' });
          throw new Error('the action failed');
        }));
        const next = await t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: 'c1' });
        assert.equal(next.seq, 2);
        assert.equal((await t.audit.verify()).ok, true);
      } finally {
        await t.close();
      }
    });

    test('the database refuses to update, delete or truncate an entry', async () => {
      const t = await openAudit(shared);
      try {
        await t.audit.record({ staff_id: t.admin.id, action: 'operator.switch', subject: 'op-1', reason: 'incident' });
        await assert.rejects(t.db.query(`UPDATE audit_log SET reason = 'nothing happened'`), /append-only/);
        await assert.rejects(t.db.query(`DELETE FROM audit_log`), /append-only/);
        await assert.rejects(t.db.query(`TRUNCATE audit_log`), /append-only/);
        assert.equal((await t.audit.list())[0]!.reason, 'incident');
      } finally {
        await t.close();
      }
    });

    test('an owner of the database who edits one entry’s details is caught at that entry', async () => {
      const t = await openAudit(shared);
      try {
        for (let n = 1; n <= 10; n++) {
          await t.audit.record({ staff_id: t.admin.id, action: 'operator.switch', subject: 'op-1', reason: `flip ${n}`, details: { name: 'charges_suspended', on: n % 2 === 1 } });
        }
        const target = (await t.audit.list()).find((entry) => entry.seq === 7)!;
        await asOwner(t.db, `UPDATE audit_log SET details = '{"name": "charges_suspended", "on": false}' WHERE seq = 7`);
        const result = await t.audit.verify();
        assert.equal(result.ok, false);
        assert.equal(result.entries_count, 6);
        assert.deepEqual(result.ok ? undefined : { seq: result.broken.seq, id: result.broken.id, problem: result.broken.problem, found: result.broken.found },
          { seq: 7, id: target.id, problem: 'mac_mismatch', found: target.hash });
      } finally {
        await t.close();
      }
    });

    test('an owner of the database who edits an entry and re-chains the rest without the key is caught at the edited entry', async () => {
      const t = await openAudit(shared);
      try {
        for (let n = 1; n <= 5; n++) await t.audit.record({ staff_id: t.admin.id, action: 'case.resolve', subject: `c${n}`, details: { resolution: 'fraud' } });
        await asOwner(t.db, `UPDATE audit_log SET details = '{"resolution": "legitimate"}' WHERE seq = 3`);
        // Recomputed as the old unkeyed chain was, and as HMACs under a guessed key: neither is the bank's link.
        await rechain(t.db, 3, legacyAuditEntryHash);
        assert.deepEqual(breakOf(await t.audit.verify()), { seq: 3, problem: 'mac_mismatch' });
        await rechain(t.db, 3, (entry) => auditEntryMac(OTHER_KEY, entry));
        assert.deepEqual(breakOf(await t.audit.verify()), { seq: 3, problem: 'mac_mismatch' });
      } finally {
        await t.close();
      }
    });

    test('a deleted entry in the middle is caught as a gap where it was', async () => {
      const t = await openAudit(shared);
      try {
        for (let n = 1; n <= 5; n++) await t.audit.record({ staff_id: t.admin.id, action: 'factor.unlock', subject: `customer-${n}` });
        await asOwner(t.db, `DELETE FROM audit_log WHERE seq = 2`);
        const result = await t.audit.verify();
        assert.equal(result.ok, false);
        assert.deepEqual(!result.ok && [result.broken.seq, result.broken.problem, result.broken.expected], [3, 'seq_gap', '2']);
      } finally {
        await t.close();
      }
    });

    test('a malformed action or an overlong subject is refused by the table', async () => {
      const t = await openAudit(shared);
      try {
        await assert.rejects(t.audit.record({ staff_id: t.admin.id, action: 'DROP', subject: 's' }));
        await assert.rejects(t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: 'x'.repeat(201) }));
        await assert.rejects(t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: '' }));
        assert.equal((await t.audit.verify()).entries_count, 0);
      } finally {
        await t.close();
      }
    });

    test('text with a lone surrogate is linked as the database stores it, so the entry still verifies', async () => {
      const t = await openAudit(shared);
      try {
        await t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: 'c1', reason: 'odd \uD800 text', details: { note: 'x\uDC00y' } });
        const [entry] = await t.audit.list();
        assert.deepEqual([entry!.reason, entry!.details], ['odd \uFFFD text', { note: 'x\uFFFDy' }]);
        assert.equal((await t.audit.verify()).ok, true);
      } finally {
        await t.close();
      }
    });

    test('a process with another key refuses to chain onto the log, and verifying under another key fails at the first entry', async () => {
      const t = await openAudit(shared);
      try {
        await t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: 'c1' });
        const wrong = t.open(OTHER_KEY);
        await assert.rejects(wrong.ensureKeyed(), /not linked under this FURIKAE_AUDIT_KEY/);
        await assert.rejects(wrong.record({ staff_id: t.admin.id, action: 'case.note', subject: 'c2' }), /not linked under this FURIKAE_AUDIT_KEY/);
        assert.deepEqual(breakOf(await wrong.verify()), { seq: 1, problem: 'mac_mismatch' });
        assert.equal((await t.audit.verify()).entries_count, 1, 'nothing was added');
      } finally {
        await t.close();
      }
    });

    describe('a chain written before keying (plain SHA-256)', () => {
      /** Writes `count` entries as the bank did before the chain was keyed. */
      async function legacyChain(t: Awaited<ReturnType<typeof openAudit>>, count: number) {
        let prev_hash = GENESIS_HASH;
        for (let seq = 1; seq <= count; seq++) {
          const entry = { seq, id: t.ids.next(), at: t.clock.now(), staff_id: t.admin.id, action: 'operator.switch', subject: `op-${seq}`, reason: 'old', details: { on: seq % 2 === 0 }, prev_hash };
          const hash = legacyAuditEntryHash(entry);
          await t.db.query(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [seq, entry.id, entry.at, entry.staff_id, entry.action, entry.subject, entry.reason, JSON.stringify(entry.details), prev_hash, hash]);
          prev_hash = hash;
          t.clock.advance(1000);
        }
        return prev_hash;
      }

      test('is sealed at start-up by one mark of the bank’s own, whose HMAC covers the legacy head; later entries are keyed', async () => {
        const t = await openAudit(shared);
        try {
          const legacy_head = await legacyChain(t, 4);
          await t.audit.ensureKeyed();
          await t.audit.ensureKeyed();
          const next = await t.audit.record({ staff_id: t.analyst.id, action: 'case.note', subject: 'c1' });
          const entries = await entriesOf(t.db);
          const mark = entries[4]!;
          assert.deepEqual([mark.seq, mark.action, mark.staff_id, mark.prev_hash], [5, CHAIN_KEYED_ACTION, null, legacy_head]);
          assert.deepEqual(mark.details, { legacy_entries: 4, legacy_head, legacy_chain: 'verified' });
          assert.deepEqual([next.seq, next.prev_hash], [6, mark.hash]);
          const result = await t.audit.verify();
          assert.deepEqual(result.ok && [result.entries_count, result.keyed_from_seq], [6, 5]);
          await assert.rejects(asOwner(t.db, `INSERT INTO audit_log (${AUDIT_COLUMNS}) SELECT 7, '${t.ids.next()}', at, NULL, action, subject, reason, details, '${next.hash}', '${'a'.repeat(64)}' FROM audit_log WHERE seq = 5`),
            /duplicate key|unique/, 'a second mark is refused by the table');
        } finally {
          await t.close();
        }
      });

      test('an owner who edits a legacy entry and re-chains the legacy entries is caught at the mark', async () => {
        const t = await openAudit(shared);
        try {
          await legacyChain(t, 4);
          await t.audit.ensureKeyed();
          await t.audit.record({ staff_id: t.analyst.id, action: 'case.note', subject: 'c1' });
          await asOwner(t.db, `UPDATE audit_log SET reason = 'routine' WHERE seq = 2`);
          assert.deepEqual(breakOf(await t.audit.verify()), { seq: 2, problem: 'hash_mismatch' });
          const entries = await entriesOf(t.db);
          let prev_hash = entries[0]!.hash;
          const updates: string[] = [];
          for (const entry of entries.slice(1, 4)) {
            const { hash: _, ...rest } = entry;
            const hash = legacyAuditEntryHash({ ...rest, prev_hash });
            updates.push(`UPDATE audit_log SET prev_hash = '${prev_hash}', hash = '${hash}' WHERE seq = ${entry.seq}`);
            prev_hash = hash;
          }
          await asOwner(t.db, updates.join('; '));
          assert.deepEqual(breakOf(await t.audit.verify()), { seq: 5, problem: 'prev_hash_mismatch' });
          // Re-labelling the mark (so everything before counts as keyed) or removing it breaks the first entry instead.
          await asOwner(t.db, `UPDATE audit_log SET action = 'case.note' WHERE seq = 5`);
          assert.deepEqual(breakOf(await t.audit.verify()), { seq: 1, problem: 'mac_mismatch' });
        } finally {
          await t.close();
        }
      });

      test('a legacy chain already broken when it is sealed is sealed as broken, and still fails verification', async () => {
        const t = await openAudit(shared);
        try {
          await legacyChain(t, 3);
          await asOwner(t.db, `UPDATE audit_log SET reason = 'routine' WHERE seq = 2`);
          await t.audit.ensureKeyed();
          const [mark] = await t.audit.list({ action: CHAIN_KEYED_ACTION });
          assert.equal(mark!.details.legacy_chain, 'broken at #2: hash_mismatch');
          assert.deepEqual(breakOf(await t.audit.verify()), { seq: 2, problem: 'hash_mismatch' });
        } finally {
          await t.close();
        }
      });
    });

    describe('anchored outside the database', () => {
      test('each anchor records the head once; the chain verifies against them and reports what is newer', async () => {
        const t = await openAudit(shared, { anchored: true });
        try {
          assert.equal(await t.audit.anchor(), undefined, 'an empty chain has no head to anchor');
          for (let n = 1; n <= 3; n++) await t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: `c${n}` });
          const anchor = await t.audit.anchor();
          assert.equal(anchor?.seq, 3);
          assert.equal(await t.audit.anchor(), undefined, 'the same head is not anchored twice');
          await t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: 'c4' });
          const lines = readFileSync(t.anchor_file, 'utf8').trim().split('\n');
          assert.equal(lines.length, 1);
          assert.deepEqual(Object.keys(JSON.parse(lines[0]!)).sort(), ['at', 'hash', 'keyed_from_seq', 'mac', 'seq']);
          const result = await t.audit.verify();
          assert.deepEqual(result.ok && result.anchored, { anchors_count: 1, latest: { seq: 3, at: anchor!.at }, entries_after_latest: 1 });
        } finally {
          await t.close();
        }
      });

      test('entries dropped from the end past an anchor are caught as truncation; newer unanchored ones are not', async () => {
        const t = await openAudit(shared, { anchored: true });
        try {
          for (let n = 1; n <= 6; n++) await t.audit.record({ staff_id: t.admin.id, action: 'operator.switch', subject: `op-${n}` });
          await t.audit.anchor();
          await t.audit.record({ staff_id: t.admin.id, action: 'operator.switch', subject: 'op-7' });
          await asOwner(t.db, `DELETE FROM audit_log WHERE seq = 7`);
          assert.equal((await t.audit.verify()).ok, true, 'after the newest anchor only the key protects: an entry dropped there is not seen');
          await asOwner(t.db, `DELETE FROM audit_log WHERE seq >= 5`);
          const result = await t.audit.verify();
          assert.deepEqual(breakOf(result), { seq: 6, problem: 'truncated' });
          assert.equal(result.entries_count, 4);
        } finally {
          await t.close();
        }
      });

      test('an insider with the key who edits an entry and re-chains the rest is caught at the anchored head', async () => {
        const t = await openAudit(shared, { anchored: true });
        try {
          for (let n = 1; n <= 6; n++) await t.audit.record({ staff_id: t.admin.id, action: 'case.resolve', subject: `c${n}`, details: { resolution: 'fraud' } });
          await t.audit.anchor();
          await asOwner(t.db, `UPDATE audit_log SET details = '{"resolution": "legitimate"}' WHERE seq = 2`);
          await rechain(t.db, 2, (entry) => auditEntryMac(KEY, entry));
          assert.deepEqual(breakOf(await t.audit.verify()), { seq: 6, problem: 'anchor_mismatch' });
        } finally {
          await t.close();
        }
      });

      test('an anchor edited or made up without the key is refused as anchor_invalid', async () => {
        const t = await openAudit(shared, { anchored: true });
        try {
          for (let n = 1; n <= 3; n++) await t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: `c${n}` });
          await t.audit.anchor();
          const [line] = readFileSync(t.anchor_file, 'utf8').trim().split('\n');
          const anchor = JSON.parse(line!);
          writeFileSync(t.anchor_file, `${JSON.stringify({ ...anchor, seq: 2 })}\n`);
          const moved = await t.audit.verify();
          assert.deepEqual(!moved.ok && [moved.broken.problem, moved.broken.id], ['anchor_invalid', 'anchor line 1']);
          writeFileSync(t.anchor_file, `${line}\nnot json\n`);
          assert.equal(!(await t.audit.verify()).ok && 'anchor_invalid', 'anchor_invalid');
        } finally {
          await t.close();
        }
      });
    });
  });
}
