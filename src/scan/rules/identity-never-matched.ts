/**
 * Fraud pattern: a link whose attested name or date of birth never matched the account holder. In 2020 wallets
 * were opened "by assuming the identities of bank customers" (seeds/000) with no or weak identity checks (seeds/002),
 * so the wallet's identity and the bank's customer could differ. The score stored with a link hides which field
 * failed; the scan reads the reasons. Documented in docs/scan.md and src/kyc/identity-match.ts.
 */
import { defineScanRule } from '../scan-rule.ts';

export interface IdentityNeverMatchedConfig {
  /** What a name or birth-date mismatch means: the charge path already refuses most, so one that got through is serious. */
  outcome: 'alert' | 'block';
}

/** The identity-match reasons that say the attested identity is someone else. */
const NEVER_MATCHED = ['name_mismatch', 'birth_date_mismatch'];

export const identityNeverMatched = defineScanRule<IdentityNeverMatchedConfig>({
  id: 'identity-never-matched',
  version: 1,
  catches: 'a link whose attested name or date of birth never matched the account holder',
  configProblems: (config) => (['alert', 'block'].includes(config.outcome) ? [] : ['outcome must be alert or block']),
  evaluate(features, config) {
    if (features.identity_match_reasons === null) return { outcome: 'pass', reason: 'identity_not_attested' };
    const mismatched = features.identity_match_reasons.some((reason) => NEVER_MATCHED.includes(reason));
    return mismatched ? { outcome: config.outcome, reason: 'attested_identity_never_matched' } : { outcome: 'pass', reason: 'attested_identity_matched' };
  },
});
