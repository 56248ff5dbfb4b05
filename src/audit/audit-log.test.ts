import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends, type TestBackend } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createStaffDirectory } from '../staff/staff-directory.ts';
import { createAuditLog } from './audit-log.ts';
import { GENESIS_HASH, auditEntryHash } from './audit-entry.ts';
import { AUDIT_VERIFY_PAGE_ENTRIES, verifyAuditChain } from './verify-audit-chain.ts';

async function openAudit(backend: TestBackend) {
  const db = await backend.open();
  await migrate(db, bankMigrationSets);
  const clock = new ManualClock('2026-11-10T01:00:00Z');
  const ids = createIds(clock);
  const staff = createStaffDirectory({ db, clock, ids });
  const admin = await staff.create({ login_id: 'tanaka', display_name: '田中', password: 'admin-password', role: 'admin' });
  const analyst = await staff.create({ login_id: 'sato', display_name: '佐藤', password: 'analyst-password', role: 'analyst' });
  return { db, clock, audit: createAuditLog({ db, clock, ids }), admin, analyst, close: () => db.close() };
}

/** Runs `sql` with the append-only trigger off, as an attacker with database access could. */
async function asAttacker(db: { exec(sql: string): Promise<void> }, sql: string) {
  await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; ${sql}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);
}

for (const backend of testBackends) {
  describe(`audit log on ${backend.name}`, { skip: backend.skip }, () => {
    test('an empty log verifies with no entries', async () => {
      const t = await openAudit(backend);
      try {
        assert.deepEqual(await verifyAuditChain(t.db), { ok: true, entries_count: 0, head_hash: GENESIS_HASH });
      } finally {
        await t.close();
      }
    });

    test('each entry hashes its content with the previous hash, starting from the genesis hash', async () => {
      const t = await openAudit(backend);
      try {
        const first = await t.audit.record({ staff_id: t.admin.id, action: 'operator.switch', subject: 'op-1', reason: '不正出金の疑い', details: { name: 'new_links_suspended', on: true } });
        t.clock.advance(1000);
        const second = await t.audit.record({ staff_id: t.analyst.id, action: 'case.note', subject: 'case-1', details: { at: new Date('2026-11-10T00:00:00Z'), skip: undefined } });
        assert.equal(first.seq, 1);
        assert.equal(first.prev_hash, GENESIS_HASH);
        assert.equal(second.seq, 2);
        assert.equal(second.prev_hash, first.hash);
        assert.deepEqual(second.details, { at: '2026-11-10T00:00:00.000Z' }, 'details are stored as JSON keeps them');
        const { hash, ...rest } = first;
        assert.equal(auditEntryHash(rest), hash);
        assert.notEqual(auditEntryHash({ ...rest, prev_hash: second.hash }), hash, 'the previous hash is part of the hash');
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
      const t = await openAudit(backend);
      try {
        const total = AUDIT_VERIFY_PAGE_ENTRIES + 150;
        for (let wave = 0; wave < total / 50; wave++) {
          await Promise.all(Array.from({ length: 50 }, (_, n) => t.audit.record({
            staff_id: n % 2 ? t.admin.id : t.analyst.id, action: 'alert.acknowledge', subject: `alert-${wave}-${n}`, details: { wave, n, nested: { list: [n, 'x'] } },
          })));
        }
        const result = await verifyAuditChain(t.db);
        assert.equal(result.ok, true);
        assert.equal(result.entries_count, total);
        const seqs = await t.db.query<{ seq: number }>(`SELECT seq FROM audit_log ORDER BY seq`);
        assert.deepEqual(seqs.map((row) => row.seq), Array.from({ length: total }, (_, n) => n + 1));
      } finally {
        await t.close();
      }
    });

    test('an append inside a transaction that rolls back leaves no entry and no gap', async () => {
      const t = await openAudit(backend);
      try {
        await t.audit.record({ staff_id: t.admin.id, action: 'case.assign', subject: 'c1' });
        await assert.rejects(t.db.transaction(async (tx) => {
          await t.audit.append(tx, { staff_id: t.admin.id, action: 'case.resolve', subject: 'c1' });
          throw new Error('the action failed');
        }));
        const next = await t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: 'c1' });
        assert.equal(next.seq, 2);
        assert.equal((await verifyAuditChain(t.db)).ok, true);
      } finally {
        await t.close();
      }
    });

    test('the database refuses to update, delete or truncate an entry', async () => {
      const t = await openAudit(backend);
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

    test('an attacker who disables the trigger and edits one entry’s details is caught at that entry', async () => {
      const t = await openAudit(backend);
      try {
        for (let n = 1; n <= 10; n++) {
          await t.audit.record({ staff_id: t.admin.id, action: 'operator.switch', subject: 'op-1', reason: `flip ${n}`, details: { name: 'charges_suspended', on: n % 2 === 1 } });
        }
        const target = (await t.audit.list()).find((entry) => entry.seq === 7)!;
        await asAttacker(t.db, `UPDATE audit_log SET details = '{"name": "charges_suspended", "on": false}' WHERE seq = 7`);
        const result = await verifyAuditChain(t.db);
        assert.equal(result.ok, false);
        assert.equal(result.entries_count, 6);
        assert.deepEqual(result.ok ? undefined : { seq: result.broken.seq, id: result.broken.id, problem: result.broken.problem, found: result.broken.found },
          { seq: 7, id: target.id, problem: 'hash_mismatch', found: target.hash });
      } finally {
        await t.close();
      }
    });

    test('an attacker who recomputes the edited entry’s hash is caught at the next entry', async () => {
      const t = await openAudit(backend);
      try {
        for (let n = 1; n <= 5; n++) await t.audit.record({ staff_id: t.admin.id, action: 'case.resolve', subject: `c${n}`, details: { resolution: 'fraud' } });
        const [third] = (await t.audit.list()).filter((entry) => entry.seq === 3);
        const forged = { ...third!, details: { resolution: 'legitimate' } };
        const { hash: _, ...rest } = forged;
        await asAttacker(t.db, `UPDATE audit_log SET details = '{"resolution": "legitimate"}', hash = '${auditEntryHash(rest)}' WHERE seq = 3`);
        const result = await verifyAuditChain(t.db);
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.broken.seq, 4);
        assert.equal(!result.ok && result.broken.problem, 'prev_hash_mismatch');
      } finally {
        await t.close();
      }
    });

    test('a deleted entry in the middle is caught as a gap where it was', async () => {
      const t = await openAudit(backend);
      try {
        for (let n = 1; n <= 5; n++) await t.audit.record({ staff_id: t.admin.id, action: 'factor.unlock', subject: `customer-${n}` });
        await asAttacker(t.db, `DELETE FROM audit_log WHERE seq = 2`);
        const result = await verifyAuditChain(t.db);
        assert.equal(result.ok, false);
        assert.deepEqual(!result.ok && [result.broken.seq, result.broken.problem, result.broken.expected], [3, 'seq_gap', '2']);
      } finally {
        await t.close();
      }
    });

    test('a malformed action or an overlong subject is refused by the table', async () => {
      const t = await openAudit(backend);
      try {
        await assert.rejects(t.audit.record({ staff_id: t.admin.id, action: 'DROP', subject: 's' }));
        await assert.rejects(t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: 'x'.repeat(201) }));
        await assert.rejects(t.audit.record({ staff_id: t.admin.id, action: 'case.note', subject: '' }));
        assert.deepEqual(await verifyAuditChain(t.db), { ok: true, entries_count: 0, head_hash: GENESIS_HASH });
      } finally {
        await t.close();
      }
    });
  });
}
