import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RiskBand } from './risk-band.ts';
import type { RiskFeatures } from './risk-features.ts';
import type { RiskRule } from './risk-rule.ts';
import { riskRules } from './risk-rules.ts';
import { DEFAULT_RISK_CONFIG, withNewLinkLimit } from './default-risk-config.ts';
import { riskFeatures, THEFT_2020_CHARGE } from './sample-risk-features.ts';
import { youngLink } from './rules/young-link.ts';
import { noLinkHistory } from './rules/no-link-history.ts';
import { newPayeeForCustomer } from './rules/new-payee-for-customer.ts';
import { weakLinkMethod } from './rules/weak-link-method.ts';
import { severalLinksOneDevice } from './rules/several-links-one-device.ts';
import { manyWalletsOneSource } from './rules/many-wallets-one-source.ts';
import { identityMatchBelowStrong } from './rules/identity-match-below-strong.ts';
import { velocityOverCaps } from './rules/velocity-over-caps.ts';
import { chargeAfterFailedLogin } from './rules/charge-after-failed-login.ts';
import { dormantAccountCharged } from './rules/dormant-account-charged.ts';
import { elderlyCustomerNewLink } from './rules/elderly-customer-new-link.ts';
import { amountAboveHistory } from './rules/amount-above-history.ts';
import { accountLinksSpread } from './rules/account-links-spread.ts';
import { operatorActivityAnomaly } from './rules/operator-activity-anomaly.ts';
import { recentPhoneNumber } from './rules/recent-phone-number.ts';
import { walletPhoneNotHolders } from './rules/wallet-phone-not-holders.ts';
import { smsLinkAfterSimSwap } from './rules/sms-link-after-sim-swap.ts';
import { newLinkSpending } from './rules/new-link-spending.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const configOf = (rule: RiskRule<any>): any => SHIPPED_RULE_CONFIGS[`${rule.id}@${rule.version}`];
/** Every rule's shipped settings: the default config's, and the new-link limit's, which a bank turns on. */
const SHIPPED_RULE_CONFIGS = withNewLinkLimit(DEFAULT_RISK_CONFIG).rules;

/** How to put a band's value into the features so that the rule reads that band (and only that band decides). */
interface BandCase {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  rule: RiskRule<any>;
  bands: string;
  features: (value: number) => RiskFeatures;
  config?: Record<string, unknown>;
}

const HOUR = 60 * 60;
const bandCases: BandCase[] = [
  { rule: youngLink, bands: 'link_age_seconds_bands', features: (v) => riskFeatures({ link_age_seconds: v }) },
  { rule: noLinkHistory, bands: 'link_charges_count_bands', features: (v) => riskFeatures({ link_charges_count: v }) },
  { rule: severalLinksOneDevice, bands: 'device_accounts_30d_bands', features: (v) => riskFeatures({ device_accounts_30d: v }) },
  { rule: manyWalletsOneSource, bands: 'device_links_24h_bands', features: (v) => riskFeatures({ device_links_24h: v, ip_links_24h: 1 }) },
  { rule: manyWalletsOneSource, bands: 'ip_links_24h_bands', features: (v) => riskFeatures({ device_links_24h: null, ip_links_24h: v }) },
  { rule: identityMatchBelowStrong, bands: 'score_bands', features: (v) => riskFeatures({ identity_match_score: v, kyc_level: 'ekyc_document_face' }) },
  { rule: velocityOverCaps, bands: 'link_charges_1h_bands', features: (v) => riskFeatures({ link_charges_1h: v }) },
  { rule: velocityOverCaps, bands: 'customer_charges_24h_bands', features: (v) => riskFeatures({ customer_charges_24h: v }) },
  { rule: velocityOverCaps, bands: 'device_charges_1h_bands', features: (v) => riskFeatures({ device_charges_1h: v }) },
  { rule: velocityOverCaps, bands: 'ip_charges_1h_bands', features: (v) => riskFeatures({ ip_charges_1h: v }) },
  { rule: chargeAfterFailedLogin, bands: 'failure_seconds_ago_bands', features: (v) => riskFeatures({ credential_failure_seconds_ago: v }) },
  { rule: chargeAfterFailedLogin, bands: 'attack_seconds_ago_bands', features: (v) => riskFeatures({ credential_attack_seconds_ago: v }) },
  { rule: dormantAccountCharged, bands: 'idle_days_bands', features: (v) => riskFeatures({ account_idle_days: v }) },
  { rule: elderlyCustomerNewLink, bands: 'age_years_bands', features: (v) => riskFeatures({ link_age_seconds: HOUR, customer_age_years: v }) },
  {
    rule: amountAboveHistory, bands: 'percent_of_largest_bands', config: { amount_yen_min: 0 },
    // Largest earlier charge ¥1,000,000: an amount of v × ¥10,000 is exactly v percent of it.
    features: (v) => riskFeatures({ customer_charges_count: 10, customer_charge_yen_largest: 1_000_000, amount_yen: v * 10_000 }),
  },
  {
    rule: amountAboveHistory, bands: 'amount_yen_bands',
    features: (v) => riskFeatures({ customer_charges_count: 0, link_charges_count: 0, customer_charge_yen_largest: 0, amount_yen: v, charge_yen_max: 1_000_000_000 }),
  },
  { rule: accountLinksSpread, bands: 'account_links_7d_bands', features: (v) => riskFeatures({ account_links_7d: v }) },
  { rule: operatorActivityAnomaly, bands: 'level_bands', features: (v) => riskFeatures({ operator_anomaly_level: v }) },
  { rule: recentPhoneNumber, bands: 'phone_number_age_hours_bands', features: (v) => riskFeatures({ phone_number_age_hours: v }) },
  { rule: walletPhoneNotHolders, bands: 'score_bands', features: (v) => riskFeatures({ identity_match_score: v }) },
  { rule: smsLinkAfterSimSwap, bands: 'sim_change_age_hours_bands', features: (v) => riskFeatures({ sms_link_sim_change_age_hours: v }) },
  { rule: newLinkSpending, bands: 'unconfirmed_yen_bands', features: (v) => riskFeatures({ link_first_charge_seconds_ago: HOUR, link_unconfirmed_yen: v }) },
];

