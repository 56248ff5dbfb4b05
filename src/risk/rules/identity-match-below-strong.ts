/**
 * Fraud pattern: a wallet whose verified identity only partly matches the account holder (e.g. the victim's name
 * and birth date with the thief's phone), or no verified identity at all. 2020's wallets needed only a name and an
 * e-mail address, so nothing tied the wallet user to the account holder (seeds/003; FSA request to strengthen
 * identity verification, seeds/002). Bands follow IDENTITY_MATCH_BANDS in src/kyc/identity-match.ts. Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';
import { KYC_LEVELS } from '../../operators/operator.ts';

export interface IdentityMatchBelowStrongConfig {
  /** Bands over the identity-match score 0–100. */
  score_bands: RiskBand[];
  /** What a link with no attestation (the legacy path) counts as. */
  unattested_outcome: 'pass' | 'alert' | 'block';
  /** Attested KYC levels below this one alert (src/operators/operator.ts KYC_LEVELS order). */
  kyc_level_min: (typeof KYC_LEVELS)[number];
}

export const identityMatchBelowStrong = defineRule<IdentityMatchBelowStrongConfig>({
  id: 'identity-match-below-strong',
  version: 1,
  catches: 'a wallet identity that matches the account holder only weakly, or was never verified',
  stages: ['link', 'charge'],
  configProblems: (config) => [
    ...(['pass', 'alert', 'block'].includes(config.unattested_outcome) ? [] : ['unattested_outcome must be pass, alert or block']),
    ...(KYC_LEVELS.includes(config.kyc_level_min) ? [] : [`kyc_level_min must be one of ${KYC_LEVELS.join(', ')}`]),
  ],
  evaluate(features, config) {
    if (features.identity_match_score === null) return { outcome: config.unattested_outcome, reason: 'identity_not_attested' };
    const byScore = bandFor(config.score_bands, features.identity_match_score);
    if (byScore.outcome !== 'pass') return byScore;
    const level = KYC_LEVELS.indexOf(features.kyc_level as (typeof KYC_LEVELS)[number]);
    if (level < KYC_LEVELS.indexOf(config.kyc_level_min)) return { outcome: 'alert', reason: 'kyc_level_low' };
    return byScore;
  },
});
