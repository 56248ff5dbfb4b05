/**
 * Fraud pattern: a link followed by charges that empty the account within days. In 2020 thieves charged up to the
 * ¥100,000 per-charge and ¥300,000 monthly caps at the first opportunity; the largest single loss was ¥600,000
 * (seeds/001: Kyodo/Jiji, September 2020; seeds/003: Asahi Shimbun on Docomo's 10 September 2020 briefing).
 * A charge-time rule sees one charge; only the history shows the balance falling towards zero. Documented in docs/scan.md.
 */
import { bandFor, worseOutcome, type RiskBand } from '../../risk/risk-band.ts';
import { defineScanRule } from '../scan-rule.ts';

export interface DrainAfterLinkConfig {
  /** How soon after linking the charges count: days, not weeks, as in 2020. */
  drain_seconds_max: number;
  /** Less than this charged in the period is never a drain, however small the account: a ¥3,000 top-up on ¥3,000. */
  charged_yen_min: number;
  /** Bands over the yen charged in the period as a percent of the money there was (balance before the link plus money paid in meanwhile). */
  percent_drained_bands: RiskBand[];
  /** Bands over the yen charged in the period, whatever the balance: a rich account is not emptied under the monthly cap, only robbed to it. */
  charged_yen_bands: RiskBand[];
}

export const drainAfterLink = defineScanRule<DrainAfterLinkConfig>({
  id: 'drain-after-link',
  version: 1,
  catches: 'a link followed by charges that drain the account towards zero (or to the monthly cap) within days',
  configProblems: (config) => [
    ...(Number.isSafeInteger(config.drain_seconds_max) && config.drain_seconds_max > 0 ? [] : ['drain_seconds_max must be a positive integer']),
    ...(Number.isSafeInteger(config.charged_yen_min) && config.charged_yen_min > 0 ? [] : ['charged_yen_min must be a positive integer']),
  ],
  evaluate(features, config) {
    const within = (money: { seconds_after_link: number }) => money.seconds_after_link < config.drain_seconds_max;
    const charged_yen = features.charges_after_link.filter(within).reduce((sum, charge) => sum + charge.amount_yen, 0);
    if (charged_yen < config.charged_yen_min) return { outcome: 'pass', reason: 'little_charged_after_link' };
    const paid_in_yen = features.credits_after_link.filter(within).reduce((sum, credit) => sum + credit.amount_yen, 0);
    const available_yen = Math.max(1, features.balance_before_link_yen + paid_in_yen);
    const percent = bandFor(config.percent_drained_bands, Math.floor((charged_yen * 100) / available_yen));
    return worseOutcome(percent, bandFor(config.charged_yen_bands, charged_yen));
  },
});