describe('every band of every shipped rule at its boundaries', () => {
  test('every band list of the shipped config has a case below', () => {
    const covered = new Set(bandCases.map((c) => `${c.rule.id}:${c.bands}`));
    for (const rule of riskRules) {
      for (const name of Object.keys(configOf(rule)).filter((key) => key.endsWith('_bands'))) {
        assert.ok(covered.has(`${rule.id}:${name}`), `${rule.id}.${name} has no boundary test`);
      }
    }
  });

  for (const { rule, bands: name, features, config: overrides } of bandCases) {
    const config = { ...configOf(rule), ...overrides };
    const bands = config[name] as RiskBand[];
    bands.forEach((band, index) => {
      const next = bands[index + 1];
      // A rule reading several band lists answers with the first list's reason when all pass, so a pass is checked by outcome.
      const check = (value: number, b: RiskBand) => {
        const result = rule.evaluate(features(value), config);
        if (b.outcome === 'pass') assert.equal(result.outcome, 'pass', `${value}`);
        else assert.deepEqual(result, { outcome: b.outcome, reason: b.reason }, `${value}`);
      };
      test(`${rule.id}@${rule.version} ${name}: ${band.lower} and ${band.upper === null ? 'beyond' : band.upper - 1} give ${band.reason}${next ? `, ${band.upper} gives ${next.reason}` : ''}`, () => {
        check(band.lower, band);
        check(band.upper === null ? band.lower * 10 + 1_000 : band.upper - 1, band);
        if (next) check(band.upper!, next);
      });
    });
  }
});

