import type { LinkMethod } from '../operators/operator.ts';

/** Where the pipeline runs: on a charge request, or on a new link before it is written. */
export type RiskStage = 'charge' | 'link';

/**
 * Everything a rule may look at, for one charge or one new link. Loaded from SQL tables kept in the same
 * transactions as the ledger (src/risk/load-charge-features.ts, src/risk/load-link-features.ts), so every API
 * process computes the same values. Counts include the charge or link being decided ("the 11th this hour").
 * Plain numbers, booleans and strings only: a decision row stores them as JSON and the lab replays it.
 */
export interface RiskFeatures {
  stage: RiskStage;
  /** The charge's amount; 0 at link time. */
  amount_yen: number;
  /** The per-charge cap in force for this link (the lower of the link's and the operator's). */
  charge_yen_max: number;
  link_method: LinkMethod;
  /** Seconds since the link was created; 0 at link time. */
  link_age_seconds: number;
  /** The KYC level the operator attested at link time; null for a legacy link (none was sent). */
  kyc_level: string | null;
  /** Identity-match score 0–100 stored with the link (src/kyc/identity-match.ts); null when nothing was attested. */
  identity_match_score: number | null;
  /** Charges on this link whose money moved, before this one. */
  link_charges_count: number;
  /**
   * Yen moved through this link while its holder has not yet approved any of its charges at the bank (a step-up, or
   * staff releasing a held one), this charge and earlier ones in its batch included; 0 once they have, and at link
   * time; null where not measured (a retrospective scan).
   */
  link_unconfirmed_yen: number | null;
  /**
   * Seconds since the first charge whose money moved through this link; 0 when this is the first (and at link time).
   * Null for a link charged before the bank kept it, and in a retrospective scan.
   */
  link_first_charge_seconds_ago: number | null;
  /** The customer's charges whose money moved (all links), before this one. */
  customer_charges_count: number;
  /** The largest of those, in yen; 0 with no history. */
  customer_charge_yen_largest: number;
  /** Charges on this link in the last hour, this one included. */
  link_charges_1h: number;
  /** Charges by this customer in the last 24 hours, this one included. */
  customer_charges_24h: number;
  /** Charges from this device in the last hour, this one included; null when the operator sent no X-Device-Id. */
  device_charges_1h: number | null;
  /** Charges from this source IP in the last hour, this one included. */
  ip_charges_1h: number;
  /** Active links on this bank account (this one included). */
  account_links_active: number;
  /** Links made on this bank account in the last 7 days (this one included). */
  account_links_7d: number;
  /** Links made from the link's device in the 24 hours up to its creation; null without a device id. */
  device_links_24h: number | null;
  /** Links made from the link's source IP in the 24 hours up to its creation. */
  ip_links_24h: number;
  /** Distinct bank accounts linked from the link's device in the 30 days up to its creation; null without a device id. */
  device_accounts_30d: number | null;
  /** The customer's age in whole years on today's Japan date; null if unknown. */
  customer_age_years: number | null;
  /**
   * Whole hours since the customer's phone number on record was last changed (`customers.phone_set_at`, when it is
   * later than the opening): every SMS code goes to it. Null for the number given at opening, and where unknown (a
   * retrospective scan).
   */
  phone_number_age_hours: number | null;
  /**
   * Whole hours since the carrier last changed the SIM behind the holder's number, on a link approved by an SMS code
   * after that change (`links.sms_sim_changed_at`, asked of the carrier at the approval): that code reached whoever
   * held the new SIM. Null at link time, for a link approved by another factor, where the carrier knew of no change,
   * and in a retrospective scan.
   */
  sms_link_sim_change_age_hours: number | null;
  /** Failed PIN or password attempts on the customer's credentials in the last 24 hours. */
  credential_failures_24h: number;
  /** Seconds since the last such failure; null if none in the last 24 hours. */
  credential_failure_seconds_ago: number | null;
  /** Seconds since a credential or second factor of the customer locked; null if none locked in the last 7 days and none is locked now. */
  credential_lock_seconds_ago: number | null;
  /** The customer had charges through this operator before this link was made (a re-link, not a first contact). */
  operator_used_before_link: boolean;
  /**
   * The operator was used before, but through another wallet identity: none of the customer's earlier links to it
   * carries this link's operator-side user (the KYC attestation's `sub`) or was made from its device. A thief's own
   * wallet at the victim's usual operator is a new payee, not a known one. False when the operator is new altogether.
   */
  wallet_identity_new_at_operator: boolean;
  /**
   * Seconds since the latest sign that someone attacked the customer's credentials: a lock (in place, or within
   * CREDENTIAL_ATTACK_LOOKBACK_MS), or an attempt, failed or not, with a secret a reverse-brute-force alert names
   * (a PIN guessed by spraying it across accounts); null if none.
   */
  credential_attack_seconds_ago: number | null;
  /**
   * Whole days since the holder last showed a sign of life: money left the account, or (charge stage) the holder
   * signed in at the bank with a second factor to make this FAPI link; since the account was opened, if neither.
   */
  account_idle_days: number;
  /**
   * How far the link's operator is above its own history right now: the largest ratio of its charges (10 minutes,
   * an hour), new links or refresh grants (an hour) to its busiest such window in 28 days, or a floor
   * (src/operators/operator-anomaly.ts). Null where it was not measured (a retrospective scan).
   */
  operator_anomaly_level: number | null;
}
