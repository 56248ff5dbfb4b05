/**
 * Fraud pattern: failed or locked PIN and password attempts on the customer's credentials in the day before the
 * link was made: someone guessing the 4-digit PIN, or the same PIN tried across many accounts (reverse brute force),
 * as suspected in 2020 (seeds/001: "stole and used bank account numbers and passwords"). The charge-time rule looks
 * one day back from each charge; this one looks from the link, however late the charges came. Documented in docs/scan.md.
 */
import { bandFor, type RiskBand } from '../../risk/risk-band.ts';
import { defineScanRule } from '../scan-rule.ts';

export interface CredentialAttackBeforeLinkConfig {
  /** Bands over failed attempts on the customer's PIN or password in the day before the link. */
  failures_bands: RiskBand[];
}

export const credentialAttackBeforeLink = defineScanRule<CredentialAttackBeforeLinkConfig>({
  id: 'credential-attack-before-link',
  version: 1,
  catches: 'failed or locked PIN and password attempts in the day before the link',
  configProblems: () => [],
  evaluate(features, config) {
    if (features.credential_locked_before_link) return { outcome: 'block', reason: 'credential_locked_before_link' };
    return bandFor(config.failures_bands, features.credential_failures_before_link_24h);
  },
});
