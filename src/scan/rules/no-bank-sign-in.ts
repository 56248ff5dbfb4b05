/**
 * Fraud pattern: charges on a customer who never signed in to the bank's own pages in the window, so never saw the
 * passbook lines. The 2020 victims "did not sign up for or use those e-payment services themselves" (seeds/000) and
 * found the thefts only when told to check their passbooks (seeds/000, seeds/002); Japan Post Bank's went unnoticed
 * from 2017 (seeds/004). Weak alone (many honest customers never use internet banking). Documented in docs/scan.md.
 */
import { bandFor, type RiskBand } from '../../risk/risk-band.ts';
import { defineScanRule } from '../scan-rule.ts';

export interface NoBankSignInConfig {
  /** Bands over the customer's successful sign-ins in the window. */
  sign_ins_bands: RiskBand[];
}

export const noBankSignIn = defineScanRule<NoBankSignInConfig>({
  id: 'no-bank-sign-in',
  version: 1,
  catches: 'charges on a customer who never signed in to the bank’s own pages in the window',
  configProblems: () => [],
  evaluate(features, config) {
    if (features.charges_after_link.length === 0) return { outcome: 'pass', reason: 'link_never_charged' };
    return bandFor(config.sign_ins_bands, features.customer_sign_ins_in_window);
  },
});
