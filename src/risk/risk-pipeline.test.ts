import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRiskPipeline, RULE_ERROR_REASON } from './risk-pipeline.ts';
import { DEFAULT_RISK_CONFIG, withNewLinkLimit } from './default-risk-config.ts';
import { RiskConfigError, type RiskConfig } from './risk-config.ts';
import { riskRules } from './risk-rules.ts';
import { defineRule } from './risk-rule.ts';
import { riskFeatures, THEFT_2020_CHARGE, ORDINARY_CHARGE, PATIENT_THEFT_CHARGE } from './sample-risk-features.ts';
import type { RiskFeatures } from './risk-features.ts';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;
const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
const theft = (overrides = {}) => riskFeatures(overrides, THEFT_2020_CHARGE);

describe('decisions under the shipped config', () => {
  const scoreOf = (features: RiskFeatures, typology: string) => pipeline.decide(features).typologies.find((t) => t.typology === typology)?.score;
  /** A first charge an hour after a FAPI link with a strong eKYC match, to an operator new to a 40-year-old with no history. */
  const fapiFirst = (overrides: Partial<RiskFeatures> = {}) => riskFeatures({
    link_method: 'fapi2', identity_match_score: 100, kyc_level: 'ekyc_document_face', customer_age_years: 40, ...overrides,
  }, THEFT_2020_CHARGE);
  const patient = (overrides: Partial<RiskFeatures> = {}) => riskFeatures(overrides, PATIENT_THEFT_CHARGE);

  test('an ordinary ¥5,000 top-up on an established link is allowed with no reasons', () => {
    const decision = pipeline.decide(ORDINARY_CHARGE);
    assert.equal(decision.action, 'allow');
    assert.deepEqual(decision.reasons, []);
    assert.equal(decision.config_id, 'furikae-default@6');
  });

  test('each weakness alone on an established link is allowed: a new link, a new payee, a new wallet identity, no history, the cap with no history, a PIN link', () => {
    const alone: Record<string, Partial<RiskFeatures>> = {
      'new link': { link_age_seconds: HOUR },
      'new payee': { operator_used_before_link: false },
      'new wallet identity': { wallet_identity_new_at_operator: true },
      'no history on the link': { link_charges_count: 0 },
      'the cap with no history': { amount_yen: 100_000, customer_charges_count: 0, link_charges_count: 0, customer_charge_yen_largest: 0 },
      'a PIN link': { link_method: 'legacy_pin', identity_match_score: null, kyc_level: null },
    };
    for (const [weakness, overrides] of Object.entries(alone)) assert.equal(pipeline.decide(riskFeatures(overrides)).action, 'allow', weakness);
  });

  test('a new link, a new payee, no history and a large amount together are challenged even with a strong eKYC match (60 at ¥80,000)', () => {
    assert.equal(pipeline.decide(fapiFirst({ amount_yen: 80_000 })).action, 'challenge');
    assert.equal(scoreOf(fapiFirst({ amount_yen: 80_000 }), 'link-and-drain-2020@2'), 60);
    assert.equal(pipeline.decide(fapiFirst({ amount_yen: 100_000 })).action, 'challenge');
    assert.equal(pipeline.decide(fapiFirst({ amount_yen: 79_999 })).action, 'allow');
  });

  test('an honest first top-up of ¥30,000–¥79,999 on a new FAPI link is allowed under 65 (45) and challenged at 65 or more (60)', () => {
    assert.equal(scoreOf(fapiFirst({ amount_yen: 30_000 }), 'link-and-drain-2020@2'), 45);
    assert.equal(pipeline.decide(fapiFirst({ amount_yen: 50_000 })).action, 'allow');
    assert.equal(pipeline.decide(fapiFirst({ amount_yen: 30_000, customer_age_years: 70 })).action, 'challenge');
  });

  test('any three of the four are allowed at ¥30,000: the combination decides, not one weakness', () => {
    const withoutOne: Record<string, Partial<RiskFeatures>> = {
      'an established link': { link_age_seconds: 60 * DAY },
      'a known payee': { operator_used_before_link: true },
      'a charge on the link before': { link_charges_count: 1, customer_charges_count: 1, customer_charge_yen_largest: 5_000 },
    };
    for (const [missing, overrides] of Object.entries(withoutOne)) assert.equal(pipeline.decide(fapiFirst({ amount_yen: 30_000, ...overrides })).action, 'allow', missing);
  });

  test('¥100,000 minutes after a strong-match link is challenged even to an operator the customer already used with the same wallet', () => {
    assert.equal(pipeline.decide(fapiFirst({ amount_yen: 100_000, operator_used_before_link: true })).action, 'challenge');
  });

  test('a thief’s new wallet at an operator the holder already uses counts as a new payee, the holder’s own wallet does not', () => {
    // A link two days old (young-link alerts, 5) and ¥80,000 with no history (35): 55 with a new wallet, 45 without.
    const relink = { amount_yen: 80_000, operator_used_before_link: true, link_age_seconds: 2 * DAY };
    assert.equal(pipeline.decide(fapiFirst({ ...relink, wallet_identity_new_at_operator: true })).action, 'challenge');
    assert.equal(pipeline.decide(fapiFirst({ ...relink, wallet_identity_new_at_operator: false })).action, 'allow');
  });

  test('a first small top-up on a new FAPI link is allowed, for a customer of 65 or more too (40 < 50)', () => {
    assert.equal(pipeline.decide(fapiFirst({ amount_yen: 5_000 })).action, 'allow');
    assert.equal(pipeline.decide(fapiFirst({ amount_yen: 5_000, customer_age_years: 78 })).action, 'allow');
    assert.equal(scoreOf(fapiFirst({ amount_yen: 5_000, customer_age_years: 78 }), 'link-and-drain-2020@2'), 40);
  });

  test('the 2020 pattern, ¥100,000 within hours of a new PIN link to a never-used operator, is held, and so is ¥30,000', () => {
    const decision = pipeline.decide(THEFT_2020_CHARGE);
    assert.equal(decision.action, 'hold');
    for (const reason of ['link_new', 'no_charges_on_link', 'operator_new_to_customer', 'link_without_second_factor', 'maximum_charge_without_history',
      'identity_not_attested', 'elderly_customer_new_link', 'typology:unproven-link-drain@1', 'typology:link-and-drain-2020@2']) {
      assert.ok(decision.reasons.includes(reason), reason);
    }
    assert.equal(pipeline.decide(theft({ amount_yen: 30_000, customer_age_years: 40 })).action, 'hold');
  });

  test('a first small top-up on a new PIN link is allowed, for a customer of 78 too (45 < 50, 75 < 80); one on a dormant account is challenged', () => {
    assert.equal(pipeline.decide(theft({ amount_yen: 5_000 })).action, 'allow');
    assert.equal(scoreOf(theft({ amount_yen: 5_000 }), 'link-and-drain-2020@2'), 45);
    assert.equal(scoreOf(theft({ amount_yen: 5_000 }), 'unproven-link-drain@1'), 75);
    assert.equal(pipeline.decide(theft({ amount_yen: 5_000, customer_age_years: 40, link_age_seconds: 8 * DAY, account_idle_days: 200 })).action, 'challenge');
  });

  test('a patient thief, ¥30,000 three weeks or a year after a PIN link, is challenged, ¥80,000 held; ¥29,999 is allowed', () => {
    assert.equal(pipeline.decide(PATIENT_THEFT_CHARGE).action, 'challenge');
    assert.equal(scoreOf(PATIENT_THEFT_CHARGE, 'unproven-link-drain@1'), 95);
    assert.equal(pipeline.decide(patient({ link_age_seconds: 365 * DAY })).action, 'challenge');
    assert.equal(pipeline.decide(patient({ amount_yen: 80_000 })).action, 'hold');
    assert.equal(pipeline.decide(patient({ amount_yen: 29_999 })).action, 'allow');
  });

  test('on a PIN link the thief’s own earlier charges do not make a large amount ordinary; on a FAPI link the holder’s do', () => {
    const history = { link_charges_count: 3, customer_charges_count: 3, customer_charge_yen_largest: 30_000 };
    assert.equal(pipeline.decide(patient(history)).action, 'challenge');
    assert.equal(pipeline.decide(patient({ ...history, link_age_seconds: 60 * DAY })).action, 'challenge', '45 + 10 + 25 = 80 once the link is established');
    assert.equal(pipeline.decide(patient({ ...history, link_method: 'fapi2', identity_match_score: 100, kyc_level: 'ekyc_document_face' })).action, 'allow');
  });

  test('an established PIN link with its own small top-ups is allowed (55 < 80)', () => {
    const established = { amount_yen: 5_000, link_age_seconds: 200 * DAY, link_charges_count: 20, customer_charges_count: 20, customer_charge_yen_largest: 5_000 };
    assert.equal(pipeline.decide(patient(established)).action, 'allow');
    assert.equal(scoreOf(patient(established), 'unproven-link-drain@1'), 55);
  });

  test('without a PIN link the unproven-link typology cannot act: every other weight it has sums to 65 < 80', () => {
    const everything = fapiFirst({ amount_yen: 100_000 });
    assert.equal(scoreOf(everything, 'unproven-link-drain@1'), 65);
    assert.equal(pipeline.decide(everything).typologies.find((t) => t.typology === 'unproven-link-drain@1')?.action, 'allow');
  });

  test('¥100,000 as the first charge of a new FAPI link is held when a credential failed within the hour, challenged after a day', () => {
    assert.equal(pipeline.decide(fapiFirst({ credential_failure_seconds_ago: 600, credential_failures_24h: 2 })).action, 'hold');
    assert.equal(pipeline.decide(fapiFirst({ credential_failure_seconds_ago: null, credential_attack_seconds_ago: 25 * HOUR })).action, 'challenge');
  });

  test('a device that linked four customers’ accounts and six wallets in a day is denied', () => {
    const decision = pipeline.decide(riskFeatures({ device_accounts_30d: 4, device_links_24h: 6 }));
    assert.equal(decision.action, 'deny');
    assert.ok(decision.reasons.includes('typology:wallet-farm@1'));
  });

  test('a device that linked two customers’ accounts and three wallets is held, two accounts alone are allowed', () => {
    assert.equal(pipeline.decide(riskFeatures({ device_accounts_30d: 2, device_links_24h: 3 })).action, 'hold');
    assert.equal(pipeline.decide(riskFeatures({ device_accounts_30d: 2, device_links_24h: 2 })).action, 'allow');
  });

  test('charges over the velocity caps are challenged, far over them denied', () => {
    assert.equal(pipeline.decide(riskFeatures({ link_charges_1h: 20 })).action, 'allow');
    assert.equal(pipeline.decide(riskFeatures({ link_charges_1h: 21 })).action, 'challenge');
    assert.equal(pipeline.decide(riskFeatures({ customer_charges_24h: 101 })).action, 'deny');
  });

  test('at link time the charge-only rules do not run', () => {
    const decision = pipeline.decide(riskFeatures({ stage: 'link', amount_yen: 0, link_age_seconds: 0, link_charges_1h: 1_000 }));
    const ran = decision.rules.map((r) => r.rule);
    for (const chargeOnly of ['young-link@1', 'no-link-history@1', 'new-payee-for-customer@1', 'velocity-over-caps@1', 'amount-above-history@2']) assert.ok(!ran.includes(chargeOnly), chargeOnly);
    assert.equal(decision.action, 'allow');
  });

  test('every rule of the shipped table is in the shipped config, except the new-link limit, which withNewLinkLimit adds', () => {
    const all = new Set(riskRules.map((rule) => `${rule.id}@${rule.version}`));
    assert.deepEqual(new Set(createRiskPipeline(withNewLinkLimit(DEFAULT_RISK_CONFIG)).rule_keys), all);
    assert.deepEqual(new Set(pipeline.rule_keys), new Set([...all].filter((key) => key !== 'new-link-spending@1')));
  });
});

