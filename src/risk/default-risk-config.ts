import type { RiskConfig } from './risk-config.ts';
import type { YoungLinkConfig } from './rules/young-link.ts';
import type { NoLinkHistoryConfig } from './rules/no-link-history.ts';
import type { NewPayeeForCustomerConfig } from './rules/new-payee-for-customer.ts';
import type { WeakLinkMethodConfig } from './rules/weak-link-method.ts';
import type { SeveralLinksOneDeviceConfig } from './rules/several-links-one-device.ts';
import type { ManyWalletsOneSourceConfig } from './rules/many-wallets-one-source.ts';
import type { IdentityMatchBelowStrongConfig } from './rules/identity-match-below-strong.ts';
import type { VelocityOverCapsConfig } from './rules/velocity-over-caps.ts';
import type { ChargeAfterFailedLoginConfig } from './rules/charge-after-failed-login.ts';
import type { DormantAccountChargedConfig } from './rules/dormant-account-charged.ts';
import type { ElderlyCustomerNewLinkConfig } from './rules/elderly-customer-new-link.ts';
import type { AmountAboveHistoryConfig } from './rules/amount-above-history.ts';
import type { AccountLinksSpreadConfig } from './rules/account-links-spread.ts';
import type { OperatorActivityAnomalyConfig } from './rules/operator-activity-anomaly.ts';
import type { RecentPhoneNumberConfig } from './rules/recent-phone-number.ts';
import type { WalletPhoneNotHoldersConfig } from './rules/wallet-phone-not-holders.ts';
import type { SmsLinkAfterSimSwapConfig } from './rules/sms-link-after-sim-swap.ts';
import type { NewLinkSpendingConfig } from './rules/new-link-spending.ts';
import { IDENTITY_MATCH_SCORE_MIN, IDENTITY_MATCH_STRONG_SCORE_MIN } from '../kyc/identity-match.ts';

const HOUR_SECONDS = 60 * 60;
const DAY_SECONDS = 24 * HOUR_SECONDS;

const youngLink: YoungLinkConfig = {
  link_age_seconds_bands: [
    // "Within hours": a day covers a thief who links at night and charges in the morning.
    { lower: 0, upper: DAY_SECONDS, outcome: 'block', reason: 'link_new' },
    // Weeks: Japan Post Bank's thieves came back to a link for weeks (seeds/004); 60 days cover two monthly caps.
    { lower: DAY_SECONDS, upper: 60 * DAY_SECONDS, outcome: 'alert', reason: 'link_young' },
    { lower: 60 * DAY_SECONDS, upper: null, outcome: 'pass', reason: 'link_established' },
  ],
};

const noLinkHistory: NoLinkHistoryConfig = {
  link_charges_count_bands: [
    { lower: 0, upper: 1, outcome: 'alert', reason: 'no_charges_on_link' },
    { lower: 1, upper: null, outcome: 'pass', reason: 'link_has_history' },
  ],
};

const severalLinksOneDevice: SeveralLinksOneDeviceConfig = {
  device_accounts_30d_bands: [
    { lower: 0, upper: 2, outcome: 'pass', reason: 'device_one_account' },
    // Two: a couple sharing a tablet is plausible, so only an alert.
    { lower: 2, upper: 4, outcome: 'alert', reason: 'device_links_several_accounts' },
    { lower: 4, upper: null, outcome: 'block', reason: 'device_links_many_accounts' },
  ],
};

const manyWalletsOneSource: ManyWalletsOneSourceConfig = {
  device_links_24h_bands: [
    { lower: 0, upper: 3, outcome: 'pass', reason: 'device_few_new_links' },
    { lower: 3, upper: 6, outcome: 'alert', reason: 'device_many_new_links' },
    { lower: 6, upper: null, outcome: 'block', reason: 'device_link_farm' },
  ],
  ip_links_24h_bands: [
    { lower: 0, upper: 200, outcome: 'pass', reason: 'ip_few_new_links' },
    { lower: 200, upper: 1_000, outcome: 'alert', reason: 'ip_many_new_links' },
    { lower: 1_000, upper: null, outcome: 'block', reason: 'ip_link_farm' },
  ],
};

