import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RISK_CONFIG, SIM_SWAP_LINK_HOLD_HOURS } from '../default-risk-config.ts';
import { createRiskPipeline } from '../risk-pipeline.ts';
import { riskFeatures } from '../sample-risk-features.ts';
import { smsLinkAfterSimSwap, type SmsLinkAfterSimSwapConfig } from './sms-link-after-sim-swap.ts';

const config = DEFAULT_RISK_CONFIG.rules['sms-link-after-sim-swap@1'] as SmsLinkAfterSimSwapConfig;
const at = (hours: number | null) => smsLinkAfterSimSwap.evaluate(riskFeatures({ sms_link_sim_change_age_hours: hours }), config);

describe('sms-link-after-sim-swap@1', () => {
  test('the window is 30 days from the SIM change: 719 hours blocks, 720 passes', () => {
    assert.equal(SIM_SWAP_LINK_HOLD_HOURS, 30 * 24);
    assert.deepEqual(at(0), { outcome: 'block', reason: 'sms_link_after_recent_sim_change' });
    assert.deepEqual(at(SIM_SWAP_LINK_HOLD_HOURS - 1), { outcome: 'block', reason: 'sms_link_after_recent_sim_change' });
    assert.deepEqual(at(SIM_SWAP_LINK_HOLD_HOURS), { outcome: 'pass', reason: 'sim_change_settled' });
  });

  test('a link approved by another factor, or with no SIM change known, passes', () => {
    assert.deepEqual(at(null), { outcome: 'pass', reason: 'no_sim_change_before_sms_link' });
  });
});

describe('sim-swap-link@1 in the shipped config', () => {
  const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
  // An old link with history and a known payee: nothing else in the config would look at ¥1,000 on it.
  const settled = { link_age_seconds: 20 * 24 * 3600, link_charges_count: 10, customer_charges_count: 10, customer_charge_yen_largest: 50_000, operator_used_before_link: true };

  test('¥1,000 on a link approved by SMS 20 days after a SIM change is held, never challenged (the code would go to that SIM)', () => {
    const decision = pipeline.decide(riskFeatures({ ...settled, amount_yen: 1_000, sms_link_sim_change_age_hours: 20 * 24 }));
    assert.equal(decision.action, 'hold');
    assert.ok(decision.reasons.includes('sms_link_after_recent_sim_change'));
  });

  test('the same charge with the change 30 days old, or no change, is allowed', () => {
    for (const hours of [SIM_SWAP_LINK_HOLD_HOURS, null]) {
      assert.equal(pipeline.decide(riskFeatures({ ...settled, amount_yen: 1_000, sms_link_sim_change_age_hours: hours })).action, 'allow');
    }
  });
});
