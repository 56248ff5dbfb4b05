/**
 * Fraud pattern: a charge far larger than anything the customer has charged before. A thief drains at the cap;
 * the account holder tops up the amounts they always do. (2020: charges at the ¥100,000 cap, seeds/001.)
 * Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface AmountAboveHistoryConfig {
  /** Below this many earlier charges there is no history to compare with, and the rule passes. */
  history_charges_min: number;
  /** Amounts below this pass whatever the history: small top-ups are not worth a step-up. */
  amount_yen_min: number;
  /** Bands over the amount as a percentage of the customer's largest earlier charge. */
  percent_of_largest_bands: RiskBand[];
}

export const amountAboveHistory = defineRule<AmountAboveHistoryConfig>({
  id: 'amount-above-history',
  version: 1,
  catches: 'a charge far above the customer’s largest earlier charge',
  stages: ['charge'],
  configProblems: (config) => [
    ...(Number.isSafeInteger(config.history_charges_min) && config.history_charges_min >= 1 ? [] : ['history_charges_min must be a positive integer']),
    ...(Number.isSafeInteger(config.amount_yen_min) && config.amount_yen_min >= 0 ? [] : ['amount_yen_min must be a whole number of yen']),
  ],
  evaluate(features, config) {
    if (features.customer_charges_count < config.history_charges_min) return { outcome: 'pass', reason: 'too_little_history' };
    if (features.amount_yen < config.amount_yen_min) return { outcome: 'pass', reason: 'small_amount' };
    // Integer percent, floored: [200, 500) means "at least twice, under five times the largest".
    const percent = Math.floor((features.amount_yen * 100) / Math.max(features.customer_charge_yen_largest, 1));
    return bandFor(config.percent_of_largest_bands, percent);
  },
});
