import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { NEW_LINK_CODE_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import { stepUpPurpose } from './step-up-purpose.ts';
import { balances, chargeLink, linkedElderlyCustomer, signedInApprovalPage, STEP_UP_TEST_RISK, type WaitingChargeCustomer } from './waiting-charge-fixture.ts';

const MINUTE_MS = 60 * 1000;

/**
 * A code relayed from a fake page is typed while the victim is still on it; the bank's answer is that no typed code
 * approves a charge on a link in its first day (src/mfa/factor-policy.ts). Under the bank's own setting here, where
 * the approval-mechanics tests turn it off (STEP_UP_TEST_BANK).
 */
for (const backend of testBackends) {
  describe(`typed codes on a new link's charges, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, risk: STEP_UP_TEST_RISK });
    });
    after(() => fixture?.close());

    async function challengedCharge(customer: WaitingChargeCustomer) {
      const response = await chargeLink(fixture, customer, 100_000);
      assert.equal(response.statusCode, 202, response.body);
      return response.json() as { id: string; amount_yen: number; status: string };
    }
    const purposeOf = (charge: { id: string }) => stepUpPurpose({ charge_id: charge.id, amount_yen: 100_000, payee_operator_id: fixture.operator.id });
    const approveWith = (customer: WaitingChargeCustomer, charge: { id: string }, code: string) =>
      fixture.bank.services.stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });

    test('a charge on a link made minutes ago cannot be approved by a texted code: none is sent, a typed one is not compared, nothing moves', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const charge = await challengedCharge(customer);
      const before = await balances(fixture, customer.account_id);
      assert.deepEqual(await fixture.bank.services.stepUp.sendCode(customer.customer_id, charge.id), { ok: false, code: 'new_link_cooling_off' });
      assert.equal(fixture.sms.messages(customer.phone).filter((message) => message.purpose === purposeOf(charge)).length, 0, 'no code went to the phone');
      assert.deepEqual(await approveWith(customer, charge, '123456'), { ok: false, code: 'new_link_cooling_off' });
      assert.deepEqual(await balances(fixture, customer.account_id), before);
      const [factor] = await fixture.db.query<{ failures_consecutive: number }>(`SELECT failures_consecutive FROM second_factors WHERE customer_id = $1 AND factor = 'sms'`, [customer.customer_id]);
      assert.equal(factor?.failures_consecutive ?? 0, 0, 'a refused code is not counted as a failure');
      const [row] = await fixture.db.query<{ status: string }>(`SELECT status FROM charges WHERE id = $1`, [charge.id]);
      assert.equal(row!.status, 'pending_approval', 'the charge still waits: the customer may decline it');
    });

    test('the approval page says until when a code cannot approve, that a passkey can, offers no code, and Decline still stops the link', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const charge = await challengedCharge(customer);
      const { page, cookies, csrf } = await signedInApprovalPage(fixture, customer, charge);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-factor-refused="new_link_cooling_off"/);
      assert.match(page.body, /linked to your account only recently, so to protect you a code \(text message or authenticator app\) cannot approve its payments until \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      assert.match(page.body, /A passkey can approve now/);
      assert.doesNotMatch(page.body, /id="send-sms"|id="approve-form"/, 'no code is offered');
      const sent = await fixture.bank.app.inject({ method: 'POST', url: `/bank/approvals/${charge.id}/sms?lang=en`, cookies, payload: { csrf } });
      assert.equal(sent.statusCode, 403, 'asking for a text anyway is refused');
      assert.match(sent.body, /a code cannot approve its payments yet/);
      const declined = await fixture.bank.app.inject({ method: 'POST', url: `/bank/approvals/${charge.id}/decline?lang=en`, cookies, payload: { csrf } });
      assert.equal(declined.statusCode, 200);
      assert.match(declined.body, /data-status="declined"/);
      const [link] = await fixture.db.query<{ status: string }>(`SELECT status FROM links WHERE id = $1`, [customer.link_id]);
      assert.equal(link!.status, 'frozen');
    });

    test('23 h 59 min after the link a code is still refused; at 24 h 01 min a texted code approves the charge and the money moves once', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      fixture.clock.advance(NEW_LINK_CODE_COOLING_OFF_MS - MINUTE_MS);
      const early = await challengedCharge(customer);
      assert.deepEqual(await fixture.bank.services.stepUp.sendCode(customer.customer_id, early.id), { ok: false, code: 'new_link_cooling_off' });
      fixture.clock.advance(2 * MINUTE_MS);
      // The same charge, still waiting, may now be approved: the day is counted from the link, not from the charge.
      const before = await balances(fixture, customer.account_id);
      const sent = await fixture.bank.services.stepUp.sendCode(customer.customer_id, early.id);
      assert.ok(sent.ok, 'a code is sent once the link is a day old');
      assert.deepEqual(await approveWith(customer, early, fixture.sms.lastCode(customer.phone, purposeOf(early))!), { ok: true, status: 'succeeded' });
      assert.equal((await balances(fixture, customer.account_id)).posted_yen, before.posted_yen - 100_000);
    });
  });
}
