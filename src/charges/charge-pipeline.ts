import type { Database } from '../storage/database.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';
import { createBatcher } from '../ledger/batcher.ts';
import { chargeSteps } from './charge-steps.ts';
import type { ChargeItem, ChargeOutcome, ChargeRequest, ChargeStep } from './charge.ts';
import type { ChargeRisk } from '../risk/charge-risk.ts';
import type { RiskDecision } from '../risk/risk-outcome.ts';

/**
 * Charges per database transaction. Each charge locks a link row and writes four rows besides its transfer;
 * 1,000 keeps a batch's locks held for a few milliseconds while sharing one fsync across a burst.
 */
export const BATCH_CHARGES_MAX = 1000;

export interface ChargePipelineDeps {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  ids: Ids;
  log?: Logger;
  steps?: readonly ChargeStep[];
  batch_charges_max?: number;
  /** The risk pipeline the risk step runs; required when the steps include it. */
  risk?: ChargeRisk;
}

/** One request as submitted: its charge id is fixed on entry, so a retried batch charges under the same id. */
type ChargeSubmission = Pick<ChargeItem, 'request' | 'charge_id'>;

/** The answer for one request once its batch has committed, with the risk decision when one was made for it. */
export type ChargeResult = Exclude<ChargeOutcome, { kind: 'open' } | { kind: 'same_as' }> & { decision?: RiskDecision };

function settle(item: ChargeItem): ChargeResult {
  const outcome = item.outcome.kind === 'same_as' ? item.outcome.first.outcome : item.outcome;
  assert(outcome.kind === 'charged' || outcome.kind === 'pending' || outcome.kind === 'refused', `charge ${item.charge_id} left ${outcome.kind} after every step`);
  // A repeat within the batch is a replay of the first, exactly as if it had come a moment later.
  if (item.outcome.kind === 'same_as' && outcome.kind !== 'refused') return { ...outcome, replayed: true };
  return item.risk ? { ...outcome, decision: item.risk.decision } : outcome;
}

/**
 * Every statement of a charge batch looks rows up by key (a link, an account, an operator, a velocity bucket), so the
 * plan that fits one batch fits all. PostgreSQL's default replans a prepared statement whose generic plan it costs
 * higher than its custom ones: it did so on every batch for the risk step's feature query, whose plan took 3.0 ms and
 * its run 0.3 ms (pg_stat_statements with track_planning, honest-population's quick lab). With this the batch's
 * statements are planned once per connection. SET LOCAL ends with the transaction.
 */
export const CHARGE_BATCH_PLANS = 'SET LOCAL plan_cache_mode = force_generic_plan';

/** Runs the charge steps over batches of concurrent requests, one transaction per batch. */
export function createChargePipeline({ db, ledger, clock, ids, log, steps = chargeSteps, batch_charges_max = BATCH_CHARGES_MAX, risk }: ChargePipelineDeps) {
  assert(risk || !steps.some((step) => step.name === 'risk'), 'the risk step needs a risk pipeline');
  const batcher = createBatcher<ChargeSubmission, ChargeResult>({
    db,
    items_max: batch_charges_max,
    log,
    async process(tx, submissions) {
      await tx.query(CHARGE_BATCH_PLANS);
      // Fresh items for every attempt: the steps fill them in, and a batch the batcher retries in parts starts over.
      const items: ChargeItem[] = submissions.map(({ request, charge_id }) => ({ request, charge_id, outcome: { kind: 'open' } }));
      const context = { tx, ledger, clock, ids, now: clock.now(), ...(risk ? { risk } : {}) };
      for (const step of steps) await step.run(context, items);
      return items.map(settle);
    },
  });

  return {
    /** Submits one charge and resolves after its batch commits. */
    charge(request: ChargeRequest): Promise<ChargeResult> {
      assert(isAmountYen(request.amount_yen), 'amount checked by the schema');
      return batcher.submit({ request, charge_id: ids.next() });
    },
    close: () => batcher.close(),
  };
}

export type ChargePipeline = ReturnType<typeof createChargePipeline>;
