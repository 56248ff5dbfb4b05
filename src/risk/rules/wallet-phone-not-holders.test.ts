import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RISK_CONFIG } from '../default-risk-config.ts';
import { createRiskPipeline } from '../risk-pipeline.ts';
import type { RiskFeatures } from '../risk-features.ts';
import { riskFeatures } from '../sample-risk-features.ts';
import { IDENTITY_MATCH_SCORE_MIN, IDENTITY_MATCH_STRONG_SCORE_MIN } from '../../kyc/identity-match.ts';
import { walletPhoneNotHolders, type WalletPhoneNotHoldersConfig } from './wallet-phone-not-holders.ts';

const config = DEFAULT_RISK_CONFIG.rules['wallet-phone-not-holders@1'] as WalletPhoneNotHoldersConfig;
const HOUR_SECONDS = 60 * 60;
const DAY_SECONDS = 24 * HOUR_SECONDS;
/** Name and date of birth agree, the phone does not: the score of a wallet a thief opened with the victim's leaked identity. */
const PHONE_UNMATCHED = IDENTITY_MATCH_SCORE_MIN;

/** A FAPI link made an hour ago to an operator new to a 40-year-old with a history elsewhere: its first charge. */
const NEW_LINK_FIRST_CHARGE: Partial<RiskFeatures> = {
  link_age_seconds: HOUR_SECONDS, link_charges_count: 0, customer_charges_count: 3, customer_charge_yen_largest: 10_000,
  operator_used_before_link: false, customer_age_years: 40, kyc_level: 'ekyc_document_face',
};

describe('wallet-phone-not-holders@1', () => {
  test("a wallet whose phone is not the holder's alerts, a full match passes, a link with no attestation passes (its own typology weighs it)", () => {
    const at = (score: number | null) => walletPhoneNotHolders.evaluate(riskFeatures({ identity_match_score: score }), config);
    assert.deepEqual(at(PHONE_UNMATCHED), { outcome: 'alert', reason: 'wallet_phone_not_holders' });
    assert.deepEqual(at(IDENTITY_MATCH_STRONG_SCORE_MIN), { outcome: 'pass', reason: 'wallet_phone_holders' });
    assert.deepEqual(at(null), { outcome: 'pass', reason: 'identity_not_attested' });
  });
});

describe('unmatched-wallet-phone@1 in the shipped config', () => {
  const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
  const decide = (overrides: Partial<RiskFeatures>) => pipeline.decide(riskFeatures({ ...NEW_LINK_FIRST_CHARGE, ...overrides }));
  const score = (overrides: Partial<RiskFeatures>) => decide(overrides).typologies.find((typology) => typology.typology === 'unmatched-wallet-phone@1')!.score;

  test("a wallet with another phone is challenged on its link's first payment, ¥1,000 or ¥29,999 alike, which a full match is not", () => {
    for (const amount_yen of [1_000, 29_999]) {
      assert.equal(score({ amount_yen, identity_match_score: PHONE_UNMATCHED }), 50);
      assert.equal(decide({ amount_yen, identity_match_score: PHONE_UNMATCHED }).action, 'challenge', `¥${amount_yen}`);
      assert.equal(decide({ amount_yen, identity_match_score: IDENTITY_MATCH_STRONG_SCORE_MIN }).action, 'allow', `¥${amount_yen}, full match`);
    }
  });

  test('once a payment through the link was approved, the same wallet tops up ¥29,999 without a challenge, even on a link a day old', () => {
    assert.equal(score({ amount_yen: 29_999, identity_match_score: PHONE_UNMATCHED, link_charges_count: 1, link_age_seconds: DAY_SECONDS }), 25);
    assert.equal(decide({ amount_yen: 29_999, identity_match_score: PHONE_UNMATCHED, link_charges_count: 1, link_age_seconds: DAY_SECONDS, customer_charges_count: 4, customer_charge_yen_largest: 29_999, operator_used_before_link: true }).action, 'allow');
  });

  test('a legacy PIN link (no attestation) is left to the unproven-link typology: this one scores only its lack of history', () => {
    assert.equal(score({ amount_yen: 1_000, identity_match_score: null, kyc_level: null }), 25);
  });
});
