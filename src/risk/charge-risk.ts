import type { Queryable } from '../storage/database.ts';
import type { NewAlert } from '../cases/alert.ts';
import type { OperatorContainments } from '../operators/operator-containments.ts';
import type { RiskMode } from './risk-config.ts';
import type { RiskAction, RiskDecision } from './risk-outcome.ts';
import type { RiskPipeline } from './risk-pipeline.ts';

/** What the charge path's risk step needs: the pipeline, whether it is enforced, and where staff alerts go. */
export interface ChargeRisk {
  pipeline: RiskPipeline;
  mode: RiskMode;
  /** Raises alerts in the batch's transaction (src/cases raiseAlert), so an alert exists exactly when its charge decision does. */
  raiseAlerts: (tx: Queryable, alerts: readonly NewAlert[]) => Promise<unknown>;
  /** Automatic operator containment (src/operators); without it an operator is never contained by the charge path. */
  containments?: Pick<OperatorContainments, 'contain'>;
}

/** One charge's decision, and what the charge path does with it. */
export interface ChargeRiskVerdict {
  decision: RiskDecision;
  /** The decision's action when enforced; `allow` in observe mode. */
  action: RiskAction;
  /** The account holder, for the history the next decisions read. */
  customer_id: string;
}
