import type { RiskFeatures, RiskStage } from './risk-features.ts';
import type { RuleOutcome } from './risk-outcome.ts';

/**
 * A risk rule: a pure function of the features and its versioned config, in a small file of its own whose header
 * names the fraud pattern and where it is documented. It never reads the database or the clock.
 */
export interface RiskRule<Config = unknown> {
  /** kebab-case id; the config key is `${id}@${version}`. */
  id: string;
  /** The config shape this code understands; a config for another version is refused at start-up. */
  version: number;
  /** One line: the fraud pattern it catches. */
  catches: string;
  /** Where it applies: charges, new links, or both. */
  stages: readonly RiskStage[];
  /** Problems with a config (besides band lists, which the pipeline checks); empty when fine. */
  configProblems(config: Config): string[];
  evaluate(features: RiskFeatures, config: Config): RuleOutcome;
}

/** Builds a rule with its config type checked at the definition. */
export function defineRule<Config>(rule: RiskRule<Config>): RiskRule<Config> {
  return rule;
}