const identityMatchBelowStrong: IdentityMatchBelowStrongConfig = {
  score_bands: [
    { lower: 0, upper: IDENTITY_MATCH_SCORE_MIN, outcome: 'block', reason: 'identity_mismatch' },
    { lower: IDENTITY_MATCH_SCORE_MIN, upper: IDENTITY_MATCH_STRONG_SCORE_MIN, outcome: 'alert', reason: 'identity_weak' },
    { lower: IDENTITY_MATCH_STRONG_SCORE_MIN, upper: null, outcome: 'pass', reason: 'identity_strong' },
  ],
  unattested_outcome: 'alert',
  kyc_level_min: 'phone_verified',
};

const velocityOverCaps: VelocityOverCapsConfig = {
  // Per link the monthly cap already bounds the money; these catch a script, not a person topping up.
  link_charges_1h_bands: [
    { lower: 0, upper: 21, outcome: 'pass', reason: 'link_velocity_normal' },
    { lower: 21, upper: 61, outcome: 'alert', reason: 'link_velocity_high' },
    { lower: 61, upper: null, outcome: 'block', reason: 'link_velocity_over_cap' },
  ],
  customer_charges_24h_bands: [
    { lower: 0, upper: 31, outcome: 'pass', reason: 'customer_velocity_normal' },
    { lower: 31, upper: 101, outcome: 'alert', reason: 'customer_velocity_high' },
    { lower: 101, upper: null, outcome: 'block', reason: 'customer_velocity_over_cap' },
  ],
  device_charges_1h_bands: [
    { lower: 0, upper: 21, outcome: 'pass', reason: 'device_velocity_normal' },
    { lower: 21, upper: 61, outcome: 'alert', reason: 'device_velocity_high' },
    { lower: 61, upper: null, outcome: 'block', reason: 'device_velocity_over_cap' },
  ],
  ip_charges_1h_bands: [
    { lower: 0, upper: 100_001, outcome: 'pass', reason: 'ip_velocity_normal' },
    { lower: 100_001, upper: 1_000_001, outcome: 'alert', reason: 'ip_velocity_high' },
    { lower: 1_000_001, upper: null, outcome: 'block', reason: 'ip_velocity_over_cap' },
  ],
};

const chargeAfterFailedLogin: ChargeAfterFailedLoginConfig = {
  failure_seconds_ago_bands: [
    { lower: 0, upper: HOUR_SECONDS, outcome: 'block', reason: 'within_hour_of_failed_login' },
    { lower: HOUR_SECONDS, upper: null, outcome: 'alert', reason: 'within_day_of_failed_login' },
  ],
  // A lock or a sprayed PIN: within the day as bad as a failure within the hour; then an alert for the 90 days
  // the feature looks back (src/risk/credential-history.ts CREDENTIAL_ATTACK_LOOKBACK_MS).
  attack_seconds_ago_bands: [
    { lower: 0, upper: DAY_SECONDS, outcome: 'block', reason: 'within_day_of_credential_attack' },
    { lower: DAY_SECONDS, upper: null, outcome: 'alert', reason: 'after_credential_attack' },
  ],
};

const dormantAccountCharged: DormantAccountChargedConfig = {
  idle_days_bands: [
    { lower: 0, upper: 180, outcome: 'pass', reason: 'account_active' },
    { lower: 180, upper: 365, outcome: 'alert', reason: 'account_dormant_6_months' },
    { lower: 365, upper: null, outcome: 'block', reason: 'account_dormant_1_year' },
  ],
};

const elderlyCustomerNewLink: ElderlyCustomerNewLinkConfig = {
  new_link_seconds_max: 7 * DAY_SECONDS,
  age_years_bands: [
    { lower: 0, upper: 65, outcome: 'pass', reason: 'customer_under_65' },
    // 65: Japan's statistical threshold for 高齢者 (elderly).
    { lower: 65, upper: null, outcome: 'alert', reason: 'elderly_customer_new_link' },
  ],
};

