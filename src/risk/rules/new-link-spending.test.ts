import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RISK_CONFIG, NEW_LINK_UNCONFIRMED_YEN_MAX } from '../default-risk-config.ts';
import { createRiskPipeline } from '../risk-pipeline.ts';
import { riskFeatures } from '../sample-risk-features.ts';
import { newLinkSpending, type NewLinkSpendingConfig } from './new-link-spending.ts';

const DAY = 24 * 60 * 60;
const config = DEFAULT_RISK_CONFIG.rules['new-link-spending@1'] as NewLinkSpendingConfig;
const evaluate = (link_age_seconds: number, link_unconfirmed_yen: number | null) => newLinkSpending.evaluate(riskFeatures({ link_age_seconds, link_unconfirmed_yen }), config);

describe('new-link-spending@1', () => {
  test('a link of under 60 days alerts once more than ¥50,000 went through it unconfirmed: ¥50,000 passes, ¥50,001 alerts', () => {
    assert.equal(NEW_LINK_UNCONFIRMED_YEN_MAX, 50_000);
    assert.deepEqual(evaluate(DAY, 50_000), { outcome: 'pass', reason: 'new_link_spending_within_limit' });
    assert.deepEqual(evaluate(DAY, 50_001), { outcome: 'alert', reason: 'new_link_spending_unconfirmed' });
    assert.deepEqual(evaluate(60 * DAY - 1, 300_000), { outcome: 'alert', reason: 'new_link_spending_unconfirmed' });
  });

  test('a link of 60 days or more passes whatever went through it, and so does an unknown sum (a retrospective scan)', () => {
    assert.deepEqual(evaluate(60 * DAY, 300_000), { outcome: 'pass', reason: 'link_established' });
    assert.deepEqual(evaluate(DAY, null), { outcome: 'pass', reason: 'unconfirmed_yen_unknown' });
  });

  test('a config without a positive whole number of seconds for a young link is refused', () => {
    assert.deepEqual(newLinkSpending.configProblems({ ...config, young_link_seconds_max: 0 }), ['young_link_seconds_max must be a positive integer']);
    assert.deepEqual(newLinkSpending.configProblems({ ...config, young_link_seconds_max: 1.5 }), ['young_link_seconds_max must be a positive integer']);
    assert.deepEqual(newLinkSpending.configProblems(config), []);
  });
});

describe('unconfirmed-new-link-spending@1 in the shipped config', () => {
  const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
  // A FAPI link three days old with a strong match, to an operator the customer used, one top-up on it already:
  // nothing else in the config looks at ¥29,999 there (young link 5 + nothing else).
  const relayed = { link_age_seconds: 3 * DAY, link_charges_count: 1, customer_charges_count: 6, customer_charge_yen_largest: 29_999, operator_used_before_link: true, amount_yen: 29_999 };

  test('a second ¥29,999 on a young link nobody confirmed is challenged; the first is allowed', () => {
    assert.equal(pipeline.decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 29_999 })).action, 'allow');
    const second = pipeline.decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 59_998 }));
    assert.equal(second.action, 'challenge');
    assert.ok(second.reasons.includes('new_link_spending_unconfirmed'));
  });

  test('the same charge on a link whose holder approved one of its charges at the bank (0 unconfirmed), or on a link of 60 days, is allowed', () => {
    assert.equal(pipeline.decide(riskFeatures({ ...relayed, link_unconfirmed_yen: 0 })).action, 'allow');
    assert.equal(pipeline.decide(riskFeatures({ ...relayed, link_age_seconds: 60 * DAY, link_unconfirmed_yen: 59_998 })).action, 'allow');
  });
});
