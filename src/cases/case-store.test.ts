import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { raceTest, testBackends, type TestBackend } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { AssertionFailed } from '../shared/assert.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { FIXTURE_AUDIT_KEY } from '../testing/bank-fixture.ts';
import { createStaffDirectory } from '../staff/staff-directory.ts';
import { ALERTS_PER_RAISE_MAX, createCaseStore } from './case-store.ts';

async function openCases(backend: TestBackend) {
  const db = await backend.open();
  await migrate(db, bankMigrationSets);
  const clock = new ManualClock('2026-11-10T01:00:00Z');
  const ids = createIds(clock);
  const audit = createAuditLog({ db, clock, ids, key: FIXTURE_AUDIT_KEY });
  const staff = createStaffDirectory({ db, clock, ids });
  const analyst = await staff.create({ login_id: 'sato', display_name: '佐藤', password: 'analyst-password', role: 'analyst' });
  const other = await staff.create({ login_id: 'kato', display_name: '加藤', password: 'analyst-password', role: 'analyst' });
  const customer_id = ids.next();
  await db.query(
    `INSERT INTO customers (id, name_kanji, name_kana, birth_date, phone, email, address, login_id, password_hash, created_at, phone_set_at)
     VALUES ($1, '山田 花子', 'ヤマダ ハナコ', '1948-03-15', '090-1111-2222', 'h@example.jp', '仙台', 'hanako', 'scrypt$unused', $2, $2)`,
    [customer_id, clock.now()],
  );
  const cases = createCaseStore({ db, clock, ids, audit });
  const auditCount = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log`))[0]!.n;
  return { db, clock, ids, audit, cases, analyst, other, customer_id, auditCount, close: () => db.close() };
}

for (const backend of testBackends) {
  describe(`cases and alerts on ${backend.name}`, { skip: backend.skip }, () => {
    test('alerts raised in a transaction that rolls back leave nothing; committed ones keep their order, codes and links', async () => {
      const t = await openCases(backend);
      try {
        await assert.rejects(t.db.transaction(async (tx) => {
          await t.cases.raiseAlert(tx, { kind: 'risk_deny', customer_id: t.customer_id, reason_codes: ['velocity_over_caps'] });
          throw new Error('the batch failed');
        }), /the batch failed/);
        assert.equal((await t.cases.listAlerts()).length, 0);

        const charge_id = t.ids.next();
        const link_id = t.ids.next();
        const raised = await t.db.transaction((tx) => t.cases.raiseAlert(tx, [
          { kind: 'risk_hold', severity: 'high', customer_id: t.customer_id, link_id, charge_id, reason_codes: ['new_link_large_charge', 'legacy_pin_new_operator'], details: { amount_yen: 100_000 } },
          { kind: 'credential_reverse_brute_force', summary: 'PIN 1234 across 50 accounts' },
        ]));
        assert.equal(raised.length, 2);
        const [second, first] = await t.cases.listAlerts();
        assert.equal(first!.id, raised[0]);
        assert.equal(second!.id, raised[1]);
        assert.deepEqual(first!.reason_codes, ['new_link_large_charge', 'legacy_pin_new_operator']);
        assert.deepEqual(first!.details, { amount_yen: 100_000 });
        assert.equal(first!.charge_id, charge_id);
        assert.equal(first!.status, 'open');
        assert.equal(second!.severity, 'medium');
        assert.deepEqual(second!.reason_codes, []);
        assert.equal(await t.auditCount(), 0, 'raising an alert is not a staff action');
      } finally {
        await t.close();
      }
    });

    test(`one call raises ${ALERTS_PER_RAISE_MAX} alerts with one statement, and an id raised again keeps its first alert`, async () => {
      const t = await openCases(backend);
      try {
        const many = Array.from({ length: ALERTS_PER_RAISE_MAX }, (_, n) => ({ kind: 'risk_deny' as const, reason_codes: [`code_${n}`] }));
        const ids = await t.db.transaction((tx) => t.cases.raiseAlert(tx, many));
        assert.equal(new Set(ids).size, ALERTS_PER_RAISE_MAX);
        const [{ n }] = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts`)) as [{ n: number }];
        assert.equal(n, ALERTS_PER_RAISE_MAX);

        const id = t.ids.next();
        await t.db.transaction((tx) => t.cases.raiseAlert(tx, { id, kind: 'not_me', summary: 'first' }));
        await t.db.transaction((tx) => t.cases.raiseAlert(tx, { id, kind: 'not_me', summary: 'second' }));
        assert.equal((await t.cases.getAlert(id))!.summary, 'first');
        assert.deepEqual(await t.db.transaction((tx) => t.cases.raiseAlert(tx, [])), []);
      } finally {
        await t.close();
      }
    });

    test('an unknown alert kind, one alert too many or a too long summary is a programmer error and raises nothing', async () => {
      const t = await openCases(backend);
      try {
        await assert.rejects(t.db.transaction((tx) => t.cases.raiseAlert(tx, { kind: 'made_up' as never })), AssertionFailed);
        const tooMany = Array.from({ length: ALERTS_PER_RAISE_MAX + 1 }, () => ({ kind: 'risk_deny' as const }));
        await assert.rejects(t.db.transaction((tx) => t.cases.raiseAlert(tx, tooMany)), AssertionFailed);
        await assert.rejects(t.db.transaction((tx) => t.cases.raiseAlert(tx, { kind: 'risk_deny', summary: 'x'.repeat(501) })), AssertionFailed);
        assert.equal((await t.cases.listAlerts()).length, 0);
      } finally {
        await t.close();
      }
    });

    test('a case opened in a transaction takes over its alerts, but not alerts already in another case; the same id opens once', async () => {
      const t = await openCases(backend);
      try {
        const [a, b] = await t.db.transaction((tx) => t.cases.raiseAlert(tx, [{ kind: 'risk_hold' }, { kind: 'risk_hold' }]));
        const first = await t.db.transaction((tx) => t.cases.openCase(tx, { kind: 'fraud_review', summary: 'held charges', alert_ids: [a!] }));
        const id = t.ids.next();
        const charge_id = t.ids.next();
        const dispute = await t.db.transaction((tx) => t.cases.openCase(tx, {
          id, kind: 'dispute', opened_by: 'customer', summary: '「身に覚えがない」 this wasn’t me', customer_id: t.customer_id, charge_ids: [charge_id], alert_ids: [a!, b!],
        }));
        assert.equal(dispute, id);
        assert.equal(await t.db.transaction((tx) => t.cases.openCase(tx, { id, kind: 'dispute', summary: 'again' })), id);
        assert.equal((await t.cases.getAlert(a!))!.case_id, first);
        assert.equal((await t.cases.getAlert(b!))!.case_id, dispute);
        const detail = (await t.cases.getCase(dispute))!;
        assert.equal(detail.case.summary, '「身に覚えがない」 this wasn’t me');
        assert.equal(detail.case.opened_by, 'customer');
        assert.deepEqual(detail.case.charge_ids, [charge_id]);
        assert.deepEqual(detail.alerts.map((alert) => alert.id), [b]);
        assert.equal((await t.cases.listCases({ status: 'open' })).length, 2);
        assert.deepEqual(await t.cases.counts(), { alerts_open: 2, alerts_acknowledged: 0, cases_open: 2 });
        await assert.rejects(t.db.transaction((tx) => t.cases.openCase(tx, { kind: 'dispute', summary: '   ' })), AssertionFailed);
      } finally {
        await t.close();
      }
    });

    test('an analyst assigns, notes and resolves a case as fraud: its alerts close, every step is audited and the chain verifies', async () => {
      const t = await openCases(backend);
      try {
        const [alert_id] = await t.db.transaction((tx) => t.cases.raiseAlert(tx, { kind: 'risk_hold', customer_id: t.customer_id }));
        const opened = await t.cases.openCaseForAlert(alert_id!, t.analyst.id);
        assert.equal(opened.outcome, 'done');
        const case_id = (opened as { case_id: string }).case_id;
        assert.equal((await t.cases.getAlert(alert_id!))!.status, 'acknowledged');
        assert.deepEqual(await t.cases.openCaseForAlert(alert_id!, t.analyst.id), { outcome: 'done', case_id }, 'the alert keeps its case');

        assert.equal(await t.cases.assign(case_id, t.analyst.id, t.analyst.id), 'done');
        t.clock.advance(60_000);
        assert.equal(await t.cases.addNote(case_id, '  Called the customer: she never opened a wallet.  ', t.analyst.id), 'done');
        assert.equal(await t.cases.resolve(case_id, 'fraud', t.analyst.id, 'customer confirmed'), 'done');

        const detail = (await t.cases.getCase(case_id))!;
        assert.equal(detail.case.status, 'resolved');
        assert.equal(detail.case.resolution, 'fraud');
        assert.equal(detail.case.resolved_by, t.analyst.id);
        assert.equal(detail.case.assignee_staff_id, t.analyst.id);
        assert.deepEqual(detail.notes.map((note) => [note.text, note.staff_name]), [['Called the customer: she never opened a wallet.', '佐藤']]);
        assert.equal(detail.alerts[0]!.status, 'closed');

        const entries = (await t.audit.list()).reverse();
        assert.deepEqual(entries.map((entry) => entry.action), ['case.open', 'case.assign', 'case.note', 'case.resolve']);
        assert.ok(entries.every((entry) => entry.staff_id === t.analyst.id && entry.subject === case_id));
        assert.equal(entries[3]!.reason, 'customer confirmed');
        assert.deepEqual(entries[3]!.details, { resolution: 'fraud', alerts_closed: [alert_id] });
        const verified = await t.audit.verify();
        assert.deepEqual(verified.ok && [verified.entries_count, verified.head_hash], [4, entries[3]!.hash]);
      } finally {
        await t.close();
      }
    });

    test('a resolved case cannot be resolved again or reassigned, yet takes notes; unknown or malformed ids are not found; none of the refusals is audited', async () => {
      const t = await openCases(backend);
      try {
        const case_id = await t.db.transaction((tx) => t.cases.openCase(tx, { kind: 'dispute', summary: 'not me' }));
        assert.equal(await t.cases.resolve(case_id, 'legitimate', t.analyst.id, 'card holder confirmed by phone'), 'done');
        const before = await t.auditCount();
        assert.equal(await t.cases.resolve(case_id, 'fraud', t.other.id, 'second look'), 'not_open');
        assert.equal(await t.cases.assign(case_id, t.other.id, t.other.id), 'not_open');
        assert.equal((await t.cases.getCase(case_id))!.case.resolution, 'legitimate');
        const unknown = t.ids.next();
        assert.equal(await t.cases.resolve(unknown, 'fraud', t.analyst.id, 'no such case'), 'not_found');
        assert.equal(await t.cases.assign('not-a-uuid', t.analyst.id, t.analyst.id), 'not_found');
        assert.equal(await t.cases.addNote(unknown, 'hello', t.analyst.id), 'not_found');
        assert.equal(await t.cases.acknowledgeAlert(unknown, t.analyst.id), 'not_found');
        assert.equal(await t.cases.closeAlert("'; DROP TABLE alerts; --", t.analyst.id), 'not_found');
        assert.deepEqual(await t.cases.openCaseForAlert(unknown, t.analyst.id), { outcome: 'not_found' });
        assert.equal(await t.cases.getCase('nope'), undefined);
        assert.equal(await t.auditCount(), before);
        assert.equal(await t.cases.addNote(case_id, 'Reviewed again in December.', t.other.id), 'done');
        assert.throws(() => t.cases.addNote(case_id, '   ', t.other.id), AssertionFailed);
        assert.throws(() => t.cases.addNote(case_id, 'x'.repeat(2001), t.other.id), AssertionFailed);
        assert.throws(() => t.cases.resolve(case_id, 'maybe' as never, t.other.id, 'unsure'), AssertionFailed);
      } finally {
        await t.close();
      }
    });

    test('alerts move open → acknowledged → closed once each; a closed alert opens no case', async () => {
      const t = await openCases(backend);
      try {
        const [alert_id] = await t.db.transaction((tx) => t.cases.raiseAlert(tx, { kind: 'credential_reverse_brute_force', customer_id: t.customer_id }));
        assert.equal(await t.cases.acknowledgeAlert(alert_id!, t.analyst.id), 'done');
        assert.equal(await t.cases.acknowledgeAlert(alert_id!, t.analyst.id), 'not_open');
        assert.equal((await t.cases.listAlerts({ status: 'active' })).length, 1);
        assert.equal(await t.cases.closeAlert(alert_id!, t.other.id, 'one customer mistyping'), 'done');
        assert.equal(await t.cases.closeAlert(alert_id!, t.other.id), 'not_open');
        assert.deepEqual(await t.cases.openCaseForAlert(alert_id!, t.analyst.id), { outcome: 'not_open' });
        const alert = (await t.cases.getAlert(alert_id!))!;
        assert.equal(alert.status, 'closed');
        assert.equal(alert.status_changed_by, t.other.id);
        assert.deepEqual(await t.cases.listAlerts({ status: 'active' }), []);
        assert.equal((await t.cases.listAlerts({ status: 'closed', customer_id: t.customer_id })).length, 1);
        assert.deepEqual((await t.audit.list()).map((entry) => [entry.action, entry.reason]).reverse(),
          [['alert.acknowledge', null], ['alert.close', 'one customer mistyping']]);
      } finally {
        await t.close();
      }
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so the two resolutions cannot overlap there.
    raceTest(backend, 'two analysts resolving one case at once: exactly one wins and one audit entry is written', async () => {
      const t = await openCases(backend);
      try {
        const case_id = await t.db.transaction((tx) => t.cases.openCase(tx, { kind: 'fraud_review', summary: 'race' }));
        const outcomes = await Promise.all([
          t.cases.resolve(case_id, 'fraud', t.analyst.id, 'race a'), t.cases.resolve(case_id, 'legitimate', t.other.id, 'race b'),
        ]);
        assert.deepEqual(outcomes.sort(), ['done', 'not_open']);
        assert.equal(await t.auditCount(), 1);
        assert.equal((await t.audit.verify()).ok, true);
      } finally {
        await t.close();
      }
    });
  });
}