const amountAboveHistory: AmountAboveHistoryConfig = {
  history_charges_min: 3,
  amount_yen_min: 10_000,
  percent_of_largest_bands: [
    { lower: 0, upper: 300, outcome: 'pass', reason: 'amount_within_history' },
    { lower: 300, upper: 1_000, outcome: 'alert', reason: 'amount_above_history' },
    { lower: 1_000, upper: null, outcome: 'block', reason: 'amount_far_above_history' },
  ],
  amount_yen_bands: [
    // ¥30,000: above what the lab's and the news reports' ordinary top-ups reach (¥1,000–¥20,000), and the low end
    // of 2020's thefts; ¥80,000 is near the ¥100,000 cap they drained at (seeds/001).
    { lower: 0, upper: 30_000, outcome: 'pass', reason: 'amount_small_without_history' },
    { lower: 30_000, upper: 80_000, outcome: 'alert', reason: 'amount_large_without_history' },
    { lower: 80_000, upper: null, outcome: 'block', reason: 'amount_very_large_without_history' },
  ],
  unproven_link_methods: ['legacy_pin'],
};

const accountLinksSpread: AccountLinksSpreadConfig = {
  account_links_7d_bands: [
    { lower: 0, upper: 3, outcome: 'pass', reason: 'account_few_new_links' },
    { lower: 3, upper: 5, outcome: 'alert', reason: 'account_linked_to_several_services' },
    { lower: 5, upper: null, outcome: 'block', reason: 'account_linked_to_many_services' },
  ],
};

const operatorActivityAnomaly: OperatorActivityAnomalyConfig = {
  // A level is a ratio to the operator's own busiest window in 28 days (or a floor): 1 is a day it has had before.
  // 3× is unusual (a promotion, a payday): its customers step up. 5× is the default containment level as well.
  level_bands: [
    { lower: 0, upper: 3, outcome: 'pass', reason: 'operator_within_its_history' },
    { lower: 3, upper: 5, outcome: 'alert', reason: 'operator_above_its_history' },
    { lower: 5, upper: null, outcome: 'block', reason: 'operator_far_above_its_history' },
  ],
};

/**
 * A phone number on record set or changed within 30 days is recent: whoever took a number over cashes in within days
 * (SIM-swap thefts within hours, or after a weekend), and 30 days cover one monthly charge cap and one monthly
 * statement, by which the holder has noticed that texts no longer reach them. Honest customers keep a number for years.
 */
export const RECENT_PHONE_NUMBER_HOURS = 30 * 24;
/** Within its first week a number is new: most takeovers are used before the holder reaches the carrier or the bank. */
export const NEW_PHONE_NUMBER_HOURS = 7 * 24;

const recentPhoneNumber: RecentPhoneNumberConfig = {
  phone_number_age_hours_bands: [
    { lower: 0, upper: NEW_PHONE_NUMBER_HOURS, outcome: 'block', reason: 'phone_number_new' },
    { lower: NEW_PHONE_NUMBER_HOURS, upper: RECENT_PHONE_NUMBER_HOURS, outcome: 'alert', reason: 'phone_number_recent' },
    { lower: RECENT_PHONE_NUMBER_HOURS, upper: null, outcome: 'pass', reason: 'phone_number_established' },
  ],
};

/**
 * How long after a SIM change a link approved by SMS moves no money without staff: 30 days, as for a number changed at
 * the bank (RECENT_PHONE_NUMBER_HOURS). A swapped victim's phone is dead from the swap; within days, and surely within
 * a month, they are at the carrier's shop, which moves the number back (a newer change, and the thief's texts stop).
 */
export const SIM_SWAP_LINK_HOLD_HOURS = 30 * 24;

const smsLinkAfterSimSwap: SmsLinkAfterSimSwapConfig = {
  sim_change_age_hours_bands: [
    { lower: 0, upper: SIM_SWAP_LINK_HOLD_HOURS, outcome: 'block', reason: 'sms_link_after_recent_sim_change' },
    { lower: SIM_SWAP_LINK_HOLD_HOURS, upper: null, outcome: 'pass', reason: 'sim_change_settled' },
  ],
};

