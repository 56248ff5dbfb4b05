import { FurikaeError } from '../../errors/furikae-error.ts';
import { assert } from '../../shared/assert.ts';
import { formatYen } from '../../shared/yen.ts';
import type { NewAlert } from '../../cases/alert.ts';
import { loadChargeFeatures } from '../../risk/load-charge-features.ts';
import { addVelocity } from '../../risk/risk-velocity.ts';
import { recordRiskDecisions, type RiskDecisionRow } from '../../risk/record-risk-decisions.ts';
import { addOperatorActivity, recordOperatorSources } from '../../operators/operator-activity.ts';
import { containmentHoldsCharges } from '../../operators/operator.ts';
import { severer } from '../../risk/risk-outcome.ts';
import { openItems, type ChargeStep } from '../charge.ts';

/** The reason code a charge carries when the bank held it because its operator is contained. */
export const OPERATOR_CONTAINED_REASON = 'operator_contained';

/**
 * risk: loads every open charge's features with a few set-based queries, decides each (allow, challenge, hold,
 * deny), counts it into the velocity windows, and records the decision for every charge, allowed or not, in the
 * batch's transaction. A denial refuses the charge here (its decision row stays; no money moves); a challenge
 * or hold makes the ledger step reserve instead of move. Holds and denials raise a staff alert. Each charge is counted
 * into its operator's activity; when an operator's anomaly level reaches its containment level (enforce mode), the
 * operator is contained in this same transaction and this charge and every later one of the operator is held.
 */
export const risk: ChargeStep = {
  name: 'risk',
  async run({ tx, now, ids, risk: engine }, items) {
    const open = openItems(items);
    if (open.length === 0) return;
    assert(engine, 'the risk step runs with a risk pipeline in the charge context');
    const sets = await loadChargeFeatures(tx, open.map((item) => ({
      link: item.link!,
      charge_yen_max: Math.min(item.link!.charge_yen_max, item.operator!.charge_yen_max),
      amount_yen: item.request.amount_yen,
      operator_registered_at: item.operator!.created_at,
      source_ip: item.request.end_user_ip ?? item.request.source_ip,
      device_id: item.request.device_id,
    })), now);
    assert(sets.length === open.length, 'one feature set per open charge');
    const rows: RiskDecisionRow[] = [];
    const alerts: NewAlert[] = [];
    const contained = new Map<string, boolean>();
    for (const [index, item] of open.entries()) {
      const { features, customer_id, operator_anomaly } = sets[index]!;
      const decision = engine.pipeline.decide(features);
      const operator = item.operator!;
      if (engine.mode === 'enforce' && containmentHoldsCharges(operator.containment_action) && !contained.has(operator.id)) {
        const active = containmentHoldsCharges(operator.containment_active);
        const crossed = operator.containment_level !== null && operator_anomaly.level >= operator.containment_level && engine.containments !== undefined;
        if (!active && crossed) await engine.containments!.contain(tx, operator, operator_anomaly, now);
        if (active || crossed) contained.set(operator.id, true);
      }
      if (contained.get(operator.id) || (engine.mode === 'enforce' && containmentHoldsCharges(operator.containment_active))) {
        decision.action = severer(decision.action, 'hold');
        decision.reasons.push(OPERATOR_CONTAINED_REASON);
      }
      const action = engine.mode === 'enforce' ? decision.action : 'allow';
      item.risk = { decision, action, customer_id };
      const link = item.link!;
      rows.push({
        id: ids.next(), charge_id: item.charge_id, link_id: link.id, operator_id: link.operator_id, customer_id,
        account_id: link.account_id, amount_yen: item.request.amount_yen, decision, enforced: engine.mode === 'enforce', features,
        source_ip: item.request.end_user_ip ?? item.request.source_ip, device_id: item.request.device_id, decided_at: now,
      });
      if (action === 'deny') {
        item.outcome = { kind: 'refused', error: new FurikaeError('charge_denied', 'The bank declined this charge') };
      }
      if (action === 'hold' || action === 'deny') {
        alerts.push({
          kind: action === 'hold' ? 'risk_hold' : 'risk_deny', severity: 'high',
          summary: `${formatYen(item.request.amount_yen)} to ${item.operator!.display_name}: ${action}`,
          customer_id, link_id: link.id, charge_id: item.charge_id, operator_id: link.operator_id, reason_codes: decision.reasons,
          details: { typologies: decision.typologies, config_id: decision.config_id }, at: now,
        });
      }
    }
    await addVelocity(tx, sets.flatMap((set) => set.velocity_keys), now);
    await addOperatorActivity(tx, open.map((item) => ({ operator_id: item.operator!.id, kind: 'charge' as const })), now);
    await recordOperatorSources(tx, open.map((item) => ({ operator_id: item.operator!.id, source_ip: item.request.source_ip })), now);
    await recordRiskDecisions(tx, rows);
    if (alerts.length > 0) await engine.raiseAlerts(tx, alerts);
  },
};
