import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createIncidentFixture, fraudCase, stolenCharges, type IncidentFixture } from '../testing/incident-fixture.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { readPassbook } from '../bank/passbook.ts';
import { BANK_FRAUD_LOSS_ACCOUNT_ID, COMPENSATION_CLEARING_ACCOUNT_ID } from '../bank/chart-of-accounts.ts';
import { refundCharge } from '../charges/refund-charge.ts';

/** Asserts that `work` is refused with `code` and leaves every table exactly as it was. */
async function refusedWithNothingWritten(fixture: IncidentFixture, code: string, work: () => Promise<unknown>): Promise<void> {
  const before = await snapshotDatabase(fixture.db);
  await assert.rejects(work(), (error: unknown) => error instanceof FurikaeError && error.code === code,
    `expected ${code}`);
  assertNothingWritten(before, await snapshotDatabase(fixture.db), { message: `${code} wrote nothing` });
}

async function balanceOf(fixture: IncidentFixture, account_id: string): Promise<number> {
  return fixture.bank.services.core.balance(account_id);
}

for (const backend of testBackends) {
  describe(`compensation with four eyes on ${backend.name}`, { skip: backend.skip }, () => {
    async function withFixture(run: (fixture: IncidentFixture) => Promise<void>) {
      const fixture = await createIncidentFixture(backend);
      try {
        await run(fixture);
      } finally {
        await fixture.close();
      }
    }

    test('a case confirmed as fraud is compensated in full by the operator by default: one passbook line, a notice, a webhook, audited', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        await services.webhooks.register(fixture.operator.id, 'http://127.0.0.1:9/hooks');
        const stolen = await stolenCharges(fixture, [100_000, 100_000, 30_000]);
        const case_id = await fraudCase(fixture, stolen);
        const customerBefore = await balanceOf(fixture, fixture.customer.account_id);
        const operatorBefore = await balanceOf(fixture, fixture.operator.settlement_account_id);

        const proposed = await services.compensations.propose({ incident_id: fixture.incident.id, source: { kind: 'case', case_id }, charges: stolen.charge_ids.map((charge_id) => ({ charge_id })) }, fixture.analyst.id);
        assert.equal(proposed.status, 'proposed');
        assert.deepEqual([proposed.amount_yen, proposed.operator_share_percent, proposed.operator_yen, proposed.bank_yen], [230_000, 100, 230_000, 0]);
        assert.equal(await balanceOf(fixture, fixture.customer.account_id), customerBefore, 'a proposal moves no money');

        const outcome = await services.compensations.approve(proposed.id, fixture.checker.id);
        assert.equal(outcome.kind, 'paid');
        assert.equal(await balanceOf(fixture, fixture.customer.account_id), customerBefore + 230_000);
        assert.equal(await balanceOf(fixture, fixture.operator.settlement_account_id), operatorBefore - 230_000);
        assert.equal(await balanceOf(fixture, COMPENSATION_CLEARING_ACCOUNT_ID), 0, 'clearing holds nothing between payments');
        assert.equal(await balanceOf(fixture, BANK_FRAUD_LOSS_ACCOUNT_ID), 0, 'the bank paid no share');

        const passbook = await readPassbook(fixture.db, services.ledger, fixture.customer.account_id);
        const lines = passbook.filter((line) => line.label.startsWith('不正利用補償'));
        assert.deepEqual(lines.map((line) => [line.label, line.deposit_yen]), [['不正利用補償 ドコモ口座', 230_000]], 'one line for the whole amount');

        const [notice] = await fixture.db.query<{ template: string; data: Record<string, unknown>; customer_id: string }>(
          `SELECT template, data, customer_id FROM notification_outbox WHERE template = 'compensation_paid'`);
        assert.equal(notice?.customer_id, fixture.customer.id);
        assert.equal(notice?.data.amount_yen, 230_000);
        assert.equal(notice?.data.account_masked, '****567');
        const [hook] = await fixture.db.query<{ event_type: string; body: string }>(`SELECT event_type, body FROM webhook_deliveries WHERE event_type = 'compensation.paid'`);
        const body = JSON.parse(hook!.body) as { data: { compensation: { id: string; amount_yen: number; operator_share_yen: number; charges: { id: string }[] } } };
        assert.equal(body.data.compensation.id, proposed.id);
        assert.equal(body.data.compensation.operator_share_yen, 230_000);
        assert.deepEqual(body.data.compensation.charges.map((c) => c.id).sort(), [...stolen.charge_ids].sort());
        assert.doesNotMatch(hook!.body, /山田|1234567|hanako/, 'the operator learns no customer detail');

        const actions = (await services.audit.list({ subject: proposed.id })).map((entry) => [entry.action, entry.staff_id]).reverse();
        assert.deepEqual(actions, [['compensation.propose', fixture.analyst.id], ['compensation.approve', fixture.checker.id], ['compensation.pay', fixture.checker.id]]);
        assert.equal((await services.audit.verify()).ok, true);
        assert.equal((await services.ledger.checkInvariants()).ok, true);
      });
    });

    test("the operator's agreed share splits the payment; the bank's part is debited to its fraud-loss account, and the odd yen is the bank's", async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        await services.compensationAgreements.set(fixture.operator.id, 60, fixture.admin.id, '2020年9月の合意: 事業者6割');
        const stolen = await stolenCharges(fixture, [50_001]);
        const case_id = await fraudCase(fixture, stolen);
        const operatorBefore = await balanceOf(fixture, fixture.operator.settlement_account_id);
        const proposed = await services.compensations.propose({ incident_id: fixture.incident.id, source: { kind: 'case', case_id }, charges: [{ charge_id: stolen.charge_ids[0]! }] }, fixture.analyst.id);
        assert.deepEqual([proposed.operator_yen, proposed.bank_yen], [30_000, 20_001]);
        assert.equal((await services.compensations.approve(proposed.id, fixture.admin.id)).kind, 'paid');
        assert.equal(await balanceOf(fixture, fixture.operator.settlement_account_id), operatorBefore - 30_000);
        assert.equal(await balanceOf(fixture, BANK_FRAUD_LOSS_ACCOUNT_ID), -20_001);
        assert.equal(await balanceOf(fixture, COMPENSATION_CLEARING_ACCOUNT_ID), 0);
        const [agreement] = await services.audit.list({ action: 'compensation.agreement' });
        assert.deepEqual(agreement?.details, { operator_share_percent_from: 100, operator_share_percent_to: 60 });
        assert.equal((await services.ledger.checkInvariants()).ok, true);
      });
    });

    test('four eyes: the proposer cannot approve, a viewer can neither propose nor approve, and only an admin sets an agreement; each refusal writes nothing', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const stolen = await stolenCharges(fixture, [100_000]);
        const case_id = await fraudCase(fixture, stolen);
        const proposal = { incident_id: fixture.incident.id, source: { kind: 'case' as const, case_id }, charges: [{ charge_id: stolen.charge_ids[0]! }] };
        await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => services.compensations.propose(proposal, fixture.viewer.id));
        const proposed = await services.compensations.propose(proposal, fixture.analyst.id);
        await refusedWithNothingWritten(fixture, 'compensation_self_approval', () => services.compensations.approve(proposed.id, fixture.analyst.id));
        await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => services.compensations.approve(proposed.id, fixture.viewer.id));
        await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => services.compensationAgreements.set(fixture.operator.id, 50, fixture.analyst.id, 'not mine to set'));
        await refusedWithNothingWritten(fixture, 'compensation_share_invalid', () => services.compensationAgreements.set(fixture.operator.id, 101, fixture.admin.id, 'too much'));
        await refusedWithNothingWritten(fixture, 'compensation_share_invalid', () => services.compensationAgreements.set(fixture.operator.id, 12.5, fixture.admin.id, 'a fraction'));
        await refusedWithNothingWritten(fixture, 'staff_reason_invalid', () => services.compensationAgreements.set(fixture.operator.id, 50, fixture.admin.id, '  '));
        await refusedWithNothingWritten(fixture, 'operator_not_found', () => services.compensationAgreements.set(fixture.bank.services.ids.next(), 50, fixture.admin.id, 'no such operator'));
        // The schema holds the line too: a proposer written in as approver is refused by the database itself.
        await assert.rejects(fixture.db.query(`UPDATE compensations SET status = 'approved', approved_at = now(), approved_by = proposed_by WHERE id = $1`, [proposed.id]), /check/i);
        assert.equal((await services.compensations.approve(proposed.id, fixture.checker.id)).kind, 'paid');
      });
    });

    test('bad proposals are refused and change nothing: a charge not in the case, above what remains after a refund, twice, mixed, an unconfirmed case, an unknown or closed incident', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const stolen = await stolenCharges(fixture, [100_000, 40_000]);
        const case_id = await fraudCase(fixture, { link_id: stolen.link_id, charge_ids: [stolen.charge_ids[0]!] });
        const elsewhere = stolen.charge_ids[1]!;
        const propose = (charges: { charge_id: string; amount_yen?: number }[], overrides: Partial<{ incident_id: string; case_id: string }> = {}) =>
          services.compensations.propose({ incident_id: overrides.incident_id ?? fixture.incident.id, source: { kind: 'case', case_id: overrides.case_id ?? case_id }, charges }, fixture.analyst.id);

        await refusedWithNothingWritten(fixture, 'compensation_charge_not_in_source', () => propose([{ charge_id: elsewhere }]));
        // The operator refunded ¥30,000 of the stolen ¥100,000: ¥70,000 is left to make good.
        const operator = (await services.operators.get(fixture.operator.id))!;
        await refundCharge(services, operator, { charge_id: stolen.charge_ids[0]!, idempotency_key: 'partial-refund', amount_yen: 30_000 });
        await refusedWithNothingWritten(fixture, 'compensation_exceeds_charge', () => propose([{ charge_id: stolen.charge_ids[0]!, amount_yen: 70_001 }]));
        await refusedWithNothingWritten(fixture, 'compensation_exceeds_charge', () => propose([{ charge_id: stolen.charge_ids[0]!, amount_yen: 0 }]));
        await refusedWithNothingWritten(fixture, 'compensation_exceeds_charge', () => propose([{ charge_id: stolen.charge_ids[0]!, amount_yen: 1.5 }]));
        await refusedWithNothingWritten(fixture, 'incident_not_found', () => propose([{ charge_id: stolen.charge_ids[0]! }], { incident_id: fixture.bank.services.ids.next() }));
        await refusedWithNothingWritten(fixture, 'case_not_found', () => propose([{ charge_id: stolen.charge_ids[0]! }], { case_id: fixture.bank.services.ids.next() }));
        await refusedWithNothingWritten(fixture, 'validation_failed', () => propose([]));
        await refusedWithNothingWritten(fixture, 'validation_failed', () => propose([{ charge_id: stolen.charge_ids[0]! }, { charge_id: stolen.charge_ids[0]! }]));

        const exact = await propose([{ charge_id: stolen.charge_ids[0]!, amount_yen: 70_000 }]);
        assert.equal(exact.amount_yen, 70_000, 'exactly what remains is accepted');
        await refusedWithNothingWritten(fixture, 'compensation_charge_already_compensated', () => propose([{ charge_id: stolen.charge_ids[0]! }]));
        // Nor may the operator refund what the proposal is making good: the customer would be paid twice.
        await assert.rejects(refundCharge(services, operator, { charge_id: stolen.charge_ids[0]!, idempotency_key: 'late-refund', amount_yen: 1 }),
          (error: unknown) => error instanceof FurikaeError && error.code === 'refund_exceeds_charge');
        // A rejected proposal lets go of its charge, so it can be proposed again.
        await refusedWithNothingWritten(fixture, 'staff_reason_invalid', () => services.compensations.reject(exact.id, fixture.checker.id, ''));
        await services.compensations.reject(exact.id, fixture.checker.id, '金額を再確認 Amount to be checked again');
        await refusedWithNothingWritten(fixture, 'compensation_not_proposed', () => services.compensations.approve(exact.id, fixture.checker.id));
        const again = await propose([{ charge_id: stolen.charge_ids[0]! }]);
        assert.equal(again.amount_yen, 70_000);

        const open = await fraudCase(fixture, { link_id: stolen.link_id, charge_ids: [elsewhere] }, 'open');
        await refusedWithNothingWritten(fixture, 'compensation_case_not_confirmed', () => propose([{ charge_id: elsewhere }], { case_id: open }));

        // Charges from two operators in one proposal: one passbook line and one webhook cannot name both.
        const other = await services.operators.register({ display_name: 'Kyash (テスト)', passbook_label: 'キャッシュ', link_methods_allowed: ['legacy_pin'] });
        // Written straight in the table: the fixture's link path registers charges for its one operator only.
        const [otherCharge] = await fixture.db.query<{ id: string }>(
          `INSERT INTO charges (id, operator_id, link_id, account_id, idempotency_key, request_hash, amount_yen, status, created_at)
           SELECT $1, $2, link_id, account_id, 'other-op', 'x', 1000, 'succeeded', created_at FROM charges WHERE id = $3 RETURNING id`,
          [fixture.bank.services.ids.next(), other.operator.id, elsewhere]);
        const mixed = await fixture.db.transaction((tx) => services.cases.openCase(tx, { kind: 'fraud_review', summary: 'two operators', charge_ids: [elsewhere, otherCharge!.id] }));
        await services.incidents.attachCases(fixture.incident.id, [mixed], fixture.analyst.id);
        await services.cases.resolve(mixed, 'fraud', fixture.analyst.id, 'confirmed with the customer');
        await refusedWithNothingWritten(fixture, 'compensation_charges_mixed', () => propose([{ charge_id: elsewhere }, { charge_id: otherCharge!.id }], { case_id: mixed }));

        // A closed incident takes nothing new.
        await services.compensations.reject(again.id, fixture.checker.id, 'closing');
        for (const to of ['contained', 'remediated'] as const) await services.incidents.advance(fixture.incident.id, to, fixture.admin.id);
        await fixture.db.query(`UPDATE cases SET status = 'resolved', resolution = 'legitimate', resolved_at = now(), resolved_by = $2 WHERE id = $1`, [open, fixture.analyst.id]);
        await services.incidents.advance(fixture.incident.id, 'closed', fixture.admin.id);
        await refusedWithNothingWritten(fixture, 'incident_closed', () => propose([{ charge_id: stolen.charge_ids[0]! }]));
      });
    });

    test('approving twice pays once: the second approval is refused and the money moved one time', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const stolen = await stolenCharges(fixture, [100_000]);
        const case_id = await fraudCase(fixture, stolen);
        const before = await balanceOf(fixture, fixture.customer.account_id);
        const proposed = await services.compensations.propose({ incident_id: fixture.incident.id, source: { kind: 'case', case_id }, charges: [{ charge_id: stolen.charge_ids[0]! }] }, fixture.analyst.id);
        assert.equal((await services.compensations.approve(proposed.id, fixture.checker.id)).kind, 'paid');
        await refusedWithNothingWritten(fixture, 'compensation_not_proposed', () => services.compensations.approve(proposed.id, fixture.admin.id));
        assert.equal((await services.compensations.retryPayment(proposed.id)).kind, 'already_paid');
        assert.deepEqual(await services.compensations.payDue(), []);
        assert.equal(await balanceOf(fixture, fixture.customer.account_id), before + 100_000);
        const [{ n }] = await fixture.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification_outbox WHERE template = 'compensation_paid'`) as [{ n: number }];
        assert.equal(n, 1, 'one notice');
      });
    });

    test("an operator whose settlement account cannot cover its share is not overdrawn: nothing moves, staff see why, and it is paid once funds arrive", async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const stolen = await stolenCharges(fixture, [100_000]);
        const case_id = await fraudCase(fixture, stolen);
        const proposed = await services.compensations.propose({ incident_id: fixture.incident.id, source: { kind: 'case', case_id }, charges: [{ charge_id: stolen.charge_ids[0]! }] }, fixture.analyst.id);
        // The operator has already paid its settlement balance out (to its own bank, here the cash account).
        const drained = await balanceOf(fixture, fixture.operator.settlement_account_id);
        assert.equal(await services.core.withdraw(fixture.operator.settlement_account_id, drained - 99_999).then((r) => r.ok), true);
        const customerBefore = await balanceOf(fixture, fixture.customer.account_id);

        const outcome = await services.compensations.approve(proposed.id, fixture.checker.id);
        assert.deepEqual(outcome.kind === 'refused' && outcome.code, 'operator_funds_insufficient');
        assert.equal(await balanceOf(fixture, fixture.operator.settlement_account_id), 99_999, 'never overdrawn');
        assert.equal(await balanceOf(fixture, fixture.customer.account_id), customerBefore);
        assert.equal(await balanceOf(fixture, COMPENSATION_CLEARING_ACCOUNT_ID), 0, 'no leg stayed behind');
        const detail = await services.compensations.get(proposed.id);
        assert.equal(detail?.compensation.status, 'approved');
        assert.match(detail?.compensation.payment_error ?? '', /cannot cover/);

        await services.core.deposit(fixture.operator.settlement_account_id, 1, '事業者入金');
        const [paid] = await services.compensations.payDue();
        assert.equal(paid?.kind, 'paid');
        assert.equal(await balanceOf(fixture, fixture.operator.settlement_account_id), 0);
        assert.equal(await balanceOf(fixture, fixture.customer.account_id), customerBefore + 100_000);
        assert.equal((await services.compensations.get(proposed.id))?.compensation.payment_error, null);
      });
    });

    test('a refund made after the approval but before payment stops the payment rather than paying the customer twice', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const stolen = await stolenCharges(fixture, [100_000]);
        const case_id = await fraudCase(fixture, stolen);
        const proposed = await services.compensations.propose({ incident_id: fixture.incident.id, source: { kind: 'case', case_id }, charges: [{ charge_id: stolen.charge_ids[0]! }] }, fixture.analyst.id);
        // Straight in the table: the refund API itself refuses to refund a charge under compensation (tested above).
        await fixture.db.query(`UPDATE charges SET refunded_yen = 1 WHERE id = $1`, [stolen.charge_ids[0]]);
        const outcome = await services.compensations.approve(proposed.id, fixture.checker.id);
        assert.deepEqual(outcome.kind === 'refused' && outcome.code, 'compensation_exceeds_charge');
        assert.equal((await services.compensations.get(proposed.id))?.compensation.status, 'approved');
      });
    });
  });
}
