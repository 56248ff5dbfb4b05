import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RISK_CONFIG, NEW_LINK_UNCONFIRMED_YEN_MAX, withNewLinkLimit } from '../default-risk-config.ts';
import { createRiskPipeline } from '../risk-pipeline.ts';
import { riskFeatures } from '../sample-risk-features.ts';
import { newLinkSpending, type NewLinkSpendingConfig } from './new-link-spending.ts';

const DAY = 24 * 60 * 60;
const LIMITED = withNewLinkLimit(DEFAULT_RISK_CONFIG);
const config = LIMITED.rules['new-link-spending@1'] as NewLinkSpendingConfig;
const evaluate = (link_first_charge_seconds_ago: number | null, link_unconfirmed_yen: number | null) =>
  newLinkSpending.evaluate(riskFeatures({ link_first_charge_seconds_ago, link_unconfirmed_yen }), config);

describe('new-link-spending@1', () => {
  test('within 30 days of the first charge, more than ¥50,000 unconfirmed alerts: ¥50,000 passes, ¥50,001 alerts', () => {
    assert.equal(NEW_LINK_UNCONFIRMED_YEN_MAX, 50_000);
    assert.deepEqual(evaluate(0, 50_000), { outcome: 'pass', reason: 'new_link_spending_within_limit' });
    assert.deepEqual(evaluate(0, 50_001), { outcome: 'alert', reason: 'new_link_spending_unconfirmed' });
    assert.deepEqual(evaluate(30 * DAY - 1, 300_000), { outcome: 'alert', reason: 'new_link_spending_unconfirmed' });
  });

  test('30 days after the first charge anything passes, and so does an unknown sum or first charge (a scan, an old link)', () => {
    assert.deepEqual(evaluate(30 * DAY, 300_000), { outcome: 'pass', reason: 'link_charging_established' });
    assert.deepEqual(evaluate(DAY, null), { outcome: 'pass', reason: 'unconfirmed_yen_unknown' });
    assert.deepEqual(evaluate(null, 300_000), { outcome: 'pass', reason: 'unconfirmed_yen_unknown' });
  });

  test('the window runs from the first charge, not the link: a link of 200 days charged for the first time is watched', () => {
    const features = riskFeatures({ link_age_seconds: 200 * DAY, link_first_charge_seconds_ago: 0, link_unconfirmed_yen: 59_998 });
    assert.deepEqual(newLinkSpending.evaluate(features, config), { outcome: 'alert', reason: 'new_link_spending_unconfirmed' });
  });

  test('a config without a positive whole number of seconds for the window is refused', () => {
    assert.deepEqual(newLinkSpending.configProblems({ ...config, first_charge_window_seconds: 0 }), ['first_charge_window_seconds must be a positive integer']);
    assert.deepEqual(newLinkSpending.configProblems({ ...config, first_charge_window_seconds: 1.5 }), ['first_charge_window_seconds must be a positive integer']);
    assert.deepEqual(newLinkSpending.configProblems(config), []);
  });
});

describe('the new-link limit (withNewLinkLimit), off in the shipped config', () => {
  const pipeline = createRiskPipeline(LIMITED);
  // A FAPI link three days old with a strong match, to an operator the customer used, one top-up on it already:
  // nothing else in the config looks at ¥29,999 there (young link 5 and nothing else).
  const relayed = { link_age_seconds: 3 * DAY, link_first_charge_seconds_ago: 3 * DAY - 600, link_charges_count: 1, customer_charges_count: 6,
    customer_charge_yen_largest: 29_999, operator_used_before_link: true, amount_yen: 29_999 };

  test('a second ¥29,999 on a link nobody confirmed is challenged; the first is allowed', () => {
    assert.equal(pipeline.decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 29_999 })).action, 'allow');
    const second = pipeline.decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 59_998 }));
    assert.equal(second.action, 'challenge');
    assert.ok(second.reasons.includes('new_link_spending_unconfirmed'));
  });

  test('the shipped config leaves it off: the second ¥29,999 is allowed there, and the limited config is named for it', () => {
    assert.equal(createRiskPipeline(DEFAULT_RISK_CONFIG).decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 59_998 })).action, 'allow');
    assert.equal(LIMITED.id, 'furikae-default-new-link-limit@6');
  });

  test('a limit of ¥100,000 lets ¥89,997 through and challenges ¥100,001', () => {
    const hundred = createRiskPipeline(withNewLinkLimit(DEFAULT_RISK_CONFIG, 100_000));
    assert.equal(hundred.decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 89_997 })).action, 'allow');
    assert.equal(hundred.decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 100_001 })).action, 'challenge');
  });

  test('the same charge on a link whose holder approved one of its charges (0 unconfirmed), or 30 days after its first charge, is allowed', () => {
    assert.equal(pipeline.decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 0 })).action, 'allow');
    assert.equal(pipeline.decide(riskFeatures({ ...relayed, link_first_charge_seconds_ago: 30 * DAY, link_unconfirmed_yen: 59_998 })).action, 'allow');
  });
});