describe('a rule that fails', () => {
  const throwing = defineRule<Record<string, never>>({
    id: 'always-throws', version: 1, catches: 'nothing: it throws', stages: ['charge'], configProblems: () => [],
    evaluate() {
      throw new Error('feature store unreachable');
    },
  });
  const config = (rules: Record<string, unknown>): RiskConfig => ({ ...DEFAULT_RISK_CONFIG, rules: { ...DEFAULT_RISK_CONFIG.rules, ...rules } });

  test('a rule that throws gives an explicit error outcome and the pipeline holds an otherwise ordinary charge', () => {
    const errors: string[] = [];
    const failing = createRiskPipeline(config({ 'always-throws@1': {} }), { rules: [...riskRules, throwing], onRuleError: (rule) => errors.push(rule) });
    const decision = failing.decide(ORDINARY_CHARGE);
    assert.deepEqual(decision.rules.find((r) => r.rule === 'always-throws@1'), { rule: 'always-throws@1', outcome: 'error', reason: RULE_ERROR_REASON });
    assert.equal(decision.action, 'hold');
    assert.ok(decision.reasons.includes(RULE_ERROR_REASON));
    assert.deepEqual(errors, ['always-throws@1']);
  });

  test('a failing rule never lowers a denial', () => {
    const failing = createRiskPipeline(config({ 'always-throws@1': {} }), { rules: [...riskRules, throwing] });
    assert.equal(failing.decide(riskFeatures({ device_accounts_30d: 4, device_links_24h: 6 })).action, 'deny');
  });

  test('a rule answering nonsense (no outcome, a bad reason, or error itself) counts as failing', () => {
    for (const answer of [undefined, { outcome: 'maybe', reason: 'x_y' }, { outcome: 'pass', reason: 'Bad Reason' }, { outcome: 'error', reason: 'oops_x' }]) {
      const odd = defineRule<Record<string, never>>({ id: 'odd', version: 1, catches: 'nonsense', stages: ['charge'], configProblems: () => [], evaluate: () => answer as never });
      const decision = createRiskPipeline(config({ 'odd@1': {} }), { rules: [...riskRules, odd] }).decide(ORDINARY_CHARGE);
      assert.equal(decision.action, 'hold', JSON.stringify(answer));
    }
  });

  test('a band list that does not hold the value (a negative count) is an error, and holds', () => {
    assert.equal(pipeline.decide(riskFeatures({ account_idle_days: -1 })).action, 'hold');
    assert.equal(pipeline.decide(riskFeatures({ amount_yen: Number.NaN, link_age_seconds: 0 })).action, 'hold');
  });
});

