import type { Database, Queryable } from '../storage/database.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { requireStaffRole } from '../staff/require-role.ts';
import { lockOpenIncident } from '../incidents/incident-store.ts';
import { incidentCaseIdsSql } from '../incidents/incident-cases.ts';
import type { Case } from '../cases/case.ts';
import { CASE_COLUMNS } from '../cases/case.ts';
import { readAgreement } from './compensation-agreements.ts';
import { splitCompensation } from './compensation-split.ts';
import { COMPENSATION_COLUMNS, type Compensation, type CompensationLine, type CompensationSource } from './compensation.ts';
import { payCompensation, PaymentRefused, type PaymentOutcome } from './pay-compensation.ts';
import type { ScanSuspects } from './scan-suspects.ts';

/** Most charges one proposal covers: Docomo's caps allowed ¥300,000 a month in ¥100,000 charges over three years. */
export const COMPENSATION_CHARGES_MAX = 200;
/** Longest note a proposer adds: what was checked, for the checker. */
export const COMPENSATION_NOTE_CHARS_MAX = 500;
/** Longest reason for a rejection. */
export const REJECTION_REASON_CHARS_MAX = 200;
/** Approved compensations one recovery pass pays: each is its own transaction, so a pass stays short. */
export const PAY_DUE_PER_PASS_MAX = 100;

/** A proposal: which incident, from which case or scan, which charges (each for the rest of the charge unless given). */
export interface CompensationProposal {
  incident_id: string;
  source: CompensationSource;
  charges: readonly { charge_id: string; amount_yen?: number }[];
  note?: string;
}

/** A compensation with its charges. */
export interface CompensationDetail {
  compensation: Compensation;
  lines: (CompensationLine & { charge_amount_yen: number; refunded_yen: number; created_at: Date; link_id: string })[];
}

/** Per operator and status: how many and how much, for the console and the report. */
export interface CompensationTotals {
  operator_id: string;
  status: Compensation['status'];
  count: number;
  amount_yen: number;
  operator_yen: number;
  bank_yen: number;
}

interface ChargeRow {
  id: string;
  account_id: string;
  operator_id: string;
  customer_id: string;
  amount_yen: number;
  refunded_yen: number;
  status: string;
}

/**
 * Compensation with four eyes (maker–checker). An analyst proposes it from a case resolved as fraud or from a scan
 * result; a different analyst or admin approves it; approval is committed first, then paid in one transaction of
 * its own (payCompensation). A crash in between leaves an approved compensation that payDue() pays once on the next
 * pass; a second approval is refused and pays nothing.
 */
