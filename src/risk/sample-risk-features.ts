import type { RiskFeatures } from './risk-features.ts';

const DAY_SECONDS = 24 * 60 * 60;

/** An ordinary charge: a ¥5,000 top-up on a FAPI link of 200 days, strong identity, a customer of 41 who tops up weekly. */
export const ORDINARY_CHARGE: Readonly<RiskFeatures> = {
  stage: 'charge',
  amount_yen: 5_000,
  charge_yen_max: 100_000,
  link_method: 'fapi2',
  link_age_seconds: 200 * DAY_SECONDS,
  kyc_level: 'ekyc_document_face',
  identity_match_score: 100,
  link_charges_count: 28,
  link_unconfirmed_yen: 5_000,
  link_first_charge_seconds_ago: 199 * DAY_SECONDS,
  customer_charges_count: 28,
  customer_charge_yen_largest: 10_000,
  link_charges_1h: 1,
  customer_charges_24h: 1,
  device_charges_1h: 1,
  ip_charges_1h: 40,
  account_links_active: 1,
  account_links_7d: 0,
  device_links_24h: 1,
  ip_links_24h: 1,
  device_accounts_30d: 1,
  customer_age_years: 41,
  phone_number_age_hours: 3 * 365 * 24,
  sms_link_sim_change_age_hours: null,
  credential_failures_24h: 0,
  credential_failure_seconds_ago: null,
  credential_lock_seconds_ago: null,
  credential_attack_seconds_ago: null,
  operator_used_before_link: true,
  wallet_identity_new_at_operator: false,
  account_idle_days: 3,
  operator_anomaly_level: 0.4,
};

/**
 * The 2020 pattern: a legacy PIN link made an hour ago to an operator the 78-year-old holder never used, and
 * ¥100,000 at once (the Docomo account thefts, seeds/001 and seeds/003).
 */
export const THEFT_2020_CHARGE: Readonly<RiskFeatures> = {
  ...ORDINARY_CHARGE,
  amount_yen: 100_000,
  link_method: 'legacy_pin',
  link_age_seconds: 60 * 60,
  kyc_level: null,
  identity_match_score: null,
  link_charges_count: 0,
  link_unconfirmed_yen: 100_000,
  link_first_charge_seconds_ago: 0,
  customer_charges_count: 0,
  customer_charge_yen_largest: 0,
  device_charges_1h: null,
  device_links_24h: null,
  device_accounts_30d: null,
  account_links_active: 1,
  account_links_7d: 1,
  customer_age_years: 78,
  operator_used_before_link: false,
  account_idle_days: 40,
};

/**
 * A patient thief (Japan Post Bank, 2017–2020): ¥30,000 three weeks after a PIN link to an operator the 52-year-old
 * holder never used, the first money through that link (seeds/000, 004).
 */
export const PATIENT_THEFT_CHARGE: Readonly<RiskFeatures> = {
  ...THEFT_2020_CHARGE,
  amount_yen: 30_000,
  link_unconfirmed_yen: 30_000,
  link_age_seconds: 21 * DAY_SECONDS,
  customer_age_years: 52,
};

/** Features for a test or a benchmark: one of the samples with some fields changed. */
export function riskFeatures(overrides: Partial<RiskFeatures> = {}, base: Readonly<RiskFeatures> = ORDINARY_CHARGE): RiskFeatures {
  // Unless a case says otherwise, nothing the holder left unconfirmed went through the link before this charge.
  return { ...base, link_unconfirmed_yen: overrides.amount_yen ?? base.amount_yen, ...overrides };
}
