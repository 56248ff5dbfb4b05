import type { LinkMethod } from '../operators/operator.ts';

/** One movement of money on the account after the link was made, as a scan rule sees it. */
export interface MoneyAfterLink {
  seconds_after_link: number;
  amount_yen: number;
}

/**
 * Everything a scan rule may look at for one link: its whole history as the ledger and the bank's tables keep it,
 * and what the bank knows now (later "not me" reports, cases resolved as fraud). Built per chunk of customers by
 * src/scan/scan-chunk.ts; plain values only, so a suspect row can be explained from them.
 */
export interface ScanLinkFeatures {
  link_method: LinkMethod;
  /** The account's posted balance just before the link was made. */
  balance_before_link_yen: number;
  /** This link's charges whose money moved, oldest first. */
  charges_after_link: readonly MoneyAfterLink[];
  /** Money paid into the account after the link (deposits, refunds), oldest first. */
  credits_after_link: readonly MoneyAfterLink[];
  /** Distinct customers with a link from this link's device in the whole history (this one included); null without a device id. */
  device_customers: number | null;
  /**
   * Distinct customers linked through the hardened path from this link's source address (a browser's address) in
   * the whole history; null for a legacy link, whose address is the operator's server.
   */
  source_ip_customers: number | null;
  /** The identity-match reasons stored with the link (src/kyc/identity-match.ts); null when nothing was attested. */
  identity_match_reasons: readonly string[] | null;
  /** The customer's successful sign-ins to the bank's own pages (internet-banking password) inside the scan window. */
  customer_sign_ins_in_window: number;
  /** The customer's age in whole years on the Japan date of the link's first charge; null without charges or birth date. */
  customer_age_years_at_first_charge: number | null;
  /** Whole days no money had left the account before the link's first charge; null without charges. */
  account_idle_days_at_first_charge: number | null;
  /** Failed PIN or password attempts on the customer's credentials in the day before the link was made. */
  credential_failures_before_link_24h: number;
  /** A credential or second factor of the customer locked in the week before the link was made. */
  credential_locked_before_link: boolean;
  /** The customer said "this wasn't me" about this link or one of its charges (known now, even if after the window). */
  not_me_reported: boolean;
  /** How staff resolved the latest case about this link, if they have: fraud revokes the link. */
  case_resolution: 'fraud' | 'legitimate' | null;
}
