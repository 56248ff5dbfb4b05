import type { Queryable } from '../storage/database.ts';
import type { RiskFeatures } from './risk-features.ts';
import type { RiskDecision } from './risk-outcome.ts';

/** One decision as stored in risk_decisions. */
export interface RiskDecisionRow {
  id: string;
  charge_id: string | null;
  link_id: string | null;
  operator_id: string;
  customer_id: string;
  account_id: string;
  amount_yen: number;
  decision: RiskDecision;
  /** False in observe mode: recorded, not acted on. */
  enforced: boolean;
  features: RiskFeatures;
  source_ip: string | null;
  device_id: string | null;
  decided_at: Date;
}

/** Writes a batch of decisions with one INSERT (one JSON parameter: rules and features are JSON anyway). */
export async function recordRiskDecisions(tx: Queryable, rows: readonly RiskDecisionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO risk_decisions (id, stage, charge_id, link_id, operator_id, customer_id, account_id, amount_yen, action, enforced,
                                 reasons, rules, typologies, config_id, features, source_ip, device_id, decided_at)
     SELECT t.id, t.features->>'stage', t.charge_id, t.link_id, t.operator_id, t.customer_id, t.account_id, t.amount_yen, t.action,
            t.enforced, ARRAY(SELECT jsonb_array_elements_text(t.reasons)), t.rules, t.typologies, t.config_id, t.features,
            t.source_ip, t.device_id, t.decided_at
       FROM jsonb_to_recordset($1::jsonb) AS t (id uuid, charge_id uuid, link_id uuid, operator_id uuid, customer_id uuid, account_id uuid,
            amount_yen bigint, action text, enforced boolean, reasons jsonb, rules jsonb, typologies jsonb, config_id text,
            features jsonb, source_ip text, device_id text, decided_at timestamptz)`,
    [JSON.stringify(rows.map((row) => ({
      id: row.id, charge_id: row.charge_id, link_id: row.link_id, operator_id: row.operator_id, customer_id: row.customer_id,
      account_id: row.account_id, amount_yen: row.amount_yen, action: row.decision.action, enforced: row.enforced,
      reasons: row.decision.reasons, rules: row.decision.rules, typologies: row.decision.typologies, config_id: row.decision.config_id,
      features: row.features, source_ip: row.source_ip, device_id: row.device_id, decided_at: row.decided_at,
    })))],
  );
}
