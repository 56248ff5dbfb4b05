/**
 * Fraud pattern: money taken through a link made days or weeks ago. In 2020 thieves charged within hours of linking
 * (seeds/001, 003); at Japan Post Bank they came back to the same links for weeks (seeds/000, 004). A young link is
 * one weakness of several: it weighs little alone and decides only with a large amount, a new payee and no history
 * (the typologies in src/risk/default-risk-config.ts). Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface YoungLinkConfig {
  /** Bands over the link's age in seconds: new (hours), young (weeks), established. */
  link_age_seconds_bands: RiskBand[];
}

export const youngLink = defineRule<YoungLinkConfig>({
  id: 'young-link',
  version: 1,
  catches: 'a charge on a link made hours (new) or weeks (young) ago',
  // At link time every link is new: the rule says something only once money is asked for.
  stages: ['charge'],
  configProblems: () => [],
  evaluate: (features, config) => bandFor(config.link_age_seconds_bands, features.link_age_seconds),
});