const walletPhoneNotHolders: WalletPhoneNotHoldersConfig = {
  score_bands: [
    // Below the link minimum no link is made; a charge on one would be a defect, so it counts as the worst case.
    { lower: 0, upper: IDENTITY_MATCH_SCORE_MIN, outcome: 'block', reason: 'identity_mismatch' },
    { lower: IDENTITY_MATCH_SCORE_MIN, upper: IDENTITY_MATCH_STRONG_SCORE_MIN, outcome: 'alert', reason: 'wallet_phone_not_holders' },
    { lower: IDENTITY_MATCH_STRONG_SCORE_MIN, upper: null, outcome: 'pass', reason: 'wallet_phone_holders' },
  ],
};

/**
 * The shipped config. No single weakness decides; their combination does (docs/risk-rules.md has the arithmetic):
 * - `link-and-drain-2020@2`: a new link (10), a new payee (10) and no history on the link (5) are every honest
 *   customer's first top-up: 25, and 40 for a customer of 65 or more, allowed. ¥80,000 or the cap with no history
 *   (35) makes 60: challenged; ¥30,000–¥79,999 (20) makes 45, allowed under 65 and challenged at 65 or more (60).
 *   A dormant account or a failed credential pushes to hold.
 * - `unproven-link-drain@1`: the same on a link nobody proved with a second factor (a PIN link, 45). Without that
 *   weakness it cannot act (at most 10 + 10 + 10 + 35 = 65 < 80); with it, a large first charge is held (≥ 100) and a
 *   large charge weeks or months after linking is challenged (≥ 80) however many charges went before: the patient
 *   thefts at Japan Post Bank (seeds/004). A small top-up on a PIN link stays allowed (at most 75).
 * - `phone-takeover@1`: a phone number set or changed within 30 days, with a new link, a new payee and ¥80,000 or the
 *   cap (≥ 100), is held for staff: the challenge `link-and-drain-2020@2` would send goes to that number. Anything less
 *   (at most 90: a new customer's first ¥50,000 top-up) is left to the other typologies.
 * - `unmatched-wallet-phone@1`: a wallet whose verified phone is not the holder's number (25) on a link no money has
 *   yet moved through (25) makes 50: its first payment, of any amount, is challenged, and so approved by the holder
 *   at the bank (by passkey, or by code once the link is a day old). Either alone is 25, allowed.
 * - `sim-swap-link@1`: a link approved by an SMS code within 30 days after the carrier changed the SIM behind the
 *   holder's number: every charge on it is held for staff until the change is 30 days old, whatever the amount. A
 *   challenge would go by SMS to that SIM; a patient thief takes ¥29,999 at a time.
 */
