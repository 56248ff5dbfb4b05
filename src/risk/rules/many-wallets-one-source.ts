/**
 * Fraud pattern: a burst of new wallets (new links) from one device or one IP address: an account-opening farm.
 * 2020's Docomo accounts needed only a name and an e-mail address, so opening many cost nothing (Asahi Shimbun,
 * September 2020, seeds/003). Documented in docs/risk-rules.md.
 */
import { bandFor, worseOutcome, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface ManyWalletsOneSourceConfig {
  /** Bands over links made from one device in 24 hours. */
  device_links_24h_bands: RiskBand[];
  /**
   * Bands over links made from one source IP in 24 hours. Wider: on the legacy path the source is the
   * operator's server, which every one of its users shares.
   */
  ip_links_24h_bands: RiskBand[];
}

export const manyWalletsOneSource = defineRule<ManyWalletsOneSourceConfig>({
  id: 'many-wallets-one-source',
  version: 1,
  catches: 'many new wallets (links) opened from one device or IP address in a day',
  stages: ['link', 'charge'],
  configProblems: () => [],
  evaluate(features, config) {
    const byIp = bandFor(config.ip_links_24h_bands, features.ip_links_24h);
    if (features.device_links_24h === null) return byIp;
    return worseOutcome(bandFor(config.device_links_24h_bands, features.device_links_24h), byIp);
  },
});
