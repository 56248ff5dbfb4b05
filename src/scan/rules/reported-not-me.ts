/**
 * What the bank knows now: the customer said "this wasn't me" about the link or one of its charges, perhaps long
 * after the window. In 2020 the banks asked customers to check their passbooks and report unknown lines
 * (seeds/000, seeds/002); a scan over the past must count those reports. A report staff resolved as legitimate
 * passes. Documented in docs/scan.md.
 */
import { defineScanRule } from '../scan-rule.ts';

export interface ReportedNotMeConfig {
  outcome: 'alert' | 'block';
}

export const reportedNotMe = defineScanRule<ReportedNotMeConfig>({
  id: 'reported-not-me',
  version: 1,
  catches: 'a link the customer has since reported as not theirs',
  configProblems: (config) => (['alert', 'block'].includes(config.outcome) ? [] : ['outcome must be alert or block']),
  evaluate(features, config) {
    if (!features.not_me_reported) return { outcome: 'pass', reason: 'no_not_me_report' };
    if (features.case_resolution === 'legitimate') return { outcome: 'pass', reason: 'not_me_resolved_legitimate' };
    return { outcome: config.outcome, reason: 'customer_reported_not_me' };
  },
});
