import { describe, test, before, after } from 'node:test';
import { NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { readPassbook } from '../bank/passbook.ts';
import type { Database, Queryable } from '../storage/database.ts';
import { createStepUpApprovals } from './step-up-approvals.ts';
import { createSoftwareAuthenticator } from '../testing/software-authenticator.ts';
import { STEP_UP_TIMEOUT_SECONDS, HOLD_TIMEOUT_SECONDS } from './pending-charge-timeouts.ts';
import { balances, chargeLink, enrolAuthenticator, linkedElderlyCustomer, stepUpCode, type WaitingChargeCustomer, STEP_UP_TEST_BANK } from './waiting-charge-fixture.ts';

for (const backend of testBackends) {
  describe(`step-up approval and held charges on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, ...STEP_UP_TEST_BANK });
    });
    after(() => fixture?.close());

    const getCharge = (id: string) => fixture.bank.app.inject({ url: `/v1/charges/${id}`, headers: { authorization: fixture.operator.basic } });
    const monthTotal = async (link_id: string) =>
      (await fixture.db.query<{ charged_yen: number }>(`SELECT coalesce(sum(charged_yen), 0)::int8 AS charged_yen FROM link_monthly_totals WHERE link_id = $1`, [link_id]))[0]!.charged_yen;

    /** A fresh elderly customer whose ¥100,000 on a new PIN link was just challenged. */
    async function challenged(amount_yen = 100_000): Promise<{ customer: WaitingChargeCustomer; charge: { id: string; amount_yen: number; status: string } }> {
      const customer = await linkedElderlyCustomer(fixture);
      const response = await chargeLink(fixture, customer, amount_yen);
      assert.equal(response.statusCode, 202, response.body);
      return { customer, charge: response.json() };
    }

    /** A fresh customer whose ¥100,000 came five minutes after a wrong PIN, and was held. */
    async function held() {
      const customer = await linkedElderlyCustomer(fixture);
      assert.equal((await legacyLink(fixture, { ...customer.fields, pin: '0000' })).response.statusCode, 422);
      const response = await chargeLink(fixture, customer, 100_000);
      assert.equal(response.json().status, 'held', response.body);
      return { customer, charge: response.json() as { id: string; amount_yen: number; status: string } };
    }

    test('the 2020 pattern is answered 202 pending_approval; the money is reserved, not moved, and the customer is texted the amount, payee and link', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const before = await balances(fixture, customer.account_id);
      const response = await chargeLink(fixture, customer, 100_000);
      assert.equal(response.statusCode, 202);
      const body = response.json();
      assert.equal(body.status, 'pending_approval');
      assert.equal(new Date(body.approval_expires_at).getTime() - fixture.clock.now().getTime(), STEP_UP_TIMEOUT_SECONDS * 1000);
      assert.deepEqual(await balances(fixture, customer.account_id), { ...before, debits_pending_yen: 100_000 });
      assert.equal((await balances(fixture, fixture.operator.settlement_account_id)).credits_pending_yen >= 100_000, true);
      assert.equal(await monthTotal(customer.link_id), 100_000, 'the reservation counts against the month');
      // The link's own notice goes out through the outbox dispatcher and may land before or after this one.
      const texts = fixture.sms.messages(customer.phone).filter((message) => message.purpose === 'charge_approval');
      assert.equal(texts.length, 1, 'one approval request reached the phone');
      const text = texts[0]!;
      assert.match(text.text, /¥100,000/);
      assert.match(text.text, /ドコモ口座 \(テスト\)/);
      assert.ok(text.text.includes(`${fixture.url}/bank/approvals/${body.id}`));
      assert.doesNotMatch(text.text, /\b\d{6}\b/, 'the notice carries no code');
      const polled = await getCharge(body.id);
      assert.equal(polled.json().status, 'pending_approval');
    });

    test('a passkey approves a charge only with the challenge issued for that charge, amount and payee; any other answer moves nothing', async () => {
      const { customer, charge } = await challenged();
      const other = await chargeLink(fixture, customer, 90_000);
      assert.equal(other.statusCode, 202, other.body);
      const { stepUp, secondFactors, passkeys } = fixture.bank.services;
      const passkey = createSoftwareAuthenticator({ origin: 'http://bank.test', rp_id: 'bank.test' });
      const session = 'session:step-up-test';
      const registration = await passkeys.registrationOptions(customer.customer_id, session);
      await secondFactors.sendSmsCode(customer.customer_id, 'enrol_passkey');
      assert.ok((await secondFactors.enrolPasskey(customer.customer_id, { response: JSON.stringify(passkey.register(registration)), name: 'Phone', bound_to: session },
        { factor: 'sms', code: fixture.sms.lastCode(customer.phone, 'enrol_passkey')!, purpose: 'enrol_passkey' })).ok);
      // Dated back past its cooling-off (src/mfa/factor-policy.ts), as a passkey registered the day before: a new one approves no charge.
      await fixture.db.query(`UPDATE passkeys SET created_at = created_at - $2::interval WHERE customer_id = $1`,
        [customer.customer_id, `${NEW_FACTOR_COOLING_OFF_MS + 60_000} milliseconds`]);
      const before = await balances(fixture, customer.account_id);
      const shown = { charge_id: charge.id, amount_yen: 100_000, payee_operator_id: fixture.operator.id };
      const approve = (charge_id: string, amount_yen: number, response: unknown, bound_to = session) =>
        stepUp.approve(customer.customer_id, charge_id, { amount_yen, payee_operator_id: fixture.operator.id, factor: 'passkey', response: JSON.stringify(response), bound_to });

      const for_this = await stepUp.passkeyOptions(customer.customer_id, shown, session);
      assert.ok(for_this);
      assert.deepEqual(await approve(other.json().id, 90_000, passkey.assert(for_this)), { ok: false, code: 'passkey_challenge_invalid' }, 'a challenge for one charge approves no other');
      const again = await stepUp.passkeyOptions(customer.customer_id, shown, session);
      assert.deepEqual(await approve(charge.id, 10_000, passkey.assert(again!)), { ok: false, code: 'passkey_challenge_invalid' }, 'nor another amount');
      const third = await stepUp.passkeyOptions(customer.customer_id, shown, session);
      assert.deepEqual(await approve(charge.id, 100_000, passkey.assert(third!), 'session:another'), { ok: false, code: 'passkey_challenge_invalid' }, 'nor from another session');
      assert.deepEqual(await balances(fixture, customer.account_id), before, 'nothing moved');
      assert.equal((await getCharge(other.json().id)).json().status, 'pending_approval');

      const good = await stepUp.passkeyOptions(customer.customer_id, shown, session);
      const answer = passkey.assert(good!);
      assert.deepEqual(await approve(charge.id, 100_000, answer), { ok: true, status: 'succeeded' });
      assert.equal((await balances(fixture, customer.account_id)).posted_yen, before.posted_yen - 100_000);
      assert.deepEqual(await approve(charge.id, 100_000, answer), { ok: false, code: 'approval_not_waiting' }, 'money moves once');
    });

    test('approving with the SMS code bound to the amount and payee moves the money once and the passbook names the operator', async () => {
      const { customer, charge } = await challenged();
      const before = await balances(fixture, customer.account_id);
      const code = await stepUpCode(fixture, customer, charge);
      const outcome = await fixture.bank.services.stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });
      assert.deepEqual(outcome, { ok: true, status: 'succeeded' });
      assert.deepEqual(await balances(fixture, customer.account_id), { posted_yen: before.posted_yen - 100_000, debits_pending_yen: 0, credits_pending_yen: 0 });
      assert.equal(await monthTotal(customer.link_id), 100_000);
      const polled = (await getCharge(charge.id)).json();
      assert.equal(polled.status, 'succeeded');
      const last = (await readPassbook(fixture.db, fixture.bank.services.ledger, customer.account_id)).at(-1)!;
      assert.deepEqual([last.label, last.withdrawal_yen], ['ドコモ口座', 100_000]);
      const again = await fixture.bank.services.stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });
      assert.deepEqual(again, { ok: false, code: 'approval_not_waiting' });
      const [history] = await fixture.db.query<{ charges_count: number }>(`SELECT charges_count FROM risk_customer_stats WHERE customer_id = $1`, [customer.customer_id]);
      assert.equal(history?.charges_count, 1, 'an approved charge joins the history the risk features read');
      const notices = await fixture.db.query<{ template: string }>(
        `SELECT template FROM notification_outbox WHERE data->>'charge_id' = $1`, [charge.id]);
      assert.deepEqual(notices.map((notice) => notice.template), ['charge_succeeded'], 'the customer is told once the money moves, not before');
    });

    test('the SMS code for a challenged charge names the payee and the amount where it arrives, warns never to give it elsewhere, and never shows the internal purpose', async () => {
      const { customer, charge } = await challenged();
      await stepUpCode(fixture, customer, charge);
      const sent = fixture.sms.messages(customer.phone).at(-1)!;
      assert.match(sent.text, /ドコモ口座 \(テスト\)への¥100,000のお支払いの承認/);
      assert.match(sent.text, /approving a payment of ¥100,000 to ドコモ口座 \(テスト\)/);
      assert.match(sent.text, /他のサイトや電話で伝えないでください/);
      assert.match(sent.text, /Never enter it on another site or read it out on the phone/);
      assert.doesNotMatch(sent.text, /charge_[a-z]/, 'the binding digest is the bank’s, not the customer’s');
    });

    test('a replay of a challenged charge answers 202 with the same charge, and 201 once it was approved', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const first = await chargeLink(fixture, customer, 100_000, `replay-${customer.customer_id}`);
      const again = await chargeLink(fixture, customer, 100_000, `replay-${customer.customer_id}`);
      assert.deepEqual([again.statusCode, again.headers['idempotent-replayed'], again.json().id], [202, 'true', first.json().id]);
      const code = await stepUpCode(fixture, customer, first.json());
      await fixture.bank.services.stepUp.approve(customer.customer_id, first.json().id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });
      const after = await chargeLink(fixture, customer, 100_000, `replay-${customer.customer_id}`);
      assert.deepEqual([after.statusCode, after.json().status], [201, 'succeeded']);
    });

    test('an approval for a different amount or payee is refused and nothing moves, whether by SMS code or authenticator app', async () => {
      const { customer, charge } = await challenged();
      const { stepUp } = fixture.bank.services;
      const code = await stepUpCode(fixture, customer, charge);
      // SMS approves nothing once an authenticator is enrolled: the authenticator's binding is checked on another customer.
      const withApp = await challenged();
      const totp = await enrolAuthenticator(fixture, withApp.customer);
      const totpCode = await totp();
      const before = await fixture.snapshot();
      const other_payee = '0190a000-0000-7000-8000-00000000dead';
      assert.deepEqual(await stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_001, payee_operator_id: fixture.operator.id, factor: 'sms', code }), { ok: false, code: 'second_factor_failed' });
      assert.deepEqual(await stepUp.approve(customer.customer_id, charge.id, { amount_yen: 99_999, payee_operator_id: fixture.operator.id, factor: 'sms', code }), { ok: false, code: 'second_factor_failed' });
      assert.deepEqual(await stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: other_payee, factor: 'sms', code }), { ok: false, code: 'second_factor_failed' });
      // An authenticator code carries no binding of its own: the bank compares what the customer was shown.
      assert.deepEqual(await stepUp.approve(withApp.customer.customer_id, withApp.charge.id, { amount_yen: 1, payee_operator_id: fixture.operator.id, factor: 'totp', code: totpCode }), { ok: false, code: 'step_up_binding_mismatch' });
      // Failed codes count toward the factor's lock; nothing else is written: no transfer, no charge change, no notice.
      await fixture.assertNothingWritten(before, { except: ['second_factor_spent', 'sms_code'] });
      assert.equal((await getCharge(charge.id)).json().status, 'pending_approval');
      // The right amount and payee with the same SMS code (never spent by the failures) still approves.
      assert.deepEqual(await stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code }), { ok: true, status: 'succeeded' });
    });

    test('an SMS code for one charge does not approve another charge of the same amount', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const a = (await chargeLink(fixture, customer, 100_000)).json();
      const b = (await chargeLink(fixture, customer, 100_000)).json();
      assert.deepEqual([a.status, b.status], ['pending_approval', 'pending_approval']);
      const code = await stepUpCode(fixture, customer, a);
      const outcome = await fixture.bank.services.stepUp.approve(customer.customer_id, b.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });
      assert.deepEqual(outcome, { ok: false, code: 'second_factor_failed' });
    });

    test('declining voids the reservation: balance and month total as before, and staff are alerted', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const before = await balances(fixture, customer.account_id);
      const charge = (await chargeLink(fixture, customer, 100_000)).json();
      assert.deepEqual(await fixture.bank.services.stepUp.decline(customer.customer_id, charge.id), { ok: true, status: 'declined' });
      assert.deepEqual(await balances(fixture, customer.account_id), before);
      assert.equal(await monthTotal(customer.link_id), 0);
      assert.equal((await getCharge(charge.id)).json().status, 'declined');
      const alerts = await fixture.bank.services.cases.listAlerts({ customer_id: customer.customer_id });
      assert.ok(alerts.some((alert) => alert.kind === 'risk_challenge' && alert.reason_codes.includes('customer_declined_step_up')));
    });

    test('declining a charge freezes its link: the next charge is refused link_frozen, and another charge waiting on it voids when approved', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const first = (await chargeLink(fixture, customer, 100_000)).json();
      const second = (await chargeLink(fixture, customer, 100_000)).json();
      assert.deepEqual([first.status, second.status], ['pending_approval', 'pending_approval']);
      const code = await stepUpCode(fixture, customer, second);
      assert.deepEqual(await fixture.bank.services.stepUp.decline(customer.customer_id, first.id), { ok: true, status: 'declined' });
      const [link] = await fixture.db.query<{ status: string }>(`SELECT status FROM links WHERE id = $1`, [customer.link_id]);
      assert.equal(link!.status, 'frozen');
      const next = await chargeLink(fixture, customer, 1_000);
      assert.equal(next.json().code, 'link_frozen', next.body);
      const approved = await fixture.bank.services.stepUp.approve(customer.customer_id, second.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });
      assert.deepEqual(approved, { ok: true, status: 'declined' }, 'the code was right, but no money moves on a frozen link');
      assert.equal(await monthTotal(customer.link_id), 0);
    });

    test('a challenge not approved within 10 minutes expires: one second before nothing happens, at the timeout the reservation is voided and staff get an alert', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const before = await balances(fixture, customer.account_id);
      const charge = (await chargeLink(fixture, customer, 100_000)).json();
      const { stepUp } = fixture.bank.services;
      // Earlier tests on this bank left waiting charges too: watch this one, not the counts.
      fixture.clock.advance(STEP_UP_TIMEOUT_SECONDS * 1000 - 1_000);
      await stepUp.expireDue();
      assert.equal((await getCharge(charge.id)).json().status, 'pending_approval');
      assert.equal((await balances(fixture, customer.account_id)).debits_pending_yen, 100_000);
      fixture.clock.advance(1_000);
      assert.ok(await stepUp.expireDue() >= 1);
      assert.equal((await getCharge(charge.id)).json().status, 'expired');
      assert.deepEqual(await balances(fixture, customer.account_id), before);
      assert.equal(await monthTotal(customer.link_id), 0);
      const alerts = await fixture.db.query<{ kind: string; customer_id: string; link_id: string }>(
        `SELECT kind, customer_id, link_id FROM alerts WHERE charge_id = $1 AND kind = 'risk_challenge_expired'`, [charge.id]);
      assert.deepEqual(alerts, [{ kind: 'risk_challenge_expired', customer_id: customer.customer_id, link_id: customer.link_id }],
        'a challenge nobody approved reaches staff');
      assert.equal(await stepUp.expireDue(), 0, 'expiring again changes nothing');
      assert.equal((await fixture.db.query(`SELECT 1 FROM alerts WHERE charge_id = $1 AND kind = 'risk_challenge_expired'`, [charge.id])).length, 1, 'and raises nothing twice');
      const late = await stepUp.decline(customer.customer_id, charge.id);
      assert.deepEqual(late, { ok: false, code: 'approval_not_waiting' });
    });

    test('an approval after the timeout but before the expiry job moves nothing, and the charge reads expired', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const totp = await enrolAuthenticator(fixture, customer);
      const before = await balances(fixture, customer.account_id);
      const charge = (await chargeLink(fixture, customer, 100_000)).json();
      // An SMS code would itself have expired (5 minutes); an authenticator code is fresh at any time.
      fixture.clock.advance(STEP_UP_TIMEOUT_SECONDS * 1000);
      const late = await fixture.bank.services.stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'totp', code: await totp() });
      assert.deepEqual(late, { ok: true, status: 'expired' });
      assert.equal((await getCharge(charge.id)).json().status, 'expired');
      assert.deepEqual(await balances(fixture, customer.account_id), before);
      assert.equal(await monthTotal(customer.link_id), 0);
    });

    test('staff release a held charge with approveHeld (the money moves) and refuse one with denyHeld (it does not)', async () => {
      const { stepUp } = fixture.bank.services;
      const first = await held();
      assert.equal(new Date((await getCharge(first.charge.id)).json().approval_expires_at).getTime() - fixture.clock.now().getTime(), HOLD_TIMEOUT_SECONDS * 1000);
      const before = await balances(fixture, first.customer.account_id);
      assert.deepEqual(await stepUp.approveHeld(first.charge.id, { by: 'staff-1' }), { ok: true, status: 'succeeded' });
      assert.equal((await balances(fixture, first.customer.account_id)).posted_yen, before.posted_yen - 100_000);
      const [resolved] = await fixture.db.query(`SELECT resolved_by FROM charges WHERE id = $1`, [first.charge.id]);
      assert.deepEqual(resolved, { resolved_by: 'staff:staff-1' });

      const second = await held();
      const before2 = await balances(fixture, second.customer.account_id);
      assert.deepEqual(await stepUp.denyHeld(second.charge.id, { by: 'staff-1' }), { ok: true, status: 'declined' });
      assert.deepEqual(await balances(fixture, second.customer.account_id), { ...before2, debits_pending_yen: 0 });
      assert.deepEqual(await stepUp.denyHeld(second.charge.id, { by: 'staff-1' }), { ok: false, code: 'approval_not_waiting' });
    });

    test('staff cannot release a challenged charge, nor a customer a held one', async () => {
      const { charge } = await challenged();
      assert.deepEqual(await fixture.bank.services.stepUp.approveHeld(charge.id, { by: 'staff-1' }), { ok: false, code: 'approval_not_waiting' });
      const hold = await held();
      assert.deepEqual(await fixture.bank.services.stepUp.sendCode(hold.customer.customer_id, hold.charge.id), { ok: false, code: 'approval_not_waiting' });
      assert.deepEqual(await fixture.bank.services.stepUp.decline(hold.customer.customer_id, hold.charge.id), { ok: false, code: 'approval_not_waiting' });
      assert.equal((await getCharge(charge.id)).json().status, 'pending_approval');
      assert.equal((await getCharge(hold.charge.id)).json().status, 'held');
    });

    test('an approval on a link revoked meanwhile voids the reservation instead, and the charge reads declined', async () => {
      const { customer, charge } = await challenged();
      const before = await balances(fixture, customer.account_id);
      const code = await stepUpCode(fixture, customer, charge);
      await fixture.bank.services.links.revoke(fixture.operator.id, customer.link_id, 'staff:test');
      const outcome = await fixture.bank.services.stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });
      assert.deepEqual(outcome, { ok: true, status: 'declined' });
      assert.deepEqual(await balances(fixture, customer.account_id), { ...before, debits_pending_yen: 0 });
      const [row] = await fixture.db.query(`SELECT resolved_by FROM charges WHERE id = $1`, [charge.id]);
      assert.deepEqual(row, { resolved_by: 'link_revoked' });
    });

    test('a waiting charge cannot be refunded; once approved it can', async () => {
      const { customer, charge } = await challenged();
      const refund = () => fixture.bank.app.inject({
        method: 'POST', url: `/v1/charges/${charge.id}/refunds`, payload: { amount_yen: 1_000 },
        headers: { authorization: fixture.operator.basic, 'idempotency-key': `refund-${charge.id}` },
      });
      const refused = await refund();
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().code, 'charge_not_settled');
      const code = await stepUpCode(fixture, customer, charge);
      await fixture.bank.services.stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });
      assert.equal((await refund()).statusCode, 201);
    });

    test('a customer can neither see nor approve nor decline another customer’s charge', async () => {
      const { charge } = await challenged();
      const stranger = await linkedElderlyCustomer(fixture);
      const { stepUp } = fixture.bank.services;
      const before = await fixture.snapshot();
      assert.equal(await stepUp.view(stranger.customer_id, charge.id), undefined);
      assert.deepEqual(await stepUp.sendCode(stranger.customer_id, charge.id), { ok: false, code: 'approval_not_found' });
      assert.deepEqual(await stepUp.decline(stranger.customer_id, charge.id), { ok: false, code: 'approval_not_found' });
      assert.deepEqual(await stepUp.approve(stranger.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code: '000000' }), { ok: false, code: 'approval_not_found' });
      assert.deepEqual(await stepUp.approveHeld('not-a-uuid', { by: 'staff-1' }), { ok: false, code: 'approval_not_found' });
      await fixture.assertNothingWritten(before, { message: 'a stranger\'s attempt wrote' });
      assert.equal((await getCharge(charge.id)).json().status, 'pending_approval');
    });

    test('expiring charges of several links in one pass gives each link its month back and writes one charge.expired webhook per charge, in three statements per chunk', async () => {
      await fixture.bank.services.webhooks.register(fixture.operator.id, 'http://127.0.0.1:9/hooks');
      const { stepUp: _, ...services } = fixture.bank.services;
      // Earlier tests' waiting charges expire too; with no other pass they all fit one chunk.
      const statements: string[] = [];
      const counted = (tx: Queryable): Queryable => ({
        query: <Row,>(sql: string, params?: readonly unknown[]) => {
          statements.push(sql);
          return tx.query<Row>(sql, params);
        },
        exec: (script) => tx.exec(script),
      });
      const db: Database = {
        backend: fixture.db.backend,
        query: (sql, params) => fixture.db.query(sql, params),
        exec: (script) => fixture.db.exec(script),
        transaction: (work) => fixture.db.transaction((tx) => work(counted(tx))),
        close: () => fixture.db.close(),
      };
      const stepUp = createStepUpApprovals({ ...services, db, public_url: fixture.url });
      const first = await challenged();
      // A second waiting charge on the first link: its month is given back the sum of both.
      const again = await chargeLink(fixture, first.customer, 50_000);
      assert.equal(again.json().status, 'pending_approval', again.body);
      const second = await challenged();
      const third = await challenged();
      const charge_ids = [first, second, third].map(({ charge }) => charge.id).concat(again.json().id);
      assert.equal(await monthTotal(first.customer.link_id), 150_000);
      fixture.clock.advance(STEP_UP_TIMEOUT_SECONDS * 1000);
      assert.ok(await stepUp.expireDue() >= 4);
      assert.equal(statements.length, 3, statements.join('\n---\n'));
      for (const charge_id of charge_ids) assert.equal((await getCharge(charge_id)).json().status, 'expired');
      for (const { customer } of [first, second, third]) {
        assert.equal(await monthTotal(customer.link_id), 0, 'the month is given back');
      }
      const deliveries = await fixture.db.query<{ charge_id: string; event_type: string; body: string }>(
        `SELECT charge_id, event_type, body FROM webhook_deliveries WHERE charge_id = ANY($1::uuid[])`, [charge_ids]);
      assert.deepEqual(deliveries.map((row) => row.charge_id).sort(), [...charge_ids].sort());
      for (const delivery of deliveries) {
        assert.equal(delivery.event_type, 'charge.expired');
        const event = JSON.parse(delivery.body);
        assert.deepEqual([event.type, event.data.charge.id, event.data.charge.status], ['charge.expired', delivery.charge_id, 'expired']);
      }
      assert.equal(await stepUp.expireDue(), 0);
      assert.equal(statements.length, 4, 'a pass with nothing to expire runs only its search');
    });

    test('after an approval, a decline and an expiry each customer paid only what they approved and the ledger sums to zero', async () => {
      // Made here, so that the test proves the invariants when it runs alone as well as after the others.
      const { stepUp } = fixture.bank.services;
      const approved = await challenged();
      const code = await stepUpCode(fixture, approved.customer, approved.charge);
      assert.deepEqual(await stepUp.approve(approved.customer.customer_id, approved.charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code }), { ok: true, status: 'succeeded' });
      const declined = await challenged();
      assert.deepEqual(await stepUp.decline(declined.customer.customer_id, declined.charge.id), { ok: true, status: 'declined' });
      const expired = await challenged();
      fixture.clock.advance(STEP_UP_TIMEOUT_SECONDS * 1000);
      assert.ok(await stepUp.expireDue() >= 1);
      assert.equal((await getCharge(expired.charge.id)).json().status, 'expired');
      assert.deepEqual(await balances(fixture, approved.customer.account_id), { posted_yen: 400_000, debits_pending_yen: 0, credits_pending_yen: 0 });
      for (const { customer } of [declined, expired]) {
        assert.deepEqual(await balances(fixture, customer.account_id), { posted_yen: 500_000, debits_pending_yen: 0, credits_pending_yen: 0 });
      }
      const report = await fixture.bank.services.ledger.checkInvariants();
      assert.deepEqual(report, { posted_sum_yen: 0, pending_sum_yen: 0, accounts_out_of_step: [], accounts_overdrawn: [], ok: true });
    });
  });
}
