import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanLinkFeatures } from './scan-link-features.ts';
import type { ScanRule } from './scan-rule.ts';
import { scanRules } from './scan-rules.ts';
import { DEFAULT_SCAN_CONFIG } from './default-scan-config.ts';
import { createScanTypology } from './scan-typology.ts';
import { ScanConfigError } from './scan-config.ts';
import { drainAfterLink } from './rules/drain-after-link.ts';
import { sharedDeviceSeveralCustomers } from './rules/shared-device-several-customers.ts';
import { identityNeverMatched } from './rules/identity-never-matched.ts';
import { noBankSignIn } from './rules/no-bank-sign-in.ts';
import { dormantOrElderlyCharged } from './rules/dormant-or-elderly-charged.ts';
import { credentialAttackBeforeLink } from './rules/credential-attack-before-link.ts';
import { reportedNotMe } from './rules/reported-not-me.ts';
import { confirmedFraud } from './rules/confirmed-fraud.ts';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/** An ordinary link's history: an active 40-year-old who signs in, ¥500,000 in the account, two small top-ups. */
function link(overrides: Partial<ScanLinkFeatures> = {}): ScanLinkFeatures {
  return {
    link_method: 'legacy_pin', balance_before_link_yen: 500_000,
    charges_after_link: [{ seconds_after_link: HOUR, amount_yen: 5_000 }, { seconds_after_link: 10 * DAY, amount_yen: 5_000 }],
    credits_after_link: [], device_customers: 1, source_ip_customers: null, identity_match_reasons: null, customer_sign_ins_in_window: 4,
    customer_age_years_at_first_charge: 40, account_idle_days_at_first_charge: 3, credential_failures_before_link_24h: 0,
    credential_locked_before_link: false, not_me_reported: false, case_resolution: null, ...overrides,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const evaluate = (rule: ScanRule<any>, features: ScanLinkFeatures) => rule.evaluate(features, DEFAULT_SCAN_CONFIG.rules[`${rule.id}@${rule.version}`]);

describe('the scan-only rules', () => {
  test('every rule in the table has a config in the shipped scan config, and the typology weighs each', () => {
    for (const rule of scanRules) {
      const key = `${rule.id}@${rule.version}`;
      assert.ok(key in DEFAULT_SCAN_CONFIG.rules, key);
      assert.ok(key in DEFAULT_SCAN_CONFIG.typology.weights, key);
    }
  });

  test('an ordinary link passes every rule', () => {
    for (const rule of scanRules) assert.equal(evaluate(rule, link()).outcome, 'pass', rule.id);
  });

  test('drain-after-link: 90 % of the balance within three days blocks, 50 % alerts, 49 % passes', () => {
    const charged = (amount_yen: number, at = HOUR) => link({ balance_before_link_yen: 100_000, charges_after_link: [{ seconds_after_link: at, amount_yen }] });
    assert.deepEqual(evaluate(drainAfterLink, charged(90_000)), { outcome: 'block', reason: 'account_drained_after_link' });
    assert.deepEqual(evaluate(drainAfterLink, charged(50_000)), { outcome: 'alert', reason: 'account_half_drained_after_link' });
    assert.equal(evaluate(drainAfterLink, charged(49_000)).outcome, 'pass');
    // The same charge four days later is no drain after the link; money paid in meanwhile counts as there.
    assert.equal(evaluate(drainAfterLink, charged(90_000, 3 * DAY)).outcome, 'pass');
    assert.equal(evaluate(drainAfterLink, link({ balance_before_link_yen: 100_000, charges_after_link: [{ seconds_after_link: HOUR, amount_yen: 90_000 }],
      credits_after_link: [{ seconds_after_link: 60, amount_yen: 100_000 }] })).outcome, 'pass');
  });

  test('drain-after-link: under ¥10,000 is never a drain, and ¥300,000 taken from a rich account blocks', () => {
    assert.equal(evaluate(drainAfterLink, link({ balance_before_link_yen: 9_000, charges_after_link: [{ seconds_after_link: HOUR, amount_yen: 9_000 }] })).outcome, 'pass');
    const rich = (yen: number) => link({ balance_before_link_yen: 5_000_000, charges_after_link: [{ seconds_after_link: HOUR, amount_yen: yen }] });
    assert.deepEqual(evaluate(drainAfterLink, rich(300_000)), { outcome: 'block', reason: 'monthly_cap_taken_after_link' });
    assert.deepEqual(evaluate(drainAfterLink, rich(150_000)), { outcome: 'alert', reason: 'large_sum_after_link' });
    assert.equal(evaluate(drainAfterLink, rich(149_000)).outcome, 'pass');
  });

  test('shared-device-several-customers: three customers on one device block, two alert, an unknown device passes', () => {
    assert.deepEqual(evaluate(sharedDeviceSeveralCustomers, link({ device_customers: 3 })), { outcome: 'block', reason: 'device_several_customers' });
    assert.deepEqual(evaluate(sharedDeviceSeveralCustomers, link({ device_customers: 2 })), { outcome: 'alert', reason: 'device_two_customers' });
    assert.deepEqual(evaluate(sharedDeviceSeveralCustomers, link({ device_customers: null })), { outcome: 'pass', reason: 'device_unknown' });
    assert.equal(evaluate(sharedDeviceSeveralCustomers, link({ device_customers: null, source_ip_customers: 20 })).outcome, 'block');
    assert.equal(evaluate(sharedDeviceSeveralCustomers, link({ device_customers: 1, source_ip_customers: 4 })).outcome, 'pass');
  });

  test('identity-never-matched: a name or birth-date mismatch blocks; a phone mismatch or no attestation passes', () => {
    assert.deepEqual(evaluate(identityNeverMatched, link({ link_method: 'fapi2', identity_match_reasons: ['name_mismatch', 'birth_date_match', 'phone_match'] })),
      { outcome: 'block', reason: 'attested_identity_never_matched' });
    assert.equal(evaluate(identityNeverMatched, link({ link_method: 'fapi2', identity_match_reasons: ['name_exact', 'birth_date_mismatch', 'phone_match'] })).outcome, 'block');
    assert.equal(evaluate(identityNeverMatched, link({ link_method: 'fapi2', identity_match_reasons: ['name_exact', 'birth_date_match', 'phone_mismatch'] })).outcome, 'pass');
    assert.equal(evaluate(identityNeverMatched, link({ identity_match_reasons: null })).outcome, 'pass');
  });

  test('no-bank-sign-in: a charged customer with no sign-in in the window alerts; one sign-in passes; an uncharged link passes', () => {
    assert.deepEqual(evaluate(noBankSignIn, link({ customer_sign_ins_in_window: 0 })), { outcome: 'alert', reason: 'no_bank_sign_in_in_window' });
    assert.equal(evaluate(noBankSignIn, link({ customer_sign_ins_in_window: 1 })).outcome, 'pass');
    assert.equal(evaluate(noBankSignIn, link({ customer_sign_ins_in_window: 0, charges_after_link: [] })).outcome, 'pass');
  });

  test('dormant-or-elderly-charged: 65 alerts and 64 passes; 180 idle days alert, 365 block; both together block', () => {
    assert.deepEqual(evaluate(dormantOrElderlyCharged, link({ customer_age_years_at_first_charge: 65 })), { outcome: 'alert', reason: 'elderly_customer_charged' });
    assert.equal(evaluate(dormantOrElderlyCharged, link({ customer_age_years_at_first_charge: 64 })).outcome, 'pass');
    assert.deepEqual(evaluate(dormantOrElderlyCharged, link({ account_idle_days_at_first_charge: 180 })), { outcome: 'alert', reason: 'dormant_account_charged' });
    assert.equal(evaluate(dormantOrElderlyCharged, link({ account_idle_days_at_first_charge: 179 })).outcome, 'pass');
    assert.deepEqual(evaluate(dormantOrElderlyCharged, link({ account_idle_days_at_first_charge: 365 })), { outcome: 'block', reason: 'long_dormant_account_charged' });
    assert.deepEqual(evaluate(dormantOrElderlyCharged, link({ account_idle_days_at_first_charge: 200, customer_age_years_at_first_charge: 78 })),
      { outcome: 'block', reason: 'dormant_elderly_customer_charged' });
    assert.equal(evaluate(dormantOrElderlyCharged, link({ charges_after_link: [], account_idle_days_at_first_charge: null, customer_age_years_at_first_charge: null })).outcome, 'pass');
  });

  test('credential-attack-before-link: one failure the day before alerts, two block, a lock blocks', () => {
    assert.deepEqual(evaluate(credentialAttackBeforeLink, link({ credential_failures_before_link_24h: 1 })), { outcome: 'alert', reason: 'failure_before_link' });
    assert.equal(evaluate(credentialAttackBeforeLink, link({ credential_failures_before_link_24h: 2 })).outcome, 'block');
    assert.deepEqual(evaluate(credentialAttackBeforeLink, link({ credential_locked_before_link: true })), { outcome: 'block', reason: 'credential_locked_before_link' });
  });

  test('reported-not-me and confirmed-fraud: a report or a fraud resolution blocks; a legitimate resolution clears both', () => {
    assert.deepEqual(evaluate(reportedNotMe, link({ not_me_reported: true })), { outcome: 'block', reason: 'customer_reported_not_me' });
    assert.equal(evaluate(reportedNotMe, link({ not_me_reported: true, case_resolution: 'legitimate' })).outcome, 'pass');
    assert.deepEqual(evaluate(confirmedFraud, link({ case_resolution: 'fraud' })), { outcome: 'block', reason: 'link_revoked_as_fraud' });
    assert.equal(evaluate(confirmedFraud, link({ case_resolution: 'legitimate' })).outcome, 'pass');
  });
});

describe('the scan typology', () => {
  const typology = createScanTypology(DEFAULT_SCAN_CONFIG);

  test('the weak signs together stay under the threshold; a thief’s device reaches it alone', () => {
    const weak = link({ customer_sign_ins_in_window: 0, customer_age_years_at_first_charge: 80, device_customers: 2 });
    const scored = typology.scoreLink(weak, 'challenge');
    assert.ok(scored.score + typology.chargePoints('challenge') < typology.suspect_score_min, `weak signs scored ${scored.score}`);
    assert.ok(typology.scoreLink(link({ device_customers: 3 }), 'allow').score >= typology.suspect_score_min);
  });

  test('a rule that throws scores as a block with rule_error, so the link is listed rather than hidden', () => {
    const broken = { ...noBankSignIn, evaluate: () => { throw new Error('boom'); } };
    const only = createScanTypology({ ...DEFAULT_SCAN_CONFIG, rules: { 'no-bank-sign-in@1': DEFAULT_SCAN_CONFIG.rules['no-bank-sign-in@1'] },
      typology: { ...DEFAULT_SCAN_CONFIG.typology, weights: { 'no-bank-sign-in@1': { alert: 1, block: 99 } } } }, { rules: [broken] });
    const scored = only.scoreLink(link(), 'allow');
    assert.equal(scored.score, 99);
    assert.deepEqual(scored.reasons, ['rule_error']);
  });

  test('a config naming an unknown rule, weighing a rule it does not run, or with a gap in a band list is refused with every problem', () => {
    const bad = {
      ...DEFAULT_SCAN_CONFIG,
      rules: { ...DEFAULT_SCAN_CONFIG.rules, 'no-such-rule@1': {}, 'no-bank-sign-in@1': { sign_ins_bands: [{ lower: 0, upper: 1, outcome: 'alert', reason: 'none' }, { lower: 2, upper: null, outcome: 'pass', reason: 'some' }] } },
      typology: { ...DEFAULT_SCAN_CONFIG.typology, weights: { ...DEFAULT_SCAN_CONFIG.typology.weights, 'ghost@1': { alert: 1, block: 1 } }, suspect_score_min: 0 },
    };
    assert.throws(() => createScanTypology(bad as never), (error: unknown) => {
      assert.ok(error instanceof ScanConfigError);
      assert.equal(error.problems.length, 4, error.message);
      return true;
    });
  });
});
