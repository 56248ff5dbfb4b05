import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, openAccountHolder, type BankFixture } from '../testing/bank-fixture.ts';
import { DEFAULT_RISK_CONFIG } from './default-risk-config.ts';
import { createRiskPipeline } from './risk-pipeline.ts';
import type { RiskFeatures } from './risk-features.ts';
import { loadChargeFeatures } from './load-charge-features.ts';
import { phoneNumberAgeHours } from './phone-number-age.ts';
import type { Link } from '../linking/link.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

describe('phoneNumberAgeHours', () => {
  test('counts whole hours, and a time a moment ahead of the clock counts as just set, never as negative', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    assert.equal(phoneNumberAgeHours(new Date(now.getTime() - 2 * HOUR_MS + 1), now), 1);
    assert.equal(phoneNumberAgeHours(new Date(now.getTime() - 2 * HOUR_MS), now), 2);
    assert.equal(phoneNumberAgeHours(new Date(now.getTime() + 5_000), now), 0);
  });
});

for (const backend of testBackends) {
  describe(`the age of the phone number on record as a risk feature on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let key = 0;
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false });
    });
    after(() => fixture?.close());

    const decisionFeatures = async (where: string, id: string) =>
      (await fixture.db.query<{ features: RiskFeatures; rules: Array<{ rule: string; outcome: string; reason: string }> }>(
        `SELECT features, rules FROM risk_decisions WHERE ${where} = $1`, [id]))[0]!;
    const phoneRule = (rules: Array<{ rule: string; outcome: string; reason: string }>) => rules.find((rule) => rule.rule === 'recent-phone-number@1');

    test('a new customer’s number, given at opening, has no age for the rule: a new account is not a taken-over number', async () => {
      const holder = await openAccountHolder(fixture);
      fixture.clock.advance(5 * HOUR_MS);
      const { response, body } = await legacyLink(fixture, holder.details);
      assert.equal(response.statusCode, 201, response.body);
      const atLink = await decisionFeatures('link_id', body.link.id);
      assert.equal(atLink.features.phone_number_age_hours, null);
      assert.deepEqual(phoneRule(atLink.rules), { rule: 'recent-phone-number@1', outcome: 'pass', reason: 'phone_number_age_unknown' });
    });

    test('a number changed after opening counts from its change, at link time and on the link’s charges', async () => {
      const holder = await openAccountHolder(fixture);
      fixture.clock.advance(10 * DAY_MS);
      // The row as a change of number writes it (phone and phone_set_at in one statement).
      await fixture.db.query(`UPDATE customers SET phone = '080-9999-0001', phone_set_at = $2 WHERE id = $1`, [holder.customer_id, fixture.clock.now()]);
      fixture.clock.advance(5 * HOUR_MS);
      const { response, body } = await legacyLink(fixture, holder.details);
      assert.equal(response.statusCode, 201, response.body);
      const atLink = await decisionFeatures('link_id', body.link.id);
      assert.equal(atLink.features.phone_number_age_hours, 5);
      assert.deepEqual(phoneRule(atLink.rules), { rule: 'recent-phone-number@1', outcome: 'block', reason: 'phone_number_new' });

      await fixture.bank.services.core.deposit(holder.account_id, 10_000);
      fixture.clock.advance(HOUR_MS);
      const paid = await charge(fixture, body.link_token, { amount_yen: 1_000 }, `phone-age-${++key}`);
      assert.equal(paid.statusCode, 201, paid.body);
      assert.equal((await decisionFeatures('charge_id', paid.json().id)).features.phone_number_age_hours, 6);
    });

    test('a number changed 29 days 23 hours ago is recent, one changed 30 days 1 hour ago is not', async () => {
      const holder = await openAccountHolder(fixture);
      const { body } = await legacyLink(fixture, holder.details);
      const [link] = await fixture.db.query<Link>(`SELECT * FROM links WHERE id = $1`, [body.link.id]);
      fixture.clock.advance(90 * DAY_MS);
      const now = fixture.clock.now();
      const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
      const changedAgo = async (ms: number) => {
        // The row as a change of number writes it (phone and phone_set_at in one statement).
        await fixture.db.query(`UPDATE customers SET phone = '080-9999-0000', phone_set_at = $2 WHERE id = $1`, [holder.customer_id, new Date(now.getTime() - ms)]);
        const [set] = await loadChargeFeatures(fixture.db, [{ link: link!, charge_yen_max: 100_000, amount_yen: 5_000, operator_registered_at: new Date(0), source_ip: '203.0.113.9', device_id: null }], now);
        const decision = pipeline.decide(set!.features);
        return { hours: set!.features.phone_number_age_hours, outcome: decision.rules.find((rule) => rule.rule === 'recent-phone-number@1')!.outcome };
      };
      assert.deepEqual(await changedAgo(29 * DAY_MS + 23 * HOUR_MS), { hours: 719, outcome: 'alert' });
      assert.deepEqual(await changedAgo(30 * DAY_MS + HOUR_MS), { hours: 721, outcome: 'pass' });
      assert.deepEqual(await changedAgo(6 * DAY_MS + 23 * HOUR_MS), { hours: 167, outcome: 'block' });
    });
  });
}
