import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRiskPipeline, RULE_ERROR_REASON } from './risk-pipeline.ts';
import { DEFAULT_RISK_CONFIG } from './default-risk-config.ts';
import { RiskConfigError, type RiskConfig } from './risk-config.ts';
import { riskRules } from './risk-rules.ts';
import { defineRule } from './risk-rule.ts';
import { riskFeatures, THEFT_2020_CHARGE, ORDINARY_CHARGE } from './sample-risk-features.ts';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;
const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
const theft = (overrides = {}) => riskFeatures(overrides, THEFT_2020_CHARGE);

describe('decisions under the shipped config', () => {
  test('an ordinary ¥5,000 top-up on an established link is allowed with no reasons', () => {
    const decision = pipeline.decide(ORDINARY_CHARGE);
    assert.equal(decision.action, 'allow');
    assert.deepEqual(decision.reasons, []);
    assert.equal(decision.config_id, 'furikae-default@1');
  });

  test('¥5,000 on a new legacy link of an elderly customer who never used the operator is still allowed (45 < 50)', () => {
    const decision = pipeline.decide(theft({ amount_yen: 5_000 }));
    assert.equal(decision.action, 'allow');
    assert.equal(decision.typologies.find((t) => t.typology === 'link-and-drain-2020@1')?.score, 45);
  });

  test('the 2020 pattern, ¥100,000 within hours of a new legacy link to a never-used operator by a 78-year-old, is challenged', () => {
    const decision = pipeline.decide(THEFT_2020_CHARGE);
    assert.equal(decision.action, 'challenge');
    assert.equal(decision.typologies.find((t) => t.typology === 'link-and-drain-2020@1')?.score, 90);
    for (const reason of ['maximum_charge_on_new_link', 'legacy_link_operator_never_used', 'identity_not_attested', 'elderly_customer_new_link', 'typology:link-and-drain-2020@1']) {
      assert.ok(decision.reasons.includes(reason), reason);
    }
  });

  test('the same on a dormant account, or an hour after a failed PIN, is held for staff', () => {
    assert.equal(pipeline.decide(theft({ account_idle_days: 200 })).action, 'hold');
    assert.equal(pipeline.decide(theft({ credential_failure_seconds_ago: 600, credential_failures_24h: 2 })).action, 'hold');
  });

  test('a day after linking the large charge is no longer "new link" and the elderly weight stays a week', () => {
    assert.equal(pipeline.decide(theft({ link_age_seconds: DAY })).action, 'allow');
    assert.equal(pipeline.decide(theft({ link_age_seconds: DAY - 1 })).action, 'challenge');
  });

  test('on a new legacy link ¥29,999 is allowed and ¥30,000 challenged; on a new FAPI link with a strong match ¥30,000 is allowed', () => {
    assert.equal(pipeline.decide(theft({ amount_yen: 29_999 })).action, 'allow');
    assert.equal(pipeline.decide(theft({ amount_yen: 30_000, customer_age_years: 40 })).action, 'challenge');
    const fapi = { link_method: 'fapi2' as const, identity_match_score: 100, kyc_level: 'ekyc_document_face', customer_age_years: 40 };
    assert.equal(pipeline.decide(theft({ amount_yen: 30_000, ...fapi })).action, 'allow');
    assert.equal(pipeline.decide(theft({ amount_yen: 100_000, ...fapi, customer_age_years: 78 })).action, 'challenge');
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
    for (const chargeOnly of ['new-link-large-charge@1', 'velocity-over-caps@1', 'amount-above-history@1']) assert.ok(!ran.includes(chargeOnly), chargeOnly);
    assert.equal(decision.action, 'allow');
  });

  test('every rule of the shipped table is in the shipped config', () => {
    assert.deepEqual(new Set(pipeline.rule_keys), new Set(riskRules.map((rule) => `${rule.id}@${rule.version}`)));
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
      /risk config furikae-default@1 refused:\n  - unknown rule "sim-swap-detector@1": known rules are new-link-large-charge@1, /);
  });

  test('a rule at a version this build does not have, or with no version, is refused', () => {
    const { 'new-link-large-charge@1': config, ...rest } = DEFAULT_RISK_CONFIG.rules;
    refuses({ ...DEFAULT_RISK_CONFIG, rules: { ...rest, 'new-link-large-charge@2': config } }, /rule new-link-large-charge@2: this build has new-link-large-charge@1, not version 2/);
    refuses({ ...DEFAULT_RISK_CONFIG, rules: { ...rest, 'new-link-large-charge': config } }, /unknown rule "new-link-large-charge"/);
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
    rules['new-link-large-charge@1']!.new_link_seconds_max = 0;
    refuses({ ...DEFAULT_RISK_CONFIG, rules }, /rule new-link-large-charge@1: new_link_seconds_max must be a positive integer/);
  });

  test('a config id without a version is refused', () => {
    refuses({ ...DEFAULT_RISK_CONFIG, id: 'default' }, /config id "default" must look like name@1/);
  });
});
