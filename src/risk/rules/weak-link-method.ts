/**
 * Fraud pattern: a link nobody proved with a second factor. In 2020 an account number, a 4-digit PIN, a name and a
 * date of birth were enough, and "neither side used two-step verification" (seeds/001, 003), so such a link says
 * nothing about who holds the account, however long it has been charged. Documented in docs/risk-rules.md.
 */
import { defineRule } from '../risk-rule.ts';
import type { LinkMethod } from '../../operators/operator.ts';

export interface WeakLinkMethodConfig {
  /** Link methods with no second factor: leaked details are enough to make them. */
  weak_link_methods: LinkMethod[];
  /** What a charge or link on such a method counts as. */
  outcome: 'alert' | 'block';
}

export const weakLinkMethod = defineRule<WeakLinkMethodConfig>({
  id: 'weak-link-method',
  version: 1,
  catches: 'a link made without a second factor (account number and PIN alone)',
  stages: ['link', 'charge'],
  configProblems: (config) => [
    ...(Array.isArray(config.weak_link_methods) && config.weak_link_methods.every((m) => m === 'legacy_pin' || m === 'fapi2') ? [] : ['weak_link_methods must list legacy_pin or fapi2']),
    ...(config.outcome === 'alert' || config.outcome === 'block' ? [] : ['outcome must be alert or block']),
  ],
  evaluate(features, config) {
    if (!config.weak_link_methods.includes(features.link_method)) return { outcome: 'pass', reason: 'link_with_second_factor' };
    return { outcome: config.outcome, reason: 'link_without_second_factor' };
  },
});
