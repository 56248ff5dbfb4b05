import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { assert } from '../shared/assert.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { ALERT_COLUMNS, ALERT_KINDS, ALERT_SEVERITIES, type Alert, type AlertStatus, type NewAlert } from './alert.ts';
import { settleCaseLink } from '../linking/revoke-link.ts';
import { CASE_COLUMNS, type Case, type CaseNote, type CaseResolution, type CaseStatus, type NewCase } from './case.ts';

/**
 * Alerts one raiseAlert call takes: a charge batch (at most 1,000 charges) may raise a few per charge,
 * and one INSERT of this many rows stays well within a batch's time budget.
 */
export const ALERTS_PER_RAISE_MAX = 5000;
/** Rows one listing returns: a console page, not an export. */
export const LISTED_MAX = 200;
/** Longest case note, in characters: a paragraph of findings, not a document. */
export const CASE_NOTE_CHARS_MAX = 2000;
/** A case's closing reason: one line for the audit chain, as long as the staff console's other reasons (staff_reason_invalid). */
export const CASE_RESOLVE_REASON_CHARS_MAX = 200;
/** Longest alert or case summary, in characters. */
export const SUMMARY_CHARS_MAX = 500;

/** How a staff action on an alert or case ended: done, nothing by that id, or it is past that step (closed, resolved). */
export type StaffActionOutcome = 'done' | 'not_found' | 'not_open';

/** A case with what was said and raised about it. */
export interface CaseDetail {
  case: Case;
  notes: CaseNote[];
  alerts: Alert[];
}

const toLimit = (limit: number | undefined) => Math.max(1, Math.min(limit ?? LISTED_MAX, LISTED_MAX));

/**
 * Alerts and cases. raiseAlert and openCase run inside the caller's transaction (a charge batch, a "not me"
 * click), so an alert exists exactly when what raised it committed. Staff actions run in their own transaction
 * and append to the audit log in it, so an action and its audit entry commit together or not at all.
 */
