/**
 * Fraud pattern: a link made with stolen details, then drained at once with the largest charge allowed.
 * In 2020 the thieves opened a Docomo account in the victim's name, linked the victim's bank account with leaked
 * details and charged up to the ¥100,000 per-charge cap (¥300,000 a month); the largest single loss was ¥600,000
 * (seeds/001: Kyodo/Jiji, September 2020; seeds/003: Asahi Shimbun on Docomo's 10 September 2020 briefing).
 * Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface NewLinkLargeChargeConfig {
  /** A link younger than this is "new": hours, not days, after linking is when 2020's charges came. */
  new_link_seconds_max: number;
  /** Bands over the charge's amount in yen, for new links only. */
  amount_yen_bands: RiskBand[];
}

export const newLinkLargeCharge = defineRule<NewLinkLargeChargeConfig>({
  id: 'new-link-large-charge',
  version: 1,
  catches: 'a large or maximum charge within hours of a new link',
  stages: ['charge'],
  configProblems: (config) => (Number.isSafeInteger(config.new_link_seconds_max) && config.new_link_seconds_max > 0 ? [] : ['new_link_seconds_max must be a positive integer']),
  evaluate(features, config) {
    if (features.link_age_seconds >= config.new_link_seconds_max) return { outcome: 'pass', reason: 'link_established' };
    // The cap itself is the 2020 signature, whatever the bands say: ¥100,000 at the first opportunity.
    if (features.amount_yen >= features.charge_yen_max) return { outcome: 'block', reason: 'maximum_charge_on_new_link' };
    return bandFor(config.amount_yen_bands, features.amount_yen);
  },
});
