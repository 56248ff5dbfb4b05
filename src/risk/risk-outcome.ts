/** What one rule says: pass, alert, block, or error when it could not decide (fails safe downstream). */
export type RuleOutcomeKind = 'pass' | 'alert' | 'block' | 'error';

/** One rule's answer, with a stable reason code (e.g. `maximum_charge_without_history`). */
export interface RuleOutcome {
  outcome: RuleOutcomeKind;
  reason: string;
}

/** A rule's answer as recorded: which rule at which config version. */
export interface RuleResult extends RuleOutcome {
  /** `rule-id@version`, e.g. `young-link@1`. */
  rule: string;
}

/** What the bank does with a charge (or link), least to most severe. */
export type RiskAction = 'allow' | 'challenge' | 'hold' | 'deny';

export const RISK_ACTIONS: readonly RiskAction[] = ['allow', 'challenge', 'hold', 'deny'];

/** The more severe of two actions. */
export function severer(a: RiskAction, b: RiskAction): RiskAction {
  return RISK_ACTIONS.indexOf(a) >= RISK_ACTIONS.indexOf(b) ? a : b;
}

/** One typology's weighted score and what it asked for. */
export interface TypologyScore {
  /** `typology-id@version`. */
  typology: string;
  score: number;
  action: RiskAction;
}

/** The pipeline's decision for one charge or link, as recorded for replay. */
export interface RiskDecision {
  action: RiskAction;
  /** Reason codes of every rule that did not pass, then `typology:<id>` for each typology that acted. */
  reasons: string[];
  rules: RuleResult[];
  typologies: TypologyScore[];
  /** The config the decision was made under, e.g. `furikae-default@6`. */
  config_id: string;
}

/** A reason code: snake_case, as stored on charges and shown to staff. */
export const REASON_CODE = /^[a-z][a-z0-9_]{1,62}$/;
