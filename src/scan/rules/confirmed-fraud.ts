/**
 * What the bank knows now: staff resolved a case about this link as fraud, which revoked it. A scan over the past
 * must list such links with the rest of a campaign, whatever the other rules say: Japan Post Bank knew of about a
 * hundred cases and still had not compensated them (seeds/004). Documented in docs/scan.md.
 */
import { defineScanRule } from '../scan-rule.ts';

export interface ConfirmedFraudConfig {
  outcome: 'alert' | 'block';
}

export const confirmedFraud = defineScanRule<ConfirmedFraudConfig>({
  id: 'confirmed-fraud',
  version: 1,
  catches: 'a link staff have since resolved as fraud (revoked)',
  configProblems: (config) => (['alert', 'block'].includes(config.outcome) ? [] : ['outcome must be alert or block']),
  evaluate(features, config) {
    if (features.case_resolution === 'fraud') return { outcome: config.outcome, reason: 'link_revoked_as_fraud' };
    if (features.case_resolution === 'legitimate') return { outcome: 'pass', reason: 'case_resolved_legitimate' };
    return { outcome: 'pass', reason: 'no_resolved_case' };
  },
});
