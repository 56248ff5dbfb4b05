import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { NewAlert } from '../cases/alert.ts';
import { assert } from '../shared/assert.ts';
import type { ContainmentAction, Operator } from './operator.ts';
import type { OperatorAnomaly } from './operator-anomaly.ts';

/** Longest release reason, in characters: the console's other staff reasons (a sentence for the audit chain). */
export const CONTAINMENT_RELEASE_REASON_CHARS_MAX = 200;
/** Containments one listing returns: a console page, not an export. */
const CONTAINMENTS_LISTED_MAX = 200;

/** One automatic containment as stored: what set it off, and who released it. */
export interface OperatorContainment {
  id: string;
  operator_id: string;
  action: ContainmentAction;
  level: number;
  measure: string;
  details: Record<string, unknown>;
  started_at: Date;
  released_at: Date | null;
  released_by: string | null;
  release_reason: string | null;
}

const COLUMNS = 'id, operator_id, action, level, measure, details, started_at, released_at, released_by, release_reason';

/** How a release ended: released, or there was nothing to release. */
export type ContainmentReleaseOutcome = { kind: 'released'; containment: OperatorContainment } | { kind: 'not_contained' };

/**
 * Automatic containment of operators (DESIGN.md, "Containment"). `contain` runs inside the transaction that saw the
 * level crossed (a charge batch, a link, a refresh grant), so the containment, its staff alert, its audit entry and
 * the charges it held commit together; the insert is the trigger, so processes crossing at once contain once.
 * `release` is an admin's, with a reason, audited in the same transaction.
 */
export function createOperatorContainments({ db, clock, ids, audit, raiseAlerts, enforced }: {
  db: Database; clock: Clock; ids: Ids; audit: AuditLog;
  raiseAlerts: (tx: Queryable, alerts: readonly NewAlert[]) => Promise<unknown>;
  /** False in the risk pipeline's observe mode: levels are measured and recorded, and nobody is contained. */
  enforced: boolean;
}) {
  return {
    enforced,

    /** Contains the operator with its policy's action, unless a containment is in force already; the new one, or undefined. */
    async contain(tx: Queryable, operator: Pick<Operator, 'id' | 'display_name' | 'containment_action'>, anomaly: OperatorAnomaly, now: Date): Promise<OperatorContainment | undefined> {
      const details = { count: anomaly.count, baseline: anomaly.baseline, established: anomaly.established };
      const [created] = await tx.query<OperatorContainment>(
        `INSERT INTO operator_containments (id, operator_id, action, level, measure, details, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (operator_id) WHERE released_at IS NULL DO NOTHING RETURNING ${COLUMNS}`,
        [ids.next(), operator.id, operator.containment_action, anomaly.level, anomaly.measure, JSON.stringify(details), now],
      );
      if (!created) return undefined;
      const what = { hold_charges: 'new charges held', suspend_links: 'new links suspended', hold_charges_and_suspend_links: 'new charges held and new links suspended' }[created.action];
      await raiseAlerts(tx, [{
        kind: 'operator_contained', severity: 'high', operator_id: operator.id, at: now,
        summary: `${operator.display_name} contained automatically (${what}): ${anomaly.count} ${anomaly.measure.replace('_', ' in ')} is ${anomaly.level}× its busiest (${anomaly.baseline})`,
        reason_codes: ['operator_contained', anomaly.measure],
        details: { containment_id: created.id, action: created.action, level: anomaly.level, measure: anomaly.measure, ...details },
      }]);
      await audit.append(tx, {
        staff_id: null, action: 'operator.contained', subject: operator.id,
        details: { containment_id: created.id, action: created.action, level: anomaly.level, measure: anomaly.measure, ...details },
      });
      return created;
    },

    /** Lifts the operator's containment in force, as an admin with a reason; the audit entry commits with it. */
    async release(operator_id: string, change: { staff_id: string; reason: string }): Promise<ContainmentReleaseOutcome> {
      const reason = change.reason.trim();
      assert(reason.length > 0 && reason.length <= CONTAINMENT_RELEASE_REASON_CHARS_MAX, 'release reason checked by the caller');
      return db.transaction(async (tx) => {
        const [released] = await tx.query<OperatorContainment>(
          `UPDATE operator_containments SET released_at = $2, released_by = $3, release_reason = $4
            WHERE operator_id = $1 AND released_at IS NULL RETURNING ${COLUMNS}`,
          [operator_id, clock.now(), change.staff_id, reason],
        );
        if (!released) return { kind: 'not_contained' as const };
        await audit.append(tx, {
          staff_id: change.staff_id, action: 'operator.containment_released', subject: operator_id, reason,
          details: { containment_id: released.id, action: released.action, level: released.level, measure: released.measure, started_at: released.started_at.toISOString() },
        });
        return { kind: 'released' as const, containment: released };
      });
    },

    /** Containments, newest first: of one operator, or of all. */
    async list(operator_id?: string): Promise<OperatorContainment[]> {
      return db.query<OperatorContainment>(
        `SELECT ${COLUMNS} FROM operator_containments WHERE $1::uuid IS NULL OR operator_id = $1 ORDER BY started_at DESC, id DESC LIMIT ${CONTAINMENTS_LISTED_MAX}`,
        [operator_id ?? null]);
    },
  };
}

export type OperatorContainments = ReturnType<typeof createOperatorContainments>;
