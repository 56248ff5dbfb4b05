import type { ScanConfig } from './scan-config.ts';
import type { DrainAfterLinkConfig } from './rules/drain-after-link.ts';
import type { SharedDeviceSeveralCustomersConfig } from './rules/shared-device-several-customers.ts';
import type { NoBankSignInConfig } from './rules/no-bank-sign-in.ts';
import type { DormantOrElderlyChargedConfig } from './rules/dormant-or-elderly-charged.ts';
import type { CredentialAttackBeforeLinkConfig } from './rules/credential-attack-before-link.ts';

const DAY_SECONDS = 24 * 60 * 60;

const drainAfterLink: DrainAfterLinkConfig = {
  // "Within days": 2020's thieves charged at once and again within the month's cap; three days covers a weekend.
  drain_seconds_max: 3 * DAY_SECONDS,
  charged_yen_min: 10_000,
  percent_drained_bands: [
    { lower: 0, upper: 50, outcome: 'pass', reason: 'account_not_drained' },
    { lower: 50, upper: 90, outcome: 'alert', reason: 'account_half_drained_after_link' },
    { lower: 90, upper: null, outcome: 'block', reason: 'account_drained_after_link' },
  ],
  charged_yen_bands: [
    { lower: 0, upper: 150_000, outcome: 'pass', reason: 'ordinary_sum_after_link' },
    { lower: 150_000, upper: 300_000, outcome: 'alert', reason: 'large_sum_after_link' },
    // ¥300,000: 2020's monthly cap, taken within days of linking.
    { lower: 300_000, upper: null, outcome: 'block', reason: 'monthly_cap_taken_after_link' },
  ],
};

const sharedDeviceSeveralCustomers: SharedDeviceSeveralCustomersConfig = {
  device_customers_bands: [
    { lower: 0, upper: 2, outcome: 'pass', reason: 'device_one_customer' },
    // Two: a couple sharing a tablet is plausible.
    { lower: 2, upper: 3, outcome: 'alert', reason: 'device_two_customers' },
    { lower: 3, upper: null, outcome: 'block', reason: 'device_several_customers' },
  ],
  source_ip_customers_bands: [
    { lower: 0, upper: 5, outcome: 'pass', reason: 'source_few_customers' },
    { lower: 5, upper: 20, outcome: 'alert', reason: 'source_several_customers' },
    { lower: 20, upper: null, outcome: 'block', reason: 'source_many_customers' },
  ],
};

const noBankSignIn: NoBankSignInConfig = {
  sign_ins_bands: [
    { lower: 0, upper: 1, outcome: 'alert', reason: 'no_bank_sign_in_in_window' },
    { lower: 1, upper: null, outcome: 'pass', reason: 'customer_signed_in' },
  ],
};

const dormantOrElderlyCharged: DormantOrElderlyChargedConfig = {
  age_years_bands: [
    { lower: 0, upper: 65, outcome: 'pass', reason: 'customer_under_65' },
    // 65: Japan's statistical threshold for 高齢者 (elderly), as in elderly-customer-new-link@1.
    { lower: 65, upper: null, outcome: 'alert', reason: 'elderly_customer_charged' },
  ],
  idle_days_bands: [
    { lower: 0, upper: 180, outcome: 'pass', reason: 'account_active' },
    { lower: 180, upper: 365, outcome: 'alert', reason: 'dormant_account_charged' },
    { lower: 365, upper: null, outcome: 'block', reason: 'long_dormant_account_charged' },
  ],
};

const credentialAttackBeforeLink: CredentialAttackBeforeLinkConfig = {
  failures_bands: [
    { lower: 0, upper: 1, outcome: 'pass', reason: 'no_failures_before_link' },
    // One typo is common; two or more in the day before a link is someone trying.
    { lower: 1, upper: 2, outcome: 'alert', reason: 'failure_before_link' },
    { lower: 2, upper: null, outcome: 'block', reason: 'failures_before_link' },
  ],
};

/**
 * The shipped scan config. A charge is suspect at 70: the weak signs together stay below it (no sign-in 10, elderly
 * or dormant up to 10, a family device 15, today's rules up to 10 on the link and 30 on a held charge); a thief's
 * device, a mismatched identity, a report or a resolved case reaches it alone; a drain does with today's challenge
 * of the charge. docs/scan.md has the arithmetic and the precision and recall on generated history.
 */
export const DEFAULT_SCAN_CONFIG: ScanConfig = {
  id: 'furikae-scan@1',
  rules: {
    'drain-after-link@1': drainAfterLink,
    'shared-device-several-customers@1': sharedDeviceSeveralCustomers,
    'identity-never-matched@1': { outcome: 'block' },
    'no-bank-sign-in@1': noBankSignIn,
    'dormant-or-elderly-charged@1': dormantOrElderlyCharged,
    'credential-attack-before-link@1': credentialAttackBeforeLink,
    'reported-not-me@1': { outcome: 'block' },
    'confirmed-fraud@1': { outcome: 'block' },
  },
  typology: {
    id: 'retrospective-theft@1',
    describes: 'an account linked by someone else and drained, found in the history after the fact',
    weights: {
      'drain-after-link@1': { alert: 30, block: 55 },
      // Two customers on one device is usually a family; three or more is a thief's phone.
      'shared-device-several-customers@1': { alert: 15, block: 70 },
      'identity-never-matched@1': { alert: 35, block: 70 },
      'no-bank-sign-in@1': { alert: 10, block: 10 },
      // Light: today's rules already weigh age and dormancy on the link and each charge.
      'dormant-or-elderly-charged@1': { alert: 5, block: 10 },
      'credential-attack-before-link@1': { alert: 25, block: 45 },
      'reported-not-me@1': { alert: 35, block: 70 },
      'confirmed-fraud@1': { alert: 60, block: 100 },
    },
    link_decision_points: { challenge: 10, hold: 20, deny: 30 },
    // Today's rules on the charge itself weigh more than on the link: the 2020 pattern is in the charge.
    charge_decision_points: { challenge: 15, hold: 30, deny: 40 },
    suspect_score_min: 70,
  },
};
