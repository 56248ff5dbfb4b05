import type { Queryable } from '../storage/database.ts';
import { loadOperatorActivity, type OperatorActivityKind } from './operator-activity.ts';
import { loadOperatorBaselines } from './operator-baselines.ts';
import { operatorAnomaly, type OperatorAnomaly } from './operator-anomaly.ts';

/** One event about to be counted (a charge, a link, a refresh grant) by an operator registered at `registered_at`. */
export interface OperatorAnomalyInput {
  operator_id: string;
  registered_at: Date;
  kind: OperatorActivityKind;
}

/**
 * The anomaly level each event would see, in two set-based queries (window counts, stored baselines) plus a
 * baseline refresh when one is stale. Counts run forward through the inputs in order, each including itself, so the
 * 25th charge of a burst in one batch sees 25, as it would in 25 batches.
 */
export async function loadOperatorAnomalies(tx: Queryable, inputs: readonly OperatorAnomalyInput[], now: Date): Promise<OperatorAnomaly[]> {
  if (inputs.length === 0) return [];
  const ids = inputs.map((input) => input.operator_id);
  const [counts, baselines] = [await loadOperatorActivity(tx, ids, now), await loadOperatorBaselines(tx, ids, now)];
  return inputs.map((input) => {
    const mine = counts.get(input.operator_id)!;
    mine[input.kind].count_10m += 1;
    mine[input.kind].count_1h += 1;
    return operatorAnomaly(mine, baselines.get(input.operator_id)!, input.registered_at, now);
  });
}
