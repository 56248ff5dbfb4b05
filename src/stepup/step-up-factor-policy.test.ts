import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { enrolAuthenticatorApp, TOTP_STEP_MS } from '../testing/totp-enrolment.ts';
import { NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import { SIM_SWAP_WINDOW_HOURS } from '../telecom/sim-swap-check.ts';
import { stepUpPurpose } from './step-up-purpose.ts';
import { balances, chargeLink, linkedElderlyCustomer, signedInApprovalPage, STEP_UP_TEST_BANK, type WaitingChargeCustomer } from './waiting-charge-fixture.ts';

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

for (const backend of testBackends) {
  describe(`which factor approves a challenged charge, and SIM swaps, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, ...STEP_UP_TEST_BANK });
    });
    after(() => fixture?.close());

    async function challengedCharge(customer: WaitingChargeCustomer) {
      const response = await chargeLink(fixture, customer, 100_000);
      assert.equal(response.statusCode, 202, response.body);
      return response.json() as { id: string; amount_yen: number; status: string };
    }
    const approveWith = (customer: WaitingChargeCustomer, charge: { id: string }, factor: 'sms' | 'totp', code: string) =>
      fixture.bank.services.stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor, code });
    const smsCodes = (customer: WaitingChargeCustomer, charge: { id: string }) =>
      fixture.sms.messages(customer.phone).filter((message) => message.purpose === stepUpPurpose({ charge_id: charge.id, amount_yen: 100_000, payee_operator_id: fixture.operator.id }));
    const simSwapAlerts = (customer: WaitingChargeCustomer) =>
      fixture.db.query<{ kind: string; charge_id: string | null; reason_codes: string[] }>(`SELECT kind, charge_id, reason_codes FROM alerts WHERE customer_id = $1 AND kind = 'sim_swap_detected'`, [customer.customer_id]);

    test('SMS is refused for a step-up when an authenticator is enrolled: no code is sent, none is compared, nothing moves', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const authenticator = await enrolAuthenticatorApp({ secondFactors: fixture.bank.services.secondFactors, clock: fixture.clock, db: fixture.db }, customer.customer_id);
      const charge = await challengedCharge(customer);
      const before = await balances(fixture, customer.account_id);
      assert.deepEqual(await fixture.bank.services.stepUp.sendCode(customer.customer_id, charge.id), { ok: false, code: 'second_factor_not_allowed' });
      assert.equal(smsCodes(customer, charge).length, 0, 'no code went to the phone');
      assert.deepEqual(await approveWith(customer, charge, 'sms', '123456'), { ok: false, code: 'second_factor_not_allowed' });
      assert.deepEqual(await balances(fixture, customer.account_id), before);
      const [factor] = await fixture.db.query<{ failures_consecutive: number }>(`SELECT failures_consecutive FROM second_factors WHERE customer_id = $1 AND factor = 'sms'`, [customer.customer_id]);
      assert.equal(factor?.failures_consecutive ?? 0, 0, 'a refused factor’s code is not counted as a failure');
      assert.deepEqual(await approveWith(customer, charge, 'totp', await authenticator.nextCode()), { ok: true, status: 'succeeded' });
    });

    test('the approval page offers only the authenticator and says SMS cannot approve, with the branch as the way back', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      await enrolAuthenticatorApp({ secondFactors: fixture.bank.services.secondFactors, clock: fixture.clock, db: fixture.db }, customer.customer_id);
      const charge = await challengedCharge(customer);
      const { page } = await signedInApprovalPage(fixture, customer, charge);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-factor="totp"/, 'the authenticator code is asked for at once');
      assert.doesNotMatch(page.body, /id="method-sms"|id="send-sms"/, 'no SMS method is offered');
      assert.match(page.body, /data-factor-refused/);
      assert.match(page.body, /branch/);
    });

    test(`a SIM swap ${SIM_SWAP_WINDOW_HOURS - 1} h ago refuses SMS for a step-up and alerts staff; ${SIM_SWAP_WINDOW_HOURS + 1} h ago it does not`, async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const charge = await challengedCharge(customer);
      fixture.simSwap.swapSim(customer.phone, new Date(fixture.clock.now().getTime() - (SIM_SWAP_WINDOW_HOURS - 1) * HOUR_MS));
      assert.deepEqual(await fixture.bank.services.stepUp.sendCode(customer.customer_id, charge.id), { ok: false, code: 'sim_swap_detected' });
      assert.equal(smsCodes(customer, charge).length, 0, 'no code went to the swapped SIM');
      assert.deepEqual(await approveWith(customer, charge, 'sms', '123456'), { ok: false, code: 'sim_swap_detected' });
      const alerts = await simSwapAlerts(customer);
      assert.ok(alerts.length >= 1, 'staff were alerted');
      assert.equal(alerts[0]!.charge_id, charge.id);
      assert.ok(alerts[0]!.reason_codes.includes('sms_refused_for_step_up'));

      fixture.simSwap.swapSim(customer.phone, new Date(fixture.clock.now().getTime() - (SIM_SWAP_WINDOW_HOURS + 1) * HOUR_MS));
      const sent = await fixture.bank.services.stepUp.sendCode(customer.customer_id, charge.id);
      assert.ok(sent.ok, 'a swap older than the window no longer refuses SMS');
      const code = fixture.sms.lastCode(customer.phone, stepUpPurpose({ charge_id: charge.id, amount_yen: 100_000, payee_operator_id: fixture.operator.id }))!;
      assert.deepEqual(await approveWith(customer, charge, 'sms', code), { ok: true, status: 'succeeded' });
    });

    test('a carrier that does not answer refuses SMS for a step-up (fail safe) and does not hang; the authenticator still approves', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const charge = await challengedCharge(customer);
      fixture.simSwap.behave('fail');
      try {
        assert.deepEqual(await fixture.bank.services.stepUp.sendCode(customer.customer_id, charge.id), { ok: false, code: 'sim_swap_check_unavailable' });
        assert.deepEqual(await approveWith(customer, charge, 'sms', '123456'), { ok: false, code: 'sim_swap_check_unavailable' });
      } finally {
        fixture.simSwap.behave('answer');
      }
      assert.equal((await simSwapAlerts(customer)).length, 0, 'an outage is not a swap: no alert on the customer');
    });

    test('a new authenticator cannot approve a charge 23 h 59 min after enrolment, meanwhile SMS still does; at 24 h 01 min it approves', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const authenticator = await enrolAuthenticatorApp({ secondFactors: fixture.bank.services.secondFactors, clock: fixture.clock, db: fixture.db }, customer.customer_id, { cooling_off: true });
      fixture.clock.advance(NEW_FACTOR_COOLING_OFF_MS - MINUTE_MS - TOTP_STEP_MS);
      const charge = await challengedCharge(customer);
      assert.deepEqual(await approveWith(customer, charge, 'totp', await authenticator.nextCode()), { ok: false, code: 'second_factor_not_allowed' });
      // The older factor still works during the cooling-off.
      const sent = await fixture.bank.services.stepUp.sendCode(customer.customer_id, charge.id);
      assert.ok(sent.ok, 'SMS is still offered while the new factor cools off');
      fixture.clock.advance(2 * MINUTE_MS);
      assert.deepEqual(await approveWith(customer, charge, 'totp', await authenticator.nextCode()), { ok: true, status: 'succeeded' });
    });

    test('the enrolment of a new authenticator is told by SMS and by e-mail, naming the cooling-off', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      await enrolAuthenticatorApp({ secondFactors: fixture.bank.services.secondFactors, clock: fixture.clock, db: fixture.db }, customer.customer_id, { cooling_off: true });
      const texts = fixture.sms.messages(customer.phone).filter((message) => message.purpose === 'second_factor_enrolled');
      assert.equal(texts.length, 1);
      assert.match(texts[0]!.text, /24 hours/);
      const mails = await fixture.db.query<{ channel: string }>(`SELECT channel FROM notification_outbox WHERE customer_id = $1 AND template = 'second_factor_enrolled'`, [customer.customer_id]);
      assert.deepEqual(mails.map((mail) => mail.channel), ['email']);
    });
  });
}
