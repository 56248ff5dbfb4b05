/**
 * Fraud pattern: the first money through a link. A thief's link has no charges the holder made; a link the holder
 * has used has a record, each line of it notified to the holder. In 2020 the first charge was the theft (seeds/001,
 * 003). History counts only charges whose money moved, so a thief whose charges keep being challenged never earns one.
 * Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface NoLinkHistoryConfig {
  /** Bands over the charges on this link whose money moved, before this one. */
  link_charges_count_bands: RiskBand[];
}

export const noLinkHistory = defineRule<NoLinkHistoryConfig>({
  id: 'no-link-history',
  version: 1,
  catches: 'a charge on a link no money has yet moved through',
  stages: ['charge'],
  configProblems: () => [],
  evaluate: (features, config) => bandFor(config.link_charges_count_bands, features.link_charges_count),
});
