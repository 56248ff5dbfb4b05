/**
 * Fraud pattern: a charge large for this customer. A thief drains at or near the cap; the account holder tops up the
 * amounts they always do. (2020: charges at the ¥100,000 cap, seeds/001; Japan Post Bank: about ¥158,000 a victim in
 * a few charges, seeds/004.) With a history the amount is compared with the customer's largest charge; without one,
 * with fixed bands. A link made without a second factor earns no history of its own: its charges may all be the
 * thief's. Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';
import type { LinkMethod } from '../../operators/operator.ts';

export interface AmountAboveHistoryConfig {
  /** Below this many earlier charges of the customer's own there is no history to compare with. */
  history_charges_min: number;
  /** With a history, amounts below this pass whatever it says: small top-ups are not worth a step-up. */
  amount_yen_min: number;
  /** With a history: bands over the amount as a percentage of the customer's largest earlier charge. */
  percent_of_largest_bands: RiskBand[];
  /** Without a history: bands over the amount in yen. An amount at the per-charge cap blocks whatever they say. */
  amount_yen_bands: RiskBand[];
  /** Link methods whose own charges are not the customer's history (no second factor proved who made them). */
  unproven_link_methods: LinkMethod[];
}

export const amountAboveHistory = defineRule<AmountAboveHistoryConfig>({
  id: 'amount-above-history',
  version: 2,
  catches: 'a charge large for this customer: far above their largest, or large with no history of their own',
  stages: ['charge'],
  configProblems: (config) => [
    ...(Number.isSafeInteger(config.history_charges_min) && config.history_charges_min >= 1 ? [] : ['history_charges_min must be a positive integer']),
    ...(Number.isSafeInteger(config.amount_yen_min) && config.amount_yen_min >= 0 ? [] : ['amount_yen_min must be a whole number of yen']),
    ...(Array.isArray(config.unproven_link_methods) && config.unproven_link_methods.every((m) => m === 'legacy_pin' || m === 'fapi2') ? [] : ['unproven_link_methods must list legacy_pin or fapi2']),
  ],
  evaluate(features, config) {
    const unproven = config.unproven_link_methods.includes(features.link_method);
    const history = features.customer_charges_count - (unproven ? features.link_charges_count : 0);
    if (history < config.history_charges_min) {
      // The cap itself is the 2020 signature: the most the link allows, from a customer with no record of such sums.
      if (features.amount_yen >= features.charge_yen_max) return { outcome: 'block', reason: 'maximum_charge_without_history' };
      return bandFor(config.amount_yen_bands, features.amount_yen);
    }
    if (features.amount_yen < config.amount_yen_min) return { outcome: 'pass', reason: 'small_amount' };
    // Integer percent, floored: [200, 500) means "at least twice, under five times the largest".
    const percent = Math.floor((features.amount_yen * 100) / Math.max(features.customer_charge_yen_largest, 1));
    return bandFor(config.percent_of_largest_bands, percent);
  },
});
