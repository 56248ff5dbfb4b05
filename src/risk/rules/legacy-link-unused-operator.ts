/**
 * Fraud pattern: an account linked by account number and PIN alone to a service its holder never used.
 * "Cash was stolen from bank customers even if they did not sign up for or use those e-payment services
 * themselves" (Asahi Shimbun 2020-09-16, seeds/000); "some of them did not use NTT Docomo as their mobile
 * carrier" (seeds/003). Documented in docs/risk-rules.md.
 */
import { defineRule } from '../risk-rule.ts';
import type { LinkMethod } from '../../operators/operator.ts';

export interface LegacyLinkUnusedOperatorConfig {
  /** Link methods that prove nothing beyond leaked details. */
  weak_link_methods: LinkMethod[];
  /** What a weak link to an operator the customer never used counts as. */
  outcome: 'alert' | 'block';
}

export const legacyLinkUnusedOperator = defineRule<LegacyLinkUnusedOperatorConfig>({
  id: 'legacy-link-unused-operator',
  version: 1,
  catches: 'a PIN-only link on an account that never used the operator before',
  stages: ['link', 'charge'],
  configProblems: (config) => [
    ...(Array.isArray(config.weak_link_methods) && config.weak_link_methods.every((m) => m === 'legacy_pin' || m === 'fapi2') ? [] : ['weak_link_methods must list legacy_pin or fapi2']),
    ...(config.outcome === 'alert' || config.outcome === 'block' ? [] : ['outcome must be alert or block']),
  ],
  evaluate(features, config) {
    if (!config.weak_link_methods.includes(features.link_method)) return { outcome: 'pass', reason: 'strong_link_method' };
    if (features.operator_used_before_link) return { outcome: 'pass', reason: 'operator_used_before' };
    return { outcome: config.outcome, reason: 'legacy_link_operator_never_used' };
  },
});
