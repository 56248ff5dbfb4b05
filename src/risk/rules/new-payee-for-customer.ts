/**
 * Fraud pattern: money going to a payee new to the customer: an operator they never charged through before this
 * link, or a wallet identity new at an operator they do use (a thief's own wallet at the victim's usual app).
 * "Cash was stolen from bank customers even if they did not sign up for or use those e-payment services themselves"
 * (Asahi Shimbun 2020-09-16, seeds/000); "some of them did not use NTT Docomo as their mobile carrier" (seeds/003).
 * Documented in docs/risk-rules.md.
 */
import { defineRule } from '../risk-rule.ts';

export interface NewPayeeForCustomerConfig {
  /** What a new payee counts as. */
  outcome: 'alert' | 'block';
}

export const newPayeeForCustomer = defineRule<NewPayeeForCustomerConfig>({
  id: 'new-payee-for-customer',
  version: 1,
  catches: 'an operator the customer never used before the link, or a new wallet identity at one they use',
  // At link time a new payee alone says nothing the consent did not; it weighs once money moves.
  stages: ['charge'],
  configProblems: (config) => (config.outcome === 'alert' || config.outcome === 'block' ? [] : ['outcome must be alert or block']),
  evaluate(features, config) {
    if (!features.operator_used_before_link) return { outcome: config.outcome, reason: 'operator_new_to_customer' };
    if (features.wallet_identity_new_at_operator) return { outcome: config.outcome, reason: 'wallet_identity_new_at_operator' };
    return { outcome: 'pass', reason: 'payee_known' };
  },
});