export function createCaseStore({ db, clock, ids, audit }: { db: Database; clock: Clock; ids: Ids; audit: AuditLog }) {

  /** Changes one row with a guarded UPDATE; tells not_found from not_open when nothing matched. */
  async function guarded(tx: Queryable, table: 'alerts' | 'cases', id: string, update: string, params: unknown[]): Promise<StaffActionOutcome> {
    if (!isUuid(id)) return 'not_found';
    const changed = await tx.query(update, [id, ...params]);
    if (changed.length > 0) return 'done';
    const [exists] = await tx.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
    return exists ? 'not_open' : 'not_found';
  }

  /** Opens a case inside the caller's transaction, taking over the given alerts; returns its id (the first one's, if the id was given before). */
  async function openCase(tx: Queryable, input: NewCase): Promise<string> {
    const summary = input.summary.trim();
    assert(summary.length > 0 && summary.length <= SUMMARY_CHARS_MAX, 'a case summary is 1 to 500 characters');
    const id = input.id ?? ids.next();
    await tx.query(
      `INSERT INTO cases (id, opened_at, kind, opened_by, summary, customer_id, link_id, operator_id, charge_ids, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open') ON CONFLICT (id) DO NOTHING`,
      [id, clock.now(), input.kind, input.opened_by ?? 'system', summary, input.customer_id ?? null, input.link_id ?? null,
        input.operator_id ?? null, [...(input.charge_ids ?? [])]],
    );
    if (input.alert_ids && input.alert_ids.length > 0) {
      await tx.query(`UPDATE alerts SET case_id = $1 WHERE id = ANY($2::uuid[]) AND case_id IS NULL`, [id, [...input.alert_ids]]);
    }
    return id;
  }

  return {
    /**
     * Raises alerts inside the caller's transaction with one INSERT (set-based, for charge batches).
     * Returns their ids in the order given; an id raised before keeps its first alert.
     */
    async raiseAlert(tx: Queryable, alerts: NewAlert | readonly NewAlert[]): Promise<string[]> {
      const list: readonly NewAlert[] = Array.isArray(alerts) ? alerts : [alerts as NewAlert];
      assert(list.length <= ALERTS_PER_RAISE_MAX, `at most ${ALERTS_PER_RAISE_MAX} alerts per call, got ${list.length}`);
      if (list.length === 0) return [];
      const now = clock.now();
      const rows = list.map((alert) => {
        assert((ALERT_KINDS as readonly string[]).includes(alert.kind), `unknown alert kind ${alert.kind}`);
        assert(alert.severity === undefined || ALERT_SEVERITIES.includes(alert.severity), `unknown severity ${alert.severity}`);
        assert(alert.summary === undefined || alert.summary.length <= SUMMARY_CHARS_MAX, 'summary too long');
        return {
          id: alert.id ?? ids.next(), at: alert.at ?? now, kind: alert.kind, severity: alert.severity ?? 'medium',
          summary: alert.summary ?? null, customer_id: alert.customer_id ?? null, link_id: alert.link_id ?? null,
          charge_id: alert.charge_id ?? null, operator_id: alert.operator_id ?? null,
          reason_codes: [...(alert.reason_codes ?? [])], details: alert.details ?? {},
        };
      });
      // One jsonb array in, one row per element out: arrays of arrays (reason codes) do not survive unnest().
      await tx.query(
        `INSERT INTO alerts (id, at, kind, severity, summary, customer_id, link_id, charge_id, operator_id, reason_codes, details, status)
         SELECT t.id, t.at, t.kind, t.severity, t.summary, t.customer_id, t.link_id, t.charge_id, t.operator_id,
                ARRAY(SELECT jsonb_array_elements_text(t.reason_codes)), t.details, 'open'
           FROM jsonb_to_recordset($1::jsonb) AS t (id uuid, at timestamptz, kind text, severity text, summary text,
                customer_id uuid, link_id uuid, charge_id uuid, operator_id uuid, reason_codes jsonb, details jsonb)
         ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(rows)],
      );
      return rows.map((row) => row.id);
    },

    openCase,

    /** Alerts, newest first: by status ('active' = not closed), customer or case. */
    async listAlerts(filter: { status?: AlertStatus | 'active'; customer_id?: string; case_id?: string; limit?: number } = {}): Promise<Alert[]> {
      return db.query<Alert>(
        `SELECT ${ALERT_COLUMNS} FROM alerts
          WHERE ($1::text IS NULL OR ($1 = 'active' AND status <> 'closed') OR status = $1)
            AND ($2::uuid IS NULL OR customer_id = $2) AND ($3::uuid IS NULL OR case_id = $3)
          ORDER BY at DESC, id DESC LIMIT $4`,
        [filter.status ?? null, filter.customer_id ?? null, filter.case_id ?? null, toLimit(filter.limit)],
      );
    },

    async getAlert(id: string): Promise<Alert | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await db.query<Alert>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [id]);
      return row;
    },

    /** Cases, open ones first and then newest first: by status, customer or assignee. */
    async listCases(filter: { status?: CaseStatus; customer_id?: string; assignee_staff_id?: string; limit?: number } = {}): Promise<Case[]> {
      return db.query<Case>(
        `SELECT ${CASE_COLUMNS} FROM cases
          WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR customer_id = $2) AND ($3::uuid IS NULL OR assignee_staff_id = $3)
          ORDER BY status = 'open' DESC, opened_at DESC, id DESC LIMIT $4`,
        [filter.status ?? null, filter.customer_id ?? null, filter.assignee_staff_id ?? null, toLimit(filter.limit)],
      );
    },

    /** One case with its notes (oldest first) and alerts. */
    async getCase(id: string): Promise<CaseDetail | undefined> {
      if (!isUuid(id)) return undefined;
      const [found] = await db.query<Case>(`SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1`, [id]);
      if (!found) return undefined;
      const notes = await db.query<CaseNote>(
        `SELECT n.id, n.case_id, n.at, n.staff_id, s.display_name AS staff_name, n.text
           FROM case_notes n JOIN staff_users s ON s.id = n.staff_id WHERE n.case_id = $1 ORDER BY n.at, n.id`, [id]);
      const alerts = await db.query<Alert>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE case_id = $1 ORDER BY at, id`, [id]);
      return { case: found, notes, alerts };
    },

    /** Open alerts, acknowledged alerts and open cases, for the dashboard. */
    async counts(): Promise<{ alerts_open: number; alerts_acknowledged: number; cases_open: number }> {
      const [row] = await db.query<{ alerts_open: number; alerts_acknowledged: number; cases_open: number }>(
        `SELECT (SELECT count(*)::int FROM alerts WHERE status = 'open') AS alerts_open,
                (SELECT count(*)::int FROM alerts WHERE status = 'acknowledged') AS alerts_acknowledged,
                (SELECT count(*)::int FROM cases WHERE status = 'open') AS cases_open`,
      );
      assert(row, 'counts row');
      return row;
    },

    /** A staff member takes an open alert: acknowledged, audited. */
    acknowledgeAlert(alert_id: string, by: string): Promise<StaffActionOutcome> {
      return db.transaction(async (tx) => {
        const outcome = await guarded(tx, 'alerts', alert_id,
          `UPDATE alerts SET status = 'acknowledged', status_changed_at = $2, status_changed_by = $3 WHERE id = $1 AND status = 'open' RETURNING id`,
          [clock.now(), by]);
        if (outcome === 'done') await audit.append(tx, { staff_id: by, action: 'alert.acknowledge', subject: alert_id });
        return outcome;
      });
    },

    /** A staff member closes an alert that needs nothing more (with why), audited. */
    closeAlert(alert_id: string, by: string, reason?: string): Promise<StaffActionOutcome> {
      return db.transaction(async (tx) => {
        const outcome = await guarded(tx, 'alerts', alert_id,
          `UPDATE alerts SET status = 'closed', status_changed_at = $2, status_changed_by = $3 WHERE id = $1 AND status <> 'closed' RETURNING id`,
          [clock.now(), by]);
        if (outcome === 'done') await audit.append(tx, { staff_id: by, action: 'alert.close', subject: alert_id, reason: reason || null });
        return outcome;
      });
    },

    /**
     * Opens a fraud review from an alert (acknowledging it), or returns the case it already belongs to.
     * Audited when a case is opened.
     */
    openCaseForAlert(alert_id: string, by: string): Promise<{ outcome: 'done'; case_id: string } | { outcome: 'not_found' | 'not_open' }> {
      return db.transaction(async (tx) => {
        if (!isUuid(alert_id)) return { outcome: 'not_found' as const };
        const [alert] = await tx.query<Alert>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1 FOR UPDATE`, [alert_id]);
        if (!alert) return { outcome: 'not_found' as const };
        if (alert.case_id) return { outcome: 'done' as const, case_id: alert.case_id };
        if (alert.status === 'closed') return { outcome: 'not_open' as const };
        const case_id = await openCase(tx, {
          kind: 'fraud_review', opened_by: `staff:${by}`,
          summary: alert.summary ?? `${alert.kind}${alert.reason_codes.length ? `: ${alert.reason_codes.join(', ')}` : ''}`,
          customer_id: alert.customer_id, link_id: alert.link_id, operator_id: alert.operator_id,
          charge_ids: alert.charge_id ? [alert.charge_id] : [], alert_ids: [alert.id],
        });
        await tx.query(
          `UPDATE alerts SET status = 'acknowledged', status_changed_at = $2, status_changed_by = $3 WHERE id = $1 AND status = 'open'`,
          [alert_id, clock.now(), by]);
        await audit.append(tx, { staff_id: by, action: 'case.open', subject: case_id, details: { alert_id } });
        return { outcome: 'done' as const, case_id };
      });
    },

    /** Assigns an open case to a staff member (often the one assigning), audited. */
    assign(case_id: string, assignee_staff_id: string, by: string): Promise<StaffActionOutcome> {
      return db.transaction(async (tx) => {
        const outcome = await guarded(tx, 'cases', case_id,
          `UPDATE cases SET assignee_staff_id = $2 WHERE id = $1 AND status = 'open' RETURNING id`, [assignee_staff_id]);
        if (outcome === 'done') await audit.append(tx, { staff_id: by, action: 'case.assign', subject: case_id, details: { assignee_staff_id } });
        return outcome;
      });
    },

    /**
     * Closes an alert inside the caller's transaction, for an action audited there (a credential alert resolved on the
     * security page closes its queued copy, which has its id). Nothing happens if it is closed or unknown.
     */
    async closeAlertIn(tx: Queryable, alert_id: string, by: string): Promise<void> {
      await tx.query(
        `UPDATE alerts SET status = 'closed', status_changed_at = $2, status_changed_by = $3 WHERE id = $1 AND status <> 'closed'`,
        [alert_id, clock.now(), by],
      );
    },

    /**
     * Restates an alert that counts what it groups (legacy PIN locks per operator and source) inside the caller's
     * transaction, so the queue shows one alert with the count rather than one per event. False when staff closed it
     * already: the caller raises a new one, so nothing after the close goes unseen.
     */
    async recountAlertIn(tx: Queryable, alert_id: string, restated: { summary: string; details: Record<string, unknown> }): Promise<boolean> {
      assert(restated.summary.length <= SUMMARY_CHARS_MAX, 'summary too long');
      const rows = await tx.query(
        `UPDATE alerts SET summary = $2, details = $3 WHERE id = $1 AND status <> 'closed' RETURNING id`,
        [alert_id, restated.summary, JSON.stringify(restated.details)],
      );
      return rows.length > 0;
    },

    /** Adds a note to a case, open or resolved (reviews come later), audited with the text. */
    addNote(case_id: string, text: string, by: string): Promise<StaffActionOutcome> {
      const trimmed = text.trim();
      assert(trimmed.length > 0 && trimmed.length <= CASE_NOTE_CHARS_MAX, `a note is 1 to ${CASE_NOTE_CHARS_MAX} characters (checked by the caller)`);
      return db.transaction(async (tx) => {
        if (!isUuid(case_id)) return 'not_found';
        const [exists] = await tx.query(`SELECT 1 FROM cases WHERE id = $1`, [case_id]);
        if (!exists) return 'not_found';
        const note_id = ids.next();
        await tx.query(`INSERT INTO case_notes (id, case_id, at, staff_id, text) VALUES ($1, $2, $3, $4, $5)`,
          [note_id, case_id, clock.now(), by, trimmed]);
        await audit.append(tx, { staff_id: by, action: 'case.note', subject: case_id, details: { note_id, text: trimmed } });
        return 'done';
      });
    },

    /**
     * Resolves an open case as fraud or legitimate and closes its alerts, audited with its reason (required: a decision
     * nobody can explain later cannot be reviewed). The case's link is settled in the same transaction: fraud revokes
     * it; legitimate lifts a customer's freeze.
     */
    resolve(case_id: string, resolution: CaseResolution, by: string, reason: string): Promise<StaffActionOutcome> {
      assert(resolution === 'fraud' || resolution === 'legitimate', `unknown resolution ${String(resolution)}`);
      assert(reason.trim().length > 0 && reason.trim().length <= CASE_RESOLVE_REASON_CHARS_MAX, `a case is resolved with a reason of 1 to ${CASE_RESOLVE_REASON_CHARS_MAX} characters (checked by the caller)`);
      return db.transaction(async (tx) => {
        const now = clock.now();
        const outcome = await guarded(tx, 'cases', case_id,
          `UPDATE cases SET status = 'resolved', resolution = $2, resolved_at = $3, resolved_by = $4 WHERE id = $1 AND status = 'open' RETURNING id`,
          [resolution, now, by]);
        if (outcome !== 'done') return outcome;
        const [resolved] = await tx.query<{ link_id: string | null }>(`SELECT link_id FROM cases WHERE id = $1`, [case_id]);
        const link_id = resolved?.link_id ?? null;
        const link = link_id ? { link_id, link: await settleCaseLink(tx, link_id, resolution, `staff:${by}`, now) } : {};
        const closed = await tx.query<{ id: string }>(
          `UPDATE alerts SET status = 'closed', status_changed_at = $2, status_changed_by = $3 WHERE case_id = $1 AND status <> 'closed' RETURNING id`,
          [case_id, now, by]);
        await audit.append(tx, {
          staff_id: by, action: 'case.resolve', subject: case_id, reason: reason.trim(),
          details: { resolution, alerts_closed: closed.map((row) => row.id), ...link },
        });
        return 'done';
      });
    },
  };
}

export type CaseStore = ReturnType<typeof createCaseStore>;
