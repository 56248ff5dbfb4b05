/**
 * Fraud pattern: one device (one thief's phone) or one browser address behind links to several different
 * customers' accounts over the years. Japan Post Bank found about 380 cases and about 600 more suspicious customers
 * only when it reviewed its history back to July 2017 (seeds/004, seeds/000). The charge-time rule
 * `several-links-one-device` counts 30 days; a campaign spread over months shows only in the whole history.
 * Documented in docs/scan.md.
 */
import { bandFor, worseOutcome, type RiskBand } from '../../risk/risk-band.ts';
import { defineScanRule } from '../scan-rule.ts';

export interface SharedDeviceSeveralCustomersConfig {
  /** Bands over distinct customers linked from the link's device in the whole history. */
  device_customers_bands: RiskBand[];
  /** Bands over distinct customers linked through the hardened path from the link's browser address (wide: homes and carriers share addresses). */
  source_ip_customers_bands: RiskBand[];
}

export const sharedDeviceSeveralCustomers = defineScanRule<SharedDeviceSeveralCustomersConfig>({
  id: 'shared-device-several-customers',
  version: 1,
  catches: 'one device or source address behind links to several customers',
  configProblems: () => [],
  evaluate(features, config) {
    const device = features.device_customers === null
      ? { outcome: 'pass' as const, reason: 'device_unknown' }
      : bandFor(config.device_customers_bands, features.device_customers);
    if (features.source_ip_customers === null) return device;
    return worseOutcome(device, bandFor(config.source_ip_customers_bands, features.source_ip_customers));
  },
});
