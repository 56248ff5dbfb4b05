import type { RiskAction } from '../risk/risk-outcome.ts';

/**
 * The scan typology: one weighted sum over the scan rules' outcomes, plus points for what today's real-time rules
 * decide about the link request and each charge, against one threshold (after Tazama's typology processor and
 * src/risk/risk-config.ts).
 */
export interface ScanTypologyConfig {
  /** `typology-id@version`, recorded with every scan. */
  id: string;
  describes: string;
  /** Scan rule key (`id@version`) → points for its alert and block outcomes. */
  weights: Record<string, { alert: number; block: number }>;
  /** Points when today's rules, re-run on the link request as it was made, would not simply allow it. */
  link_decision_points: Record<Exclude<RiskAction, 'allow'>, number>;
  /** Points a charge adds to its link's score when today's rules would not simply allow it. */
  charge_decision_points: Record<Exclude<RiskAction, 'allow'>, number>;
  /** A charge (and so its link and customer) is suspect at or above this score. */
  suspect_score_min: number;
}

/** The scan's versioned settings: which scan rules run with which config, and the typology over them. */
export interface ScanConfig {
  /** `name@version`, stored with every scan. */
  id: string;
  rules: Record<string, unknown>;
  typology: ScanTypologyConfig;
}

/** Thrown for a scan config the typology cannot run; the message lists every problem. */
export class ScanConfigError extends Error {
  override name = 'ScanConfigError';
  constructor(readonly config_id: string, readonly problems: string[]) {
    super(`scan config ${config_id} refused:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}
