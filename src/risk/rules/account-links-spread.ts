/**
 * Fraud pattern: one bank account linked to several payment services within days. At Japan Post Bank the same
 * accounts were drained through Docomo, PayPay, Merpay, LINE Pay, Kyash and others (seeds/000: seven services;
 * seeds/002). Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface AccountLinksSpreadConfig {
  /** Bands over links made on the account in the last 7 days (this one included). */
  account_links_7d_bands: RiskBand[];
}

export const accountLinksSpread = defineRule<AccountLinksSpreadConfig>({
  id: 'account-links-spread',
  version: 1,
  catches: 'one bank account linked to several services within a week',
  stages: ['link', 'charge'],
  configProblems: () => [],
  evaluate: (features, config) => bandFor(config.account_links_7d_bands, features.account_links_7d),
});