export function createCompensations(deps: { db: Database; ledger: Ledger; clock: Clock; ids: Ids; audit: AuditLog; log: Logger; scans: ScanSuspects }) {
  const { db, ledger, clock, ids, audit, log } = deps;

  async function lockCompensation(tx: Queryable, compensation_id: string): Promise<Compensation> {
    const [found] = isUuid(compensation_id)
      ? await tx.query<Compensation>(`SELECT ${COMPENSATION_COLUMNS} FROM compensations WHERE id = $1 FOR UPDATE`, [compensation_id])
      : [];
    if (!found) throw new FurikaeError('compensation_not_found', `No compensation ${compensation_id}`);
    return found;
  }

  /** The charge ids the source vouches for: the case's charges (resolved as fraud, in the incident) or the scan's suspects. */
  async function sourceCharges(tx: Queryable, incident_id: string, source: CompensationSource, charge_ids: string[]): Promise<Set<string>> {
    if (source.kind === 'case') {
      const [found] = isUuid(source.case_id)
        ? await tx.query<Case & { in_incident: boolean }>(
          `SELECT ${CASE_COLUMNS}, id IN (${incidentCaseIdsSql('$2')}) AS in_incident FROM cases WHERE id = $1`, [source.case_id, incident_id])
        : [];
      if (!found || !found.in_incident) throw new FurikaeError('case_not_found', `No case ${source.case_id} in this incident`);
      if (found.status !== 'resolved' || found.resolution !== 'fraud') {
        throw new FurikaeError('compensation_case_not_confirmed', `Case ${source.case_id} is ${found.status === 'open' ? 'still open' : 'resolved as legitimate'}`);
      }
      return new Set(found.charge_ids);
    }
    return deps.scans.suspectCharges(tx, { scan_id: source.scan_id, incident_id, charge_ids });
  }

  async function recordPaymentError(compensation_id: string, reason: string): Promise<void> {
    await db.query(`UPDATE compensations SET payment_error = $2 WHERE id = $1 AND status = 'approved'`, [compensation_id, reason.slice(0, 200)]);
  }

  /** Pays one approved compensation in a transaction of its own; a refusal moves nothing and is recorded on it. */
  async function pay(compensation_id: string): Promise<PaymentOutcome> {
    try {
      return await db.transaction((tx) => payCompensation(tx, { ledger, ids, audit, now: clock.now() }, compensation_id));
    } catch (error) {
      if (!(error instanceof PaymentRefused)) throw error;
      await recordPaymentError(compensation_id, error.message);
      log.warn({ compensation_id, code: error.code }, 'compensation approved but not paid');
      return { kind: 'refused', code: error.code, reason: error.message };
    }
  }

  return {
    /**
     * Proposes compensation for one customer's charges through one operator, audited. Refuses (changing nothing) a
     * charge outside the source, one that moved no money, an amount above what remains after refunds, a charge already
     * in a live compensation, and charges from two accounts or operators.
     */
    async propose(proposal: CompensationProposal, by: string): Promise<Compensation> {
      const note = proposal.note?.trim() || null;
      if (note && note.length > COMPENSATION_NOTE_CHARS_MAX) throw new FurikaeError('validation_failed', `A note is at most ${COMPENSATION_NOTE_CHARS_MAX} characters`);
      if (proposal.charges.length === 0 || proposal.charges.length > COMPENSATION_CHARGES_MAX) {
        throw new FurikaeError('validation_failed', `A proposal covers 1 to ${COMPENSATION_CHARGES_MAX} charges`);
      }
      const charge_ids = proposal.charges.map((line) => line.charge_id);
      if (new Set(charge_ids).size !== charge_ids.length) throw new FurikaeError('validation_failed', 'A charge appears twice in the proposal');
      for (const line of proposal.charges) {
        if (line.amount_yen !== undefined && !isAmountYen(line.amount_yen)) {
          throw new FurikaeError('compensation_exceeds_charge', `The amount for charge ${line.charge_id} is not a positive whole number of yen`);
        }
      }
      return db.transaction(async (tx) => {
        await requireStaffRole(tx, by, 'analyst');
        await lockOpenIncident(tx, proposal.incident_id);
        const vouched = await sourceCharges(tx, proposal.incident_id, proposal.source, charge_ids);
        const outside = charge_ids.find((id) => !vouched.has(id));
        if (outside !== undefined) throw new FurikaeError('compensation_charge_not_in_source', `Charge ${outside} is not in the ${proposal.source.kind}`);
        // Locked: a refund or another proposal on these charges waits for this one.
        const charges = await tx.query<ChargeRow>(
          `SELECT c.id, c.account_id, c.operator_id, a.customer_id, c.amount_yen, c.refunded_yen, c.status
             FROM charges c JOIN bank_accounts a ON a.id = c.account_id WHERE c.id = ANY($1::uuid[]) ORDER BY c.id FOR UPDATE OF c`, [charge_ids]);
        const by_id = new Map(charges.map((row) => [row.id, row]));
        const unmoved = charge_ids.find((id) => by_id.get(id)?.status !== 'succeeded');
        if (unmoved !== undefined) throw new FurikaeError('compensation_charge_not_in_source', `Charge ${unmoved} moved no money`);
        const first = charges[0]!;
        if (charges.some((row) => row.account_id !== first.account_id || row.operator_id !== first.operator_id)) {
          throw new FurikaeError('compensation_charges_mixed', 'The charges come from more than one account or operator');
        }
        const taken = await tx.query<{ charge_id: string }>(`SELECT charge_id FROM compensation_charges WHERE charge_id = ANY($1::uuid[]) AND live`, [charge_ids]);
        if (taken.length > 0) throw new FurikaeError('compensation_charge_already_compensated', `Charge ${taken[0]!.charge_id} is already in a compensation`);
        const lines: CompensationLine[] = proposal.charges.map((line) => {
          const charge = by_id.get(line.charge_id)!;
          const compensable_yen = charge.amount_yen - charge.refunded_yen;
          const amount_yen = line.amount_yen ?? compensable_yen;
          if (amount_yen <= 0 || amount_yen > compensable_yen) {
            throw new FurikaeError('compensation_exceeds_charge', `At most ¥${compensable_yen.toLocaleString('en-US')} of charge ${line.charge_id} remains after refunds`,
              { charge_id: line.charge_id, compensable_yen });
          }
          return { charge_id: line.charge_id, amount_yen };
        });
        const amount_yen = lines.reduce((sum, line) => sum + line.amount_yen, 0);
        const { operator_share_percent } = await readAgreement(tx, first.operator_id);
        const split = splitCompensation(amount_yen, operator_share_percent);
        const id = ids.next();
        const [compensation] = await tx.query<Compensation>(
          `INSERT INTO compensations (id, incident_id, customer_id, account_id, operator_id, source, case_id, scan_id, amount_yen, operator_share_percent,
             operator_yen, bank_yen, status, proposed_at, proposed_by, note, operator_transfer_id, bank_transfer_id, payout_transfer_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'proposed', $13, $14, $15, $16, $17, $18) RETURNING ${COMPENSATION_COLUMNS}`,
          [id, proposal.incident_id, first.customer_id, first.account_id, first.operator_id, proposal.source.kind,
            proposal.source.kind === 'case' ? proposal.source.case_id : null, proposal.source.kind === 'scan' ? proposal.source.scan_id : null,
            amount_yen, operator_share_percent, split.operator_yen, split.bank_yen, clock.now(), by, note, ids.next(), ids.next(), ids.next()],
        );
        assert(compensation, 'compensation inserted');
        await tx.query(
          `INSERT INTO compensation_charges (compensation_id, charge_id, amount_yen) SELECT $1, t.charge_id, t.amount_yen
             FROM unnest($2::uuid[], $3::bigint[]) AS t (charge_id, amount_yen)`,
          [id, lines.map((line) => line.charge_id), lines.map((line) => line.amount_yen)],
        );
        await audit.append(tx, {
          staff_id: by, action: 'compensation.propose', subject: id, reason: note,
          details: { incident_id: proposal.incident_id, source: proposal.source, customer_id: first.customer_id, operator_id: first.operator_id,
            charges: lines, amount_yen, operator_share_percent, ...split },
        });
        return compensation;
      });
    },

    /**
     * A checker approves a proposed compensation (audited), then it is paid. Refused, changing nothing: a viewer
     * (staff_role_insufficient), the proposer (compensation_self_approval), and a compensation no longer proposed
     * (compensation_not_proposed: approving twice pays nothing more).
     */
    async approve(compensation_id: string, by: string): Promise<PaymentOutcome> {
      await db.transaction(async (tx) => {
        const compensation = await lockCompensation(tx, compensation_id);
        await requireStaffRole(tx, by, 'analyst');
        if (compensation.status !== 'proposed') throw new FurikaeError('compensation_not_proposed', `The compensation is ${compensation.status}`, { status: compensation.status });
        if (compensation.proposed_by === by) throw new FurikaeError('compensation_self_approval', 'You proposed this compensation: another staff member must approve it');
        await tx.query(`UPDATE compensations SET status = 'approved', approved_at = $2, approved_by = $3 WHERE id = $1`, [compensation_id, clock.now(), by]);
        await audit.append(tx, {
          staff_id: by, action: 'compensation.approve', subject: compensation_id,
          details: { incident_id: compensation.incident_id, amount_yen: compensation.amount_yen, proposed_by: compensation.proposed_by },
        });
      });
      return pay(compensation_id);
    },

    /** A checker (or the proposer, withdrawing it) rejects a proposed compensation with a reason; its charges are free again. */
    async reject(compensation_id: string, by: string, reason: string): Promise<Compensation> {
      const why = reason.trim();
      if (why.length === 0 || why.length > REJECTION_REASON_CHARS_MAX) throw new FurikaeError('staff_reason_invalid', `Say why, in 1 to ${REJECTION_REASON_CHARS_MAX} characters`);
      return db.transaction(async (tx) => {
        const compensation = await lockCompensation(tx, compensation_id);
        await requireStaffRole(tx, by, 'analyst');
        if (compensation.status !== 'proposed') throw new FurikaeError('compensation_not_proposed', `The compensation is ${compensation.status}`, { status: compensation.status });
        const [rejected] = await tx.query<Compensation>(
          `UPDATE compensations SET status = 'rejected', rejected_at = $2, rejected_by = $3, rejection_reason = $4 WHERE id = $1 RETURNING ${COMPENSATION_COLUMNS}`,
          [compensation_id, clock.now(), by, why]);
        await tx.query(`UPDATE compensation_charges SET live = false WHERE compensation_id = $1`, [compensation_id]);
        await audit.append(tx, { staff_id: by, action: 'compensation.reject', subject: compensation_id, reason: why, details: { incident_id: compensation.incident_id } });
        return rejected!;
      });
    },

    /** Pays one approved compensation now (the console's "retry payment"); paying a paid one is `already_paid`. */
    async retryPayment(compensation_id: string): Promise<PaymentOutcome> {
      const [found] = isUuid(compensation_id) ? await db.query<{ status: string }>(`SELECT status FROM compensations WHERE id = $1`, [compensation_id]) : [];
      if (!found) throw new FurikaeError('compensation_not_found', `No compensation ${compensation_id}`);
      if (found.status !== 'approved' && found.status !== 'paid') throw new FurikaeError('compensation_not_proposed', `The compensation is ${found.status}`);
      return pay(compensation_id);
    },

    /**
     * Pays every approved compensation not yet paid (oldest approval first): the recovery after a crash between
     * approval and payment, and the retry after an operator topped up its settlement account. Returns the outcomes.
     */
    async payDue(): Promise<PaymentOutcome[]> {
      const due = await db.query<{ id: string }>(`SELECT id FROM compensations WHERE status = 'approved' ORDER BY approved_at, id LIMIT $1`, [PAY_DUE_PER_PASS_MAX]);
      const outcomes: PaymentOutcome[] = [];
      for (const { id } of due) outcomes.push(await pay(id));
      return outcomes;
    },

    async get(compensation_id: string): Promise<CompensationDetail | undefined> {
      if (!isUuid(compensation_id)) return undefined;
      const [compensation] = await db.query<Compensation>(`SELECT ${COMPENSATION_COLUMNS} FROM compensations WHERE id = $1`, [compensation_id]);
      if (!compensation) return undefined;
      const lines = await db.query<CompensationDetail['lines'][number]>(
        `SELECT l.charge_id, l.amount_yen, c.amount_yen AS charge_amount_yen, c.refunded_yen, c.created_at, c.link_id
           FROM compensation_charges l JOIN charges c ON c.id = l.charge_id WHERE l.compensation_id = $1 ORDER BY c.created_at, c.id`, [compensation_id]);
      return { compensation, lines };
    },

    /** An incident's compensations, newest first. */
    async listForIncident(incident_id: string): Promise<Compensation[]> {
      if (!isUuid(incident_id)) return [];
      return db.query<Compensation>(`SELECT ${COMPENSATION_COLUMNS} FROM compensations WHERE incident_id = $1 ORDER BY proposed_at DESC, id DESC`, [incident_id]);
    },

    /** An incident's compensations counted and summed per operator and status. */
    async totals(incident_id: string): Promise<CompensationTotals[]> {
      return db.query<CompensationTotals>(
        `SELECT operator_id, status, count(*)::int AS count, sum(amount_yen)::bigint AS amount_yen, sum(operator_yen)::bigint AS operator_yen,
                sum(bank_yen)::bigint AS bank_yen
           FROM compensations WHERE incident_id = $1 GROUP BY operator_id, status ORDER BY operator_id, status`, [incident_id]);
    },
  };
}

export type Compensations = ReturnType<typeof createCompensations>;