describe('configs refused at start-up', () => {
  const refuses = (config: RiskConfig, pattern: RegExp) => {
    assert.throws(() => createRiskPipeline(config), (error: unknown) => {
      assert.ok(error instanceof RiskConfigError);
      assert.match(error.message, pattern);
      return true;
    });
  };

  test('an unknown rule id is refused with a message naming it and listing the known rules', () => {
    refuses({ ...DEFAULT_RISK_CONFIG, rules: { ...DEFAULT_RISK_CONFIG.rules, 'sim-swap-detector@1': {} } },
      /risk config furikae-default@6 refused:\n  - unknown rule "sim-swap-detector@1": known rules are young-link@1, /);
  });

  test('a rule at a version this build does not have, or with no version, is refused', () => {
    const { 'amount-above-history@2': config, ...rest } = DEFAULT_RISK_CONFIG.rules;
    refuses({ ...DEFAULT_RISK_CONFIG, rules: { ...rest, 'amount-above-history@1': config } }, /rule amount-above-history@1: this build has amount-above-history@2, not version 1/);
    refuses({ ...DEFAULT_RISK_CONFIG, rules: { ...rest, 'amount-above-history': config } }, /unknown rule "amount-above-history"/);
  });

  test('a typology weighing a rule the config does not run is refused', () => {
    const { 'velocity-over-caps@1': _dropped, ...rest } = DEFAULT_RISK_CONFIG.rules;
    refuses({ ...DEFAULT_RISK_CONFIG, rules: rest }, /typology velocity-burst@1 weighs rule velocity-over-caps@1, which this config does not run/);
  });

  test('bands with a gap, a bad threshold order and an allow action are each refused, all in one message', () => {
    const rules = structuredClone(DEFAULT_RISK_CONFIG.rules) as Record<string, { idle_days_bands: Array<{ lower: number }> }>;
    rules['dormant-account-charged@1']!.idle_days_bands[1]!.lower = 181;
    const typologies = structuredClone(DEFAULT_RISK_CONFIG.typologies);
    typologies[0]!.block_threshold = 10;
    typologies[1]!.on_alert = 'allow';
    try {
      createRiskPipeline({ ...DEFAULT_RISK_CONFIG, rules, typologies });
      assert.fail('accepted');
    } catch (error) {
      assert.ok(error instanceof RiskConfigError);
      assert.equal(error.problems.length, 3, error.message);
      assert.match(error.message, /idle_days_bands band 0 ends at 180 but band 1 starts at 181/);
      assert.match(error.message, /block_threshold must be an integer ≥ alert_threshold/);
      assert.match(error.message, /on_alert and on_block must be challenge, hold or deny/);
    }
  });

  test('a rule’s own config problems are refused (a non-positive new-link window)', () => {
    const rules = structuredClone(DEFAULT_RISK_CONFIG.rules) as Record<string, { new_link_seconds_max: number }>;
    rules['elderly-customer-new-link@1']!.new_link_seconds_max = 0;
    refuses({ ...DEFAULT_RISK_CONFIG, rules }, /rule elderly-customer-new-link@1: new_link_seconds_max must be a positive integer/);
  });

  test('a config id without a version is refused', () => {
    refuses({ ...DEFAULT_RISK_CONFIG, id: 'default' }, /config id "default" must look like name@1/);
  });
});
