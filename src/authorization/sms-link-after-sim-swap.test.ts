import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { createFapiOperator, type FapiOperator } from '../testing/fapi-operator.ts';
import { walkConsent } from '../testing/consent-walk.ts';
import { formValue } from '../testing/cookie-agent.ts';
import { SIM_SWAP_WINDOW_HOURS } from '../telecom/sim-swap-check.ts';
import { SIM_SWAP_LINK_HOLD_HOURS } from '../risk/default-risk-config.ts';

const HOUR_MS = 60 * 60 * 1000;

/**
 * A patient SIM-swap thief: the number was moved to the thief's SIM more than the carrier check's 72 hours before the
 * link, so SMS codes are allowed and reach the thief. The link keeps the carrier's date of the change, and its
 * charges are held for staff until the change is 30 days old (sim-swap-link@1).
 */
for (const backend of testBackends) {
  describe(`a link approved by SMS after a SIM change on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let operator: FapiOperator;
    let serial = 0;

    before(async () => {
      fixture = await createBankFixture(backend, { listen: true });
      operator = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now() });
    });
    after(() => fixture?.close());

    /** A customer with no authenticator or passkey: SMS is their only second factor. */
    async function openSmsCustomer() {
      const n = ++serial;
      const kyc = { name_kana: 'スズキ サブロウ', birth_date: '1985-05-05', phone: `080-7000-${String(1000 + n)}` };
      const person = await fixture.bank.services.core.openCustomer({
        name_kanji: '鈴木 三郎', ...kyc, email: `saburo${n}@example.jp`, address: '大阪府', login_id: `saburo${n}`, password: 'saburo right password',
      });
      const account = await fixture.bank.services.core.openAccount({ customer_id: person.id, branch_code: '001', account_number: String(7_100_000 + n), pin: '1357' });
      await fixture.bank.services.core.deposit(account.id, 500_000, '給与');
      return { id: person.id, account_id: account.id, kyc, login_id: `saburo${n}` };
    }

    /** Links by SMS codes at sign-in and consent, and returns DPoP-bound tokens. */
    async function linkBySms(customer: Awaited<ReturnType<typeof openSmsCustomer>>) {
      const { url, code_verifier } = await operator.startLink(await operator.attest(customer.kyc));
      const walked = await walkConsent(fixture, url, {
        login_id: customer.login_id, password: 'saburo right password', login_factor: 'sms', consent_factor: 'sms', phone: customer.kyc.phone,
      });
      fixture.clock.advance(30_000);
      assert.ok(walked.callback, `the bank sent the browser back (status ${walked.status}): ${walked.page.slice(0, 300)}`);
      return operator.exchange(walked.callback, code_verifier);
    }

    const storedSimChange = async (customer_id: string) => (await fixture.db.query<{ sms_sim_changed_at: Date | null }>(
      `SELECT l.sms_sim_changed_at FROM links l JOIN bank_accounts a ON a.id = l.account_id WHERE a.customer_id = $1`, [customer_id]))[0]?.sms_sim_changed_at;
    const decisionOf = async (charge_id: string) => (await fixture.db.query<{ action: string; reasons: string[]; features: Record<string, unknown> }>(
      `SELECT action, reasons, features FROM risk_decisions WHERE charge_id = $1`, [charge_id]))[0]!;

    test(`a SIM swapped ${SIM_SWAP_WINDOW_HOURS + 8} h before an SMS link passes the carrier check, but every charge on the link is held for staff, even ¥3,000, and nothing moves`, async () => {
      const victim = await openSmsCustomer();
      const swapped_at = new Date(fixture.clock.now().getTime() - (SIM_SWAP_WINDOW_HOURS + 8) * HOUR_MS);
      fixture.simSwap.swapSim(victim.kyc.phone, swapped_at);
      const tokens = await linkBySms(victim);
      assert.deepEqual(await storedSimChange(victim.id), swapped_at, 'the link keeps the carrier’s date of the change');
      const balance_before = await fixture.bank.services.core.balance(victim.account_id);
      for (const amount_yen of [3_000, 29_999]) {
        const response = await operator.charge(tokens.access_token, { amount_yen });
        assert.equal(response.status, 202, await response.clone().text());
        const charge = await response.json();
        assert.equal(charge.status, 'held');
        const decision = await decisionOf(charge.id);
        assert.equal(decision.action, 'hold');
        assert.ok(decision.reasons.includes('sms_link_after_recent_sim_change'), decision.reasons.join());
        assert.equal(decision.features.sms_link_sim_change_age_hours, SIM_SWAP_WINDOW_HOURS + 8);
      }
      assert.equal(await fixture.bank.services.core.balance(victim.account_id), balance_before, 'no money moved');
      const alerts = await fixture.bank.services.cases.listAlerts({ customer_id: victim.id });
      assert.ok(alerts.some((alert) => alert.kind === 'risk_hold'), 'each hold raises a staff alert');
    });

    test(`${SIM_SWAP_LINK_HOLD_HOURS / 24} days after the SIM change the same link charges again without a hold`, async () => {
      const customer = await openSmsCustomer();
      fixture.simSwap.swapSim(customer.kyc.phone, new Date(fixture.clock.now().getTime() - (SIM_SWAP_WINDOW_HOURS + 1) * HOUR_MS));
      const tokens = await linkBySms(customer);
      const held = await (await operator.charge(tokens.access_token, { amount_yen: 3_000 })).json();
      assert.equal(held.status, 'held');
      fixture.clock.advance((SIM_SWAP_LINK_HOLD_HOURS - SIM_SWAP_WINDOW_HOURS) * HOUR_MS);
      const refreshed = await client.refreshTokenGrant(operator.config, tokens.refresh_token!, undefined, { DPoP: operator.dpop });
      const response = await operator.charge(refreshed.access_token, { amount_yen: 3_000 });
      assert.equal(response.status, 201, await response.clone().text());
      const charge = await response.json();
      assert.equal((await decisionOf(charge.id)).features.sms_link_sim_change_age_hours, SIM_SWAP_LINK_HOLD_HOURS + 1);
    });

    test('an SMS link with no SIM change known to the carrier, or one 31 days old, charges ¥3,000 at once', async () => {
      const never = await openSmsCustomer();
      const long_ago = await openSmsCustomer();
      fixture.simSwap.swapSim(long_ago.kyc.phone, new Date(fixture.clock.now().getTime() - 31 * 24 * HOUR_MS));
      for (const customer of [never, long_ago]) {
        const tokens = await linkBySms(customer);
        const response = await operator.charge(tokens.access_token, { amount_yen: 3_000 });
        assert.equal(response.status, 201, await response.clone().text());
      }
      assert.equal(await storedSimChange(never.id), null);
    });

    test('a carrier that cannot say when the SIM changed refuses the SMS approval: 503 sim_swap_check_unavailable, no link', async () => {
      const customer = await openSmsCustomer();
      const { url } = await operator.startLink(await operator.attest(customer.kyc));
      const walked = await walkConsent(fixture, url, {
        login_id: customer.login_id, password: 'saburo right password', login_factor: 'sms', phone: customer.kyc.phone, decision: 'none',
      });
      fixture.simSwap.behave('fail');
      try {
        const response = await walked.agent.post(`${fixture.url}/interaction/${walked.uid}/consent`, {
          csrf: formValue(walked.page, 'csrf'), decision: 'approve', factor: 'sms', code: '123456',
          account_id: /name="account_id" value="([^"]+)"/.exec(walked.page)?.[1] ?? '',
        });
        assert.equal(response.status, 503);
        assert.match(await response.text(), /SIM/);
      } finally {
        fixture.simSwap.behave('answer');
      }
      assert.equal(await storedSimChange(customer.id), undefined, 'no link was made');
    });
  });
}
