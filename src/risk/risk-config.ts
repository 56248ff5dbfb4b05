import type { RiskAction } from './risk-outcome.ts';

/**
 * One typology: a fraud scenario as a weighted sum of rule outcomes, against an alert and a block threshold
 * (Tazama's typology processor). Scores are integers; a rule's `error` adds nothing here (the pipeline holds instead).
 */
export interface TypologyConfig {
  /** `typology-id@version`, recorded with every decision. */
  id: string;
  /** What it describes, for the docs and the console. */
  describes: string;
  /** Rule key (`id@version`) → points for its alert and block outcomes. */
  weights: Record<string, { alert: number; block: number }>;
  /** Score at or above which `on_alert` applies. */
  alert_threshold: number;
  /** Score at or above which `on_block` applies. */
  block_threshold: number;
  on_alert: RiskAction;
  on_block: RiskAction;
}

/** The pipeline's versioned settings: which rules run with which config, and the typologies over them. */
export interface RiskConfig {
  /** `name@version`, recorded with every decision so a replay knows what decided it. */
  id: string;
  /** Rule key `id@version` → that rule's config. Only rules listed here run. */
  rules: Record<string, unknown>;
  typologies: TypologyConfig[];
}

/**
 * How decisions take effect. `enforce`: as decided. `observe` (shadow mode, for trying a new config on live
 * traffic): every decision is computed and recorded, and every charge proceeds as if allowed.
 */
export type RiskMode = 'enforce' | 'observe';

/** Thrown at start-up for a config the pipeline cannot run; the message lists every problem. */
export class RiskConfigError extends Error {
  override name = 'RiskConfigError';
  constructor(readonly config_id: string, readonly problems: string[]) {
    super(`risk config ${config_id} refused:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}