describe('what each rule does besides its bands', () => {
  test('amount-above-history: without a history the cap itself blocks whatever the bands say, one yen under follows the bands', () => {
    const config = configOf(amountAboveHistory);
    const features = (amount_yen: number) => riskFeatures({ customer_charges_count: 0, link_charges_count: 0, charge_yen_max: 20_000, amount_yen });
    assert.deepEqual(amountAboveHistory.evaluate(features(20_000), config), { outcome: 'block', reason: 'maximum_charge_without_history' });
    assert.deepEqual(amountAboveHistory.evaluate(features(19_999), config), { outcome: 'pass', reason: 'amount_small_without_history' });
  });

  test('amount-above-history: a PIN link’s own charges are not the customer’s history, a FAPI link’s are', () => {
    const config = configOf(amountAboveHistory);
    // Five charges, all on this link, the largest ¥30,000: the thief's own record on a PIN link.
    const own = { customer_charges_count: 5, link_charges_count: 5, customer_charge_yen_largest: 30_000, amount_yen: 30_000 };
    assert.deepEqual(amountAboveHistory.evaluate(riskFeatures({ ...own, link_method: 'legacy_pin' }), config), { outcome: 'alert', reason: 'amount_large_without_history' });
    assert.deepEqual(amountAboveHistory.evaluate(riskFeatures({ ...own, link_method: 'fapi2' }), config), { outcome: 'pass', reason: 'amount_within_history' });
    // Three charges elsewhere are a history, whatever this link is.
    assert.equal(amountAboveHistory.evaluate(riskFeatures({ ...own, customer_charges_count: 8, link_method: 'legacy_pin' }), config).reason, 'amount_within_history');
    assert.equal(amountAboveHistory.evaluate(riskFeatures({ ...own, customer_charges_count: 7, link_method: 'legacy_pin' }), config).reason, 'amount_large_without_history');
  });

  test('several-links-one-device and many-wallets-one-source pass a link with no device id on the device count', () => {
    assert.deepEqual(severalLinksOneDevice.evaluate(riskFeatures({ device_accounts_30d: null }), configOf(severalLinksOneDevice)), { outcome: 'pass', reason: 'device_unknown' });
    assert.equal(manyWalletsOneSource.evaluate(riskFeatures({ device_links_24h: null, ip_links_24h: 1 }), configOf(manyWalletsOneSource)).outcome, 'pass');
  });

  test('many-wallets-one-source takes the worse of the device and the address', () => {
    const config = configOf(manyWalletsOneSource);
    assert.equal(manyWalletsOneSource.evaluate(riskFeatures({ device_links_24h: 6, ip_links_24h: 1 }), config).reason, 'device_link_farm');
    assert.equal(manyWalletsOneSource.evaluate(riskFeatures({ device_links_24h: 1, ip_links_24h: 1_000 }), config).reason, 'ip_link_farm');
  });

  test('identity-match-below-strong: no attestation alerts, a strong match with a low KYC level alerts, a strong eKYC match passes', () => {
    const config = configOf(identityMatchBelowStrong);
    assert.deepEqual(identityMatchBelowStrong.evaluate(riskFeatures({ identity_match_score: null, kyc_level: null }), config), { outcome: 'alert', reason: 'identity_not_attested' });
    assert.deepEqual(identityMatchBelowStrong.evaluate(riskFeatures({ kyc_level: 'email' }), config), { outcome: 'alert', reason: 'kyc_level_low' });
    assert.deepEqual(identityMatchBelowStrong.evaluate(riskFeatures({ kyc_level: 'phone_verified' }), config), { outcome: 'pass', reason: 'identity_strong' });
  });

  test('new-payee-for-customer: an operator never used before the link, or a new wallet identity at one used, is a new payee', () => {
    const config = configOf(newPayeeForCustomer);
    const evaluate = (overrides: Partial<RiskFeatures>) => newPayeeForCustomer.evaluate(riskFeatures(overrides), config);
    assert.deepEqual(evaluate({ operator_used_before_link: false }), { outcome: 'alert', reason: 'operator_new_to_customer' });
    assert.deepEqual(evaluate({ operator_used_before_link: true, wallet_identity_new_at_operator: true }), { outcome: 'alert', reason: 'wallet_identity_new_at_operator' });
    assert.deepEqual(evaluate({ operator_used_before_link: true, wallet_identity_new_at_operator: false }), { outcome: 'pass', reason: 'payee_known' });
    // Whatever the link method: a FAPI link to a new operator is as new a payee as a PIN one.
    assert.equal(evaluate({ link_method: 'fapi2', operator_used_before_link: false }).outcome, 'alert');
    assert.equal(evaluate({ link_method: 'legacy_pin', operator_used_before_link: false }).outcome, 'alert');
  });

  test('weak-link-method: a PIN link alerts, a FAPI link passes', () => {
    const config = configOf(weakLinkMethod);
    assert.deepEqual(weakLinkMethod.evaluate(riskFeatures({ link_method: 'legacy_pin' }), config), { outcome: 'alert', reason: 'link_without_second_factor' });
    assert.deepEqual(weakLinkMethod.evaluate(riskFeatures({ link_method: 'fapi2' }), config), { outcome: 'pass', reason: 'link_with_second_factor' });
  });

  test('velocity-over-caps skips the device windows when the operator sent no device id', () => {
    const result = velocityOverCaps.evaluate(riskFeatures({ device_charges_1h: null }), configOf(velocityOverCaps));
    assert.equal(result.outcome, 'pass');
  });

  test('charge-after-failed-login passes with no failure and no attack, and takes the worse of the two', () => {
    const config = configOf(chargeAfterFailedLogin);
    assert.deepEqual(chargeAfterFailedLogin.evaluate(riskFeatures(), config), { outcome: 'pass', reason: 'no_recent_failures' });
    const both = chargeAfterFailedLogin.evaluate(riskFeatures({ credential_failure_seconds_ago: 2 * HOUR, credential_attack_seconds_ago: 60 }), config);
    assert.deepEqual(both, { outcome: 'block', reason: 'within_day_of_credential_attack' });
  });

  test('charge-after-failed-login: 25 hours after a sprayed PIN the failure has aged out but the attack still alerts', () => {
    const config = configOf(chargeAfterFailedLogin);
    const features = riskFeatures({ credential_failure_seconds_ago: null, credential_failures_24h: 0, credential_attack_seconds_ago: 25 * HOUR });
    assert.deepEqual(chargeAfterFailedLogin.evaluate(features, config), { outcome: 'alert', reason: 'after_credential_attack' });
  });

  test('elderly-customer-new-link passes once the link is established or when the age is unknown', () => {
    const config = configOf(elderlyCustomerNewLink);
    assert.equal(elderlyCustomerNewLink.evaluate(riskFeatures({ customer_age_years: 78, link_age_seconds: config.new_link_seconds_max - 1 }), config).outcome, 'alert');
    assert.deepEqual(elderlyCustomerNewLink.evaluate(riskFeatures({ customer_age_years: 78, link_age_seconds: config.new_link_seconds_max }), config), { outcome: 'pass', reason: 'link_established' });
    assert.deepEqual(elderlyCustomerNewLink.evaluate(riskFeatures({ customer_age_years: null, link_age_seconds: 0 }), config), { outcome: 'pass', reason: 'age_unknown' });
  });

  test('amount-above-history with a history needs an amount of at least amount_yen_min', () => {
    const config = configOf(amountAboveHistory);
    const evaluate = (overrides: Partial<RiskFeatures>) => amountAboveHistory.evaluate(riskFeatures({ customer_charge_yen_largest: 1_000, amount_yen: 50_000, ...overrides }), config);
    assert.equal(evaluate({ customer_charges_count: config.history_charges_min - 1 }).reason, 'amount_large_without_history');
    assert.equal(evaluate({ customer_charges_count: config.history_charges_min }).reason, 'amount_far_above_history');
    assert.equal(evaluate({ customer_charges_count: 5, amount_yen: config.amount_yen_min - 1 }).reason, 'small_amount');
    assert.equal(evaluate({ customer_charges_count: 5, amount_yen: config.amount_yen_min }).reason, 'amount_far_above_history');
  });

  test('the 2020 theft trips the new-link, no-history, new-payee, weak-link, amount, identity, age and new-link-spending rules and nothing else', () => {
    const hits = riskRules.filter((rule) => rule.stages.includes('charge'))
      .map((rule) => [rule.id, rule.evaluate(THEFT_2020_CHARGE, configOf(rule)).outcome] as const)
      .filter(([, outcome]) => outcome !== 'pass');
    assert.deepEqual(Object.fromEntries(hits), {
      'young-link': 'block', 'no-link-history': 'alert', 'new-payee-for-customer': 'alert', 'weak-link-method': 'alert', 'amount-above-history': 'block',
      'identity-match-below-strong': 'alert', 'elderly-customer-new-link': 'alert', 'new-link-spending': 'alert',
    });
  });

  test('every rule is pure: the same features and config give the same outcome, and nothing is changed', () => {
    for (const rule of riskRules) {
      const features = riskFeatures({}, THEFT_2020_CHARGE);
      const frozen = JSON.stringify(features);
      assert.deepEqual(rule.evaluate(features, configOf(rule)), rule.evaluate(features, configOf(rule)), rule.id);
      assert.equal(JSON.stringify(features), frozen, `${rule.id} changed its features`);
    }
  });
});
