/**
 * Fraud pattern: a new link on an elderly customer's account. 2020's pattern hit elderly customers' accounts
 * (issue 4; DESIGN.md), and its victims learned of the thefts from their passbooks, which the banks and Docomo asked
 * every customer to check (seeds/000, seeds/003). Age alone never blocks: it adds weight while the link is new.
 * Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface ElderlyCustomerNewLinkConfig {
  /** How long a link counts as new for this rule. */
  new_link_seconds_max: number;
  /** Bands over the customer's age in whole years. */
  age_years_bands: RiskBand[];
}

export const elderlyCustomerNewLink = defineRule<ElderlyCustomerNewLinkConfig>({
  id: 'elderly-customer-new-link',
  version: 1,
  catches: 'a new link on an elderly customer’s account',
  stages: ['link', 'charge'],
  configProblems: (config) => (Number.isSafeInteger(config.new_link_seconds_max) && config.new_link_seconds_max > 0 ? [] : ['new_link_seconds_max must be a positive integer']),
  evaluate(features, config) {
    if (features.link_age_seconds >= config.new_link_seconds_max) return { outcome: 'pass', reason: 'link_established' };
    if (features.customer_age_years === null) return { outcome: 'pass', reason: 'age_unknown' };
    return bandFor(config.age_years_bands, features.customer_age_years);
  },
});