export const DEFAULT_RISK_CONFIG: RiskConfig = {
  id: 'furikae-default@6',
  rules: {
    'young-link@1': youngLink,
    'no-link-history@1': noLinkHistory,
    'new-payee-for-customer@1': { outcome: 'alert' } satisfies NewPayeeForCustomerConfig,
    'weak-link-method@1': { weak_link_methods: ['legacy_pin'], outcome: 'alert' } satisfies WeakLinkMethodConfig,
    'several-links-one-device@1': severalLinksOneDevice,
    'many-wallets-one-source@1': manyWalletsOneSource,
    'identity-match-below-strong@1': identityMatchBelowStrong,
    'velocity-over-caps@1': velocityOverCaps,
    'charge-after-failed-login@2': chargeAfterFailedLogin,
    'dormant-account-charged@1': dormantAccountCharged,
    'elderly-customer-new-link@1': elderlyCustomerNewLink,
    'amount-above-history@2': amountAboveHistory,
    'account-links-spread@1': accountLinksSpread,
    'operator-activity-anomaly@1': operatorActivityAnomaly,
    'recent-phone-number@1': recentPhoneNumber,
    'wallet-phone-not-holders@1': walletPhoneNotHolders,
    'sms-link-after-sim-swap@1': smsLinkAfterSimSwap,
  },
  typologies: [
    {
      id: 'link-and-drain-2020@2',
      describes: 'an account linked by someone other than its holder and drained: a new link, a new payee, no history and a large sum together',
      weights: {
        'young-link@1': { alert: 5, block: 10 },
        'new-payee-for-customer@1': { alert: 10, block: 10 },
        'no-link-history@1': { alert: 5, block: 5 },
        // 20 for ¥30,000–¥79,999 with no history: below the threshold with the other three (45), so an honest heavy
        // customer's first ¥30,000–¥50,000 top-up on a new link goes through (the lab's docomo-2020 heavy group was
        // at 4.58 % challenged at 25); 35 at ¥80,000 or the cap, where the four together reach 60.
        'amount-above-history@2': { alert: 20, block: 35 },
        // 5 for an unattested (PIN) link: the unproven-link typology weighs what a PIN link lacks.
        'identity-match-below-strong@1': { alert: 5, block: 60 },
        'elderly-customer-new-link@1': { alert: 15, block: 15 },
        'dormant-account-charged@1': { alert: 25, block: 40 },
        'charge-after-failed-login@2': { alert: 20, block: 40 },
      },
      // A challenge goes to the account holder's own phone, which the thief does not hold: cheap, and decisive.
      alert_threshold: 50,
      block_threshold: 100,
      on_alert: 'challenge',
      on_block: 'hold',
    },
    {
      id: 'unproven-link-drain@1',
      describes: 'money taken through a link nobody proved with a second factor (leaked account number and PIN), at once or patiently',
      weights: {
        'weak-link-method@1': { alert: 45, block: 45 },
        'young-link@1': { alert: 5, block: 10 },
        'new-payee-for-customer@1': { alert: 10, block: 10 },
        'no-link-history@1': { alert: 10, block: 10 },
        'amount-above-history@2': { alert: 25, block: 35 },
      },
      // 80: above everything but the PIN link together (10 + 10 + 10 + 35 = 65), so it acts on unproven links only.
      alert_threshold: 80,
      block_threshold: 100,
      on_alert: 'challenge',
      on_block: 'hold',
    },
    {
      id: 'wallet-farm@1',
      describes: 'one device or address opening wallets on many people’s accounts',
      weights: {
        'several-links-one-device@1': { alert: 30, block: 60 },
        'many-wallets-one-source@1': { alert: 30, block: 60 },
        'account-links-spread@1': { alert: 25, block: 50 },
      },
      alert_threshold: 50,
      block_threshold: 100,
      on_alert: 'hold',
      on_block: 'deny',
    },
    {
      id: 'velocity-burst@1',
      describes: 'charges faster than a person tops up',
      weights: { 'velocity-over-caps@1': { alert: 50, block: 100 } },
      alert_threshold: 50,
      block_threshold: 100,
      on_alert: 'challenge',
      on_block: 'deny',
    },
    {
      id: 'leaked-operator@1',
      describes: 'an operator’s links charged far beyond its own history: its database or keys in a thief’s hands',
      weights: { 'operator-activity-anomaly@1': { alert: 50, block: 100 } },
      // The holder's own phone stands between a thief holding the operator's tokens and the money; staff decide the rest.
      alert_threshold: 50,
      block_threshold: 100,
      on_alert: 'challenge',
      on_block: 'hold',
    },
    {
      id: 'phone-takeover@1',
      describes: 'money through a new link soon after the phone number on record was set or changed: the step-up code would go to that number',
      weights: {
        // Any recent number with a new link, a new payee and ¥80,000 or the cap reaches 100 (40 + 15 + 10 + 35); a
        // number of under a week does with a link of weeks too (50 + 5 + 10 + 35).
        'recent-phone-number@1': { alert: 40, block: 50 },
        'young-link@1': { alert: 5, block: 15 },
        'new-payee-for-customer@1': { alert: 10, block: 10 },
        // 15 for ¥30,000–¥79,999: a new customer's first ¥50,000 top-up on a new wallet is 90, left to the others.
        'amount-above-history@2': { alert: 15, block: 35 },
      },
      // Holds only: a challenge is exactly what this typology cannot trust, since its code goes to the new number.
      alert_threshold: 100,
      block_threshold: 100,
      on_alert: 'hold',
      on_block: 'hold',
    },
    {
      id: 'unmatched-wallet-phone@1',
      describes: "a wallet whose verified phone is not the holder's number, before any payment through its link was made: the holder approves the first one",
      weights: {
        'wallet-phone-not-holders@1': { alert: 25, block: 50 },
        'no-link-history@1': { alert: 25, block: 25 },
      },
      // A thief's wallet carries the thief's phone; an honest customer who changed numbers approves one payment.
      alert_threshold: 50,
      block_threshold: 100,
      on_alert: 'challenge',
      on_block: 'hold',
    },
    {
      id: 'sim-swap-link@1',
      describes: 'money through a link approved by an SMS code soon after the SIM behind the holder’s number changed: the code may have reached a thief’s SIM',
      weights: { 'sms-link-after-sim-swap@1': { alert: 100, block: 100 } },
      // Holds only, of any amount: a challenge would send its code to the same SIM.
      alert_threshold: 100,
      block_threshold: 100,
      on_alert: 'hold',
      on_block: 'hold',
    },
  ],
};

