import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RISK_CONFIG, NEW_PHONE_NUMBER_HOURS, RECENT_PHONE_NUMBER_HOURS } from '../default-risk-config.ts';
import { createRiskPipeline } from '../risk-pipeline.ts';
import type { RiskFeatures } from '../risk-features.ts';
import { riskFeatures } from '../sample-risk-features.ts';
import { recentPhoneNumber, type RecentPhoneNumberConfig } from './recent-phone-number.ts';

const config = DEFAULT_RISK_CONFIG.rules['recent-phone-number@1'] as RecentPhoneNumberConfig;
const at = (hours: number | null) => recentPhoneNumber.evaluate(riskFeatures({ phone_number_age_hours: hours }), config);
const HOUR_SECONDS = 60 * 60;
const DAY_HOURS = 24;

/** A FAPI link with a strong eKYC match made an hour ago to an operator new to a 40-year-old: the first money through it. */
const NEW_LINK_FIRST_CHARGE: Partial<RiskFeatures> = {
  link_age_seconds: HOUR_SECONDS, link_charges_count: 0, customer_charges_count: 0, customer_charge_yen_largest: 0,
  operator_used_before_link: false, customer_age_years: 40,
};

describe('recent-phone-number@1', () => {
  test('the window is 30 days: 29 days 23 hours is recent, 30 days 1 hour is not; the first week is new', () => {
    assert.equal(RECENT_PHONE_NUMBER_HOURS, 30 * DAY_HOURS);
    assert.deepEqual(at(29 * DAY_HOURS + 23), { outcome: 'alert', reason: 'phone_number_recent' });
    assert.deepEqual(at(30 * DAY_HOURS + 1), { outcome: 'pass', reason: 'phone_number_established' });
    assert.deepEqual(at(NEW_PHONE_NUMBER_HOURS - 1), { outcome: 'block', reason: 'phone_number_new' });
    assert.deepEqual(at(0), { outcome: 'block', reason: 'phone_number_new' });
  });

  test('an unknown age (a retrospective scan) passes', () => {
    assert.deepEqual(at(null), { outcome: 'pass', reason: 'phone_number_age_unknown' });
  });
});

describe('phone-takeover@1 in the shipped config', () => {
  const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
  const decide = (overrides: Partial<RiskFeatures>) => pipeline.decide(riskFeatures({ ...NEW_LINK_FIRST_CHARGE, ...overrides }));
  const score = (overrides: Partial<RiskFeatures>) => decide(overrides).typologies.find((typology) => typology.typology === 'phone-takeover@1')!.score;

  test('¥100,000 through a new link to a new payee is held with a number changed within 30 days, and only challenged with an old one', () => {
    assert.equal(decide({ amount_yen: 100_000, phone_number_age_hours: 2 * DAY_HOURS }).action, 'hold');
    assert.equal(decide({ amount_yen: 100_000, phone_number_age_hours: 29 * DAY_HOURS + 23 }).action, 'hold');
    assert.equal(decide({ amount_yen: 100_000, phone_number_age_hours: 30 * DAY_HOURS + 1 }).action, 'challenge');
    assert.equal(score({ amount_yen: 100_000, phone_number_age_hours: 2 * DAY_HOURS }), 110);
  });

  test('a number of under a week with ¥80,000 on a link of three weeks is held; at 8 days it is not', () => {
    const weeksOld = { link_age_seconds: 21 * DAY_HOURS * HOUR_SECONDS, amount_yen: 80_000 };
    assert.equal(decide({ ...weeksOld, phone_number_age_hours: 6 * DAY_HOURS }).action, 'hold');
    assert.notEqual(decide({ ...weeksOld, phone_number_age_hours: 8 * DAY_HOURS }).action, 'hold');
  });

  test('a new customer’s first small top-up and first ¥50,000 top-up on a new wallet are not held, nor is an ordinary top-up after a number change', () => {
    assert.equal(decide({ amount_yen: 5_000, phone_number_age_hours: 3 }).action, 'allow');
    assert.equal(decide({ amount_yen: 50_000, phone_number_age_hours: 3 }).action, 'allow');
    assert.equal(score({ amount_yen: 50_000, phone_number_age_hours: 3 }), 90);
    assert.equal(pipeline.decide(riskFeatures({ phone_number_age_hours: 3 })).action, 'allow');
  });
});
