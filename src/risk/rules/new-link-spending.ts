/**
 * Fraud pattern: a new link drained in sums each small enough to pass. A thief who linked a wallet with a code the
 * victim typed into a fake page (or read from a swapped SIM) takes ¥29,999 at a time, under every challenge by amount,
 * to the monthly cap; every single charge looks like an honest top-up. What the holder has not confirmed at the bank
 * is bounded instead: past a sum, the link's next charge waits for the holder's approval (a passkey, or a code once
 * the link is a day old, in a session the thief's fake page no longer holds). One approved charge confirms the link:
 * an honest customer approves once per link at most. The window runs from the link's first charge, not from the link,
 * so a thief who waits weeks before charging gains nothing. Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface NewLinkSpendingConfig {
  /** How long after the link's first charge its unconfirmed yen are watched, in seconds. */
  first_charge_window_seconds: number;
  /** Bands over the yen moved through the link before its holder confirmed any of its charges, this charge included. */
  unconfirmed_yen_bands: RiskBand[];
}

export const newLinkSpending = defineRule<NewLinkSpendingConfig>({
  id: 'new-link-spending',
  version: 1,
  catches: 'a new link that moved more than a set sum before its holder confirmed any of its charges at the bank',
  stages: ['charge'],
  configProblems: (config) => (Number.isSafeInteger(config.first_charge_window_seconds) && config.first_charge_window_seconds > 0 ? [] : ['first_charge_window_seconds must be a positive integer']),
  evaluate(features, config) {
    if (features.link_unconfirmed_yen === null || features.link_first_charge_seconds_ago === null) return { outcome: 'pass', reason: 'unconfirmed_yen_unknown' };
    if (features.link_first_charge_seconds_ago >= config.first_charge_window_seconds) return { outcome: 'pass', reason: 'link_charging_established' };
    return bandFor(config.unconfirmed_yen_bands, features.link_unconfirmed_yen);
  },
});
