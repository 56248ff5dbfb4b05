/**
 * Fraud pattern: a young link drained in sums each small enough to pass. A thief who linked a wallet with a code the
 * victim typed into a fake page (or read from a swapped SIM) takes ¥29,999 at a time, under every challenge by amount,
 * to the monthly cap; every single charge looks like an honest top-up. What the holder has not confirmed at the bank
 * is bounded instead: past a sum, a young link's next charge waits for the holder's approval (a passkey, or a code
 * once the link is a day old, in a session the thief's fake page no longer holds). One approved charge confirms the
 * link: an honest customer approves once per link. Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface NewLinkSpendingConfig {
  /** How long a link counts as young for this rule, in seconds. */
  young_link_seconds_max: number;
  /** Bands over the yen moved through the link before its holder confirmed any of its charges, this charge included. */
  unconfirmed_yen_bands: RiskBand[];
}

export const newLinkSpending = defineRule<NewLinkSpendingConfig>({
  id: 'new-link-spending',
  version: 1,
  catches: 'a young link that moved more than a set sum before its holder confirmed any of its charges at the bank',
  stages: ['charge'],
  configProblems: (config) => (Number.isSafeInteger(config.young_link_seconds_max) && config.young_link_seconds_max > 0 ? [] : ['young_link_seconds_max must be a positive integer']),
  evaluate(features, config) {
    if (features.link_age_seconds >= config.young_link_seconds_max) return { outcome: 'pass', reason: 'link_established' };
    if (features.link_unconfirmed_yen === null) return { outcome: 'pass', reason: 'unconfirmed_yen_unknown' };
    return bandFor(config.unconfirmed_yen_bands, features.link_unconfirmed_yen);
  },
});
