/**
 * Fraud pattern: the phone number on record changed days ago, then money taken. Every SMS code (link consent,
 * step-up, a new factor) goes to that number, so whoever has just had it put in their hands (a number change talked
 * through at the bank) answers every challenge. The number given at opening does not count (a new customer's number
 * is new to the bank, not taken over); a SIM swapped behind
 * the same number is the carrier's signal (src/telecom/), this is the bank's own record (`customers.phone_set_at`).
 * Like a young link it is one weakness: it decides only with a new link and a large amount (`phone-takeover@1` in
 * src/risk/default-risk-config.ts). Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface RecentPhoneNumberConfig {
  /** Bands over whole hours since the phone number on record was changed. */
  phone_number_age_hours_bands: RiskBand[];
}

export const recentPhoneNumber = defineRule<RecentPhoneNumberConfig>({
  id: 'recent-phone-number',
  version: 1,
  catches: 'a link or charge soon after the phone number on record was changed',
  stages: ['link', 'charge'],
  configProblems: () => [],
  evaluate(features, config) {
    if (features.phone_number_age_hours === null) return { outcome: 'pass', reason: 'phone_number_age_unknown' };
    return bandFor(config.phone_number_age_hours_bands, features.phone_number_age_hours);
  },
});
