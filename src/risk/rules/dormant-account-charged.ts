/**
 * Fraud pattern: an account from which no money has left for months is suddenly linked or charged. The 2020
 * victims often did not use the services at all (seeds/000), and Japan Post Bank found cases back to July 2017
 * only by looking (seeds/004). Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface DormantAccountChargedConfig {
  /** Bands over whole days since money last left the account (or since it was opened). */
  idle_days_bands: RiskBand[];
}

export const dormantAccountCharged = defineRule<DormantAccountChargedConfig>({
  id: 'dormant-account-charged',
  version: 1,
  catches: 'a dormant account (no money out for months) suddenly linked or charged',
  stages: ['link', 'charge'],
  configProblems: () => [],
  evaluate: (features, config) => bandFor(config.idle_days_bands, features.account_idle_days),
});
