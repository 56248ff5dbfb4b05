/**
 * Fraud pattern: many charges in a short time on one link, one customer, one device or one IP: draining an
 * account, or running many stolen accounts at once, before anyone reads a passbook. Japan Post Bank's ~380 cases
 * went unnoticed from 2017 until it looked back (seeds/004); Docomo's 66 all fell in or after August 2020
 * (seeds/003). Windows are sliding, counted in buckets kept with the ledger (src/risk/migrations).
 * Documented in docs/risk-rules.md.
 */
import { bandFor, worseOutcome, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface VelocityOverCapsConfig {
  link_charges_1h_bands: RiskBand[];
  customer_charges_24h_bands: RiskBand[];
  device_charges_1h_bands: RiskBand[];
  /** Wide: an operator's server address carries all of its users' charges. */
  ip_charges_1h_bands: RiskBand[];
}

export const velocityOverCaps = defineRule<VelocityOverCapsConfig>({
  id: 'velocity-over-caps',
  version: 1,
  catches: 'too many charges per link, customer, device or IP within a sliding window',
  stages: ['charge'],
  configProblems: () => [],
  evaluate(features, config) {
    let outcome = bandFor(config.link_charges_1h_bands, features.link_charges_1h);
    outcome = worseOutcome(outcome, bandFor(config.customer_charges_24h_bands, features.customer_charges_24h));
    if (features.device_charges_1h !== null) outcome = worseOutcome(outcome, bandFor(config.device_charges_1h_bands, features.device_charges_1h));
    return worseOutcome(outcome, bandFor(config.ip_charges_1h_bands, features.ip_charges_1h));
  },
});
