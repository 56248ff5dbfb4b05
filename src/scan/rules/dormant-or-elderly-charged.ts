/**
 * Fraud pattern: a link that charged while the customer was dormant (no money out for months) or 65 or older. The
 * 2020 victims were often customers who used no such service (seeds/000), and Japan Post Bank's cases ran back to 2017
 * unnoticed (seeds/004); elderly customers are the usual target of account takeover in Japan. Dormant and elderly
 * together block. Documented in docs/scan.md.
 */
import { bandFor, worseOutcome, type RiskBand } from '../../risk/risk-band.ts';
import type { RuleOutcome } from '../../risk/risk-outcome.ts';
import { defineScanRule } from '../scan-rule.ts';

export interface DormantOrElderlyChargedConfig {
  /** Bands over the customer's age at the link's first charge. */
  age_years_bands: RiskBand[];
  /** Bands over the days the account had been idle at the link's first charge. */
  idle_days_bands: RiskBand[];
}

export const dormantOrElderlyCharged = defineScanRule<DormantOrElderlyChargedConfig>({
  id: 'dormant-or-elderly-charged',
  version: 1,
  catches: 'a link that charged while the customer was dormant or 65 or older',
  configProblems: () => [],
  evaluate(features, config) {
    if (features.account_idle_days_at_first_charge === null) return { outcome: 'pass', reason: 'link_never_charged' };
    const idle = bandFor(config.idle_days_bands, features.account_idle_days_at_first_charge);
    const age: RuleOutcome = features.customer_age_years_at_first_charge === null
      ? { outcome: 'pass', reason: 'customer_age_unknown' }
      : bandFor(config.age_years_bands, features.customer_age_years_at_first_charge);
    if (idle.outcome !== 'pass' && age.outcome !== 'pass') return { outcome: 'block', reason: 'dormant_elderly_customer_charged' };
    return worseOutcome(idle, age);
  },
});