/**
 * How much a link moves before its holder confirms one of its charges at the bank, under the new-link limit: ¥50,000
 * in the 30 days from its first charge. One top-up at the size where amount-above-history@2 starts to weigh (¥30,000)
 * passes; a thief taking ¥29,999 at a time is stopped at the second charge. 30 days, as for a changed number
 * (RECENT_PHONE_NUMBER_HOURS): a month covers one monthly cap and one statement.
 */
export const NEW_LINK_UNCONFIRMED_YEN_MAX = 50_000;

/**
 * The new-link limit, off in the shipped config: `new-link-spending@1` and `unconfirmed-new-link-spending@1`. It
 * stops a thief whose wallet matches the holder in full (a relayed code, the victim's own number on the wallet) from
 * draining a link ¥29,999 at a time, at the price of one approval per new link for every customer who tops up more
 * than the limit in a link's first month: in the lab, 10.69 % of the honest heavy group's charges in docomo-2020's
 * month were challenged, five times the 2 % friction target (docs/risk-rules.md, "The new-link limit"). A bank turns it
 * on with this (the lab: a configuration's `new_link_unconfirmed_yen_max`).
 */
export function withNewLinkLimit(config: RiskConfig, unconfirmed_yen_max = NEW_LINK_UNCONFIRMED_YEN_MAX): RiskConfig {
  const [, name, version] = /^(.*)@(\d+)$/.exec(config.id)!;
  const newLinkSpending: NewLinkSpendingConfig = {
    first_charge_window_seconds: 30 * DAY_SECONDS,
    unconfirmed_yen_bands: [
      { lower: 0, upper: unconfirmed_yen_max + 1, outcome: 'pass', reason: 'new_link_spending_within_limit' },
      { lower: unconfirmed_yen_max + 1, upper: null, outcome: 'alert', reason: 'new_link_spending_unconfirmed' },
    ],
  };
  return {
    id: `${name}-new-link-limit@${version}`,
    rules: { ...config.rules, 'new-link-spending@1': newLinkSpending },
    typologies: [
      ...config.typologies,
      {
        id: 'unconfirmed-new-link-spending@1',
        describes: 'a new link drained in sums each small enough to pass: more than its holder has confirmed at the bank',
        weights: { 'new-link-spending@1': { alert: 50, block: 50 } },
        // A challenge: the holder approves at the bank, by passkey, or by code once the link is a day old (a thief's
        // fake page is long closed by then), and that confirms the link. Honest cost: one approval per link at most.
        alert_threshold: 50,
        block_threshold: 100,
        on_alert: 'challenge',
        on_block: 'hold',
      },
    ],
  };
}
