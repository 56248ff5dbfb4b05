import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { requireStaffRole } from '../staff/require-role.ts';

/** The operator's share when no agreement was recorded: the operator whose service was abused bears it all. */
export const OPERATOR_SHARE_PERCENT_DEFAULT = 100;
/** Longest reason for changing an agreement: a sentence for the audit log, as for a kill switch. */
export const AGREEMENT_REASON_CHARS_MAX = 200;

/** An operator's compensation agreement; `updated_at` is null for the default (never set). */
export interface CompensationAgreement {
  operator_id: string;
  operator_share_percent: number;
  updated_at: Date | null;
  updated_by: string | null;
  reason: string | null;
}

/** Reads the operator's agreement in the caller's transaction (the default when none was set). */
export async function readAgreement(tx: Queryable, operator_id: string): Promise<CompensationAgreement> {
  const [row] = await tx.query<CompensationAgreement>(
    `SELECT operator_id, operator_share_percent, updated_at, updated_by, reason FROM compensation_agreements WHERE operator_id = $1`, [operator_id]);
  return row ?? { operator_id, operator_share_percent: OPERATOR_SHARE_PERCENT_DEFAULT, updated_at: null, updated_by: null, reason: null };
}

/** Per-operator compensation agreements: how an operator and the bank share the cost of its customers' fraud losses. */
export function createCompensationAgreements({ db, clock, audit }: { db: Database; clock: Clock; audit: AuditLog }) {
  return {
    get: (operator_id: string) => readAgreement(db, operator_id),

    /** Every operator's agreement, defaults included, by operator. */
    async list(): Promise<Map<string, CompensationAgreement>> {
      const rows = await db.query<CompensationAgreement>(
        `SELECT o.id AS operator_id, coalesce(a.operator_share_percent, $1) AS operator_share_percent, a.updated_at, a.updated_by, a.reason
           FROM operators o LEFT JOIN compensation_agreements a ON a.operator_id = o.id`, [OPERATOR_SHARE_PERCENT_DEFAULT]);
      return new Map(rows.map((row) => [row.operator_id, row]));
    },

    /**
     * Sets the operator's share (a whole percentage; the bank pays the rest), by an admin with a reason, audited with
     * the old and new shares. Proposals already made keep the figures they were made with.
     */
    async set(operator_id: string, operator_share_percent: number, by: string, reason: string): Promise<CompensationAgreement> {
      if (!Number.isInteger(operator_share_percent) || operator_share_percent < 0 || operator_share_percent > 100) {
        throw new FurikaeError('compensation_share_invalid', `The operator's share must be a whole percentage from 0 to 100`);
      }
      const why = reason.trim();
      if (why.length === 0 || why.length > AGREEMENT_REASON_CHARS_MAX) throw new FurikaeError('staff_reason_invalid', `Say why, in 1 to ${AGREEMENT_REASON_CHARS_MAX} characters`);
      return db.transaction(async (tx) => {
        await requireStaffRole(tx, by, 'admin');
        if (!isUuid(operator_id) || (await tx.query(`SELECT 1 FROM operators WHERE id = $1 FOR UPDATE`, [operator_id])).length === 0) {
          throw new FurikaeError('operator_not_found', `No operator ${operator_id}`);
        }
        const before = await readAgreement(tx, operator_id);
        const [row] = await tx.query<CompensationAgreement>(
          `INSERT INTO compensation_agreements (operator_id, operator_share_percent, updated_at, updated_by, reason) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (operator_id) DO UPDATE SET operator_share_percent = EXCLUDED.operator_share_percent, updated_at = EXCLUDED.updated_at,
             updated_by = EXCLUDED.updated_by, reason = EXCLUDED.reason
           RETURNING operator_id, operator_share_percent, updated_at, updated_by, reason`,
          [operator_id, operator_share_percent, clock.now(), by, why],
        );
        await audit.append(tx, {
          staff_id: by, action: 'compensation.agreement', subject: operator_id, reason: why,
          details: { operator_share_percent_from: before.operator_share_percent, operator_share_percent_to: operator_share_percent },
        });
        return row!;
      });
    },
  };
}

export type CompensationAgreements = ReturnType<typeof createCompensationAgreements>;
