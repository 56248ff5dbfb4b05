import type { RuleOutcome } from '../risk/risk-outcome.ts';
import type { ScanLinkFeatures } from './scan-link-features.ts';

/**
 * A scan-only rule: a pure function of one link's whole history and its versioned config, in a small file of its
 * own whose header names the fraud pattern and where it is documented, as the real-time rules are
 * (src/risk/risk-rule.ts). These need a history the charge path does not have at the moment of a charge.
 */
export interface ScanRule<Config = unknown> {
  /** kebab-case id; the config key is `${id}@${version}`. */
  id: string;
  version: number;
  /** One line: the fraud pattern it catches. */
  catches: string;
  /** Problems with a config (besides band lists, which the typology checks); empty when fine. */
  configProblems(config: Config): string[];
  evaluate(features: ScanLinkFeatures, config: Config): RuleOutcome;
}

/** Builds a scan rule with its config type checked at the definition. */
export function defineScanRule<Config>(rule: ScanRule<Config>): ScanRule<Config> {
  return rule;
}
