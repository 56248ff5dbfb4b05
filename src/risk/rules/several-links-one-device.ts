/**
 * Fraud pattern: one thief's phone (one wallet app install) linking several different people's bank accounts.
 * In 2020 thieves opened e-payment accounts in many victims' names and linked each victim's account: 66 Docomo
 * cases at 11 banks, about 380 at Japan Post Bank through several services (seeds/000, seeds/003, seeds/004).
 * The bank sees the wallet only through the device id the operator relays (X-Device-Id). Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface SeveralLinksOneDeviceConfig {
  /** Bands over distinct bank accounts linked from the link's device in 30 days. */
  device_accounts_30d_bands: RiskBand[];
}

export const severalLinksOneDevice = defineRule<SeveralLinksOneDeviceConfig>({
  id: 'several-links-one-device',
  version: 1,
  catches: 'several different customers’ accounts linked from one device (one wallet)',
  stages: ['link', 'charge'],
  configProblems: () => [],
  evaluate(features, config) {
    if (features.device_accounts_30d === null) return { outcome: 'pass', reason: 'device_unknown' };
    return bandFor(config.device_accounts_30d_bands, features.device_accounts_30d);
  },
});
