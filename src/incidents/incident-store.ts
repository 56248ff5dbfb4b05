import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { assert } from '../shared/assert.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { requireStaffRole } from '../staff/require-role.ts';
import { INCIDENT_COLUMNS, INCIDENT_STATUSES, nextIncidentStatus, type Incident, type IncidentStatus, type NewIncident } from './incident.ts';
import { checkIncidentPeriod, checkOperatorsExist, INCIDENT_TITLE_CHARS_MAX } from './incident-scope.ts';
import { readOpenItems, type OpenItems } from './open-items.ts';
import { readIncidentTimeline, type TimelineEntry } from './incident-timeline.ts';
import { generateIncidentReport, type ReportFile, type ReportFormat } from './generate-incident-report.ts';

/** Incidents one listing returns: a bank has a handful a year; this is years of them. */
export const INCIDENTS_LISTED_MAX = 200;

/** Throws incident_not_found unless the incident exists; locks its row for the caller's transaction. */
export async function lockIncident(tx: Queryable, incident_id: string): Promise<Incident> {
  if (!isUuid(incident_id)) throw new FurikaeError('incident_not_found', `No incident ${incident_id}`);
  const [found] = await tx.query<Incident>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1 FOR UPDATE`, [incident_id]);
  if (!found) throw new FurikaeError('incident_not_found', `No incident ${incident_id}`);
  return found;
}

/** As lockIncident, and refuses with incident_closed once the incident is closed: it takes nothing new. */
export async function lockOpenIncident(tx: Queryable, incident_id: string): Promise<Incident> {
  const incident = await lockIncident(tx, incident_id);
  if (incident.status === 'closed') throw new FurikaeError('incident_closed', `Incident ${incident_id} is closed`);
  return incident;
}

/**
 * Incidents: opening one, moving it through its stages, its owner and the cases attached to it. Every change
 * appends to the audit log in its own transaction, with the incident's id as the subject, so the incident's own
 * history is one index range of the chain.
 */
export function createIncidentStore({ db, clock, ids, audit }: { db: Database; clock: Clock; ids: Ids; audit: AuditLog }) {
  return {
    /** Opens an incident (status open), audited: an analyst or admin. */
    async open(input: NewIncident, by: string): Promise<Incident> {
      const title = input.title.trim();
      if (title.length === 0 || title.length > INCIDENT_TITLE_CHARS_MAX) {
        throw new FurikaeError('validation_failed', `A title is 1 to ${INCIDENT_TITLE_CHARS_MAX} characters`);
      }
      const now = clock.now();
      checkIncidentPeriod(input.period_from, input.period_to, now);
      const operator_ids = [...new Set(input.operator_ids)];
      return db.transaction(async (tx) => {
        await requireStaffRole(tx, by, 'analyst');
        await checkOperatorsExist(tx, operator_ids);
        const owner = input.owner_staff_id ?? by;
        if (!isUuid(owner) || (await tx.query(`SELECT 1 FROM staff_users WHERE id = $1`, [owner])).length === 0) {
          throw new FurikaeError('validation_failed', `No staff member ${owner} to own the incident`);
        }
        const [incident] = await tx.query<Incident>(
          `INSERT INTO incidents (id, title, operator_ids, period_from, period_to, status, owner_staff_id, opened_at, opened_by, status_changed_at)
           VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $7) RETURNING ${INCIDENT_COLUMNS}`,
          [ids.next(), title, operator_ids, input.period_from, input.period_to, owner, now, by],
        );
        assert(incident, 'incident inserted');
        await audit.append(tx, {
          staff_id: by, action: 'incident.open', subject: incident.id,
          details: { title, operator_ids, period_from: input.period_from, period_to: input.period_to, owner_staff_id: owner },
        });
        return incident;
      });
    },

    async get(incident_id: string): Promise<Incident | undefined> {
      if (!isUuid(incident_id)) return undefined;
      const [found] = await db.query<Incident>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [incident_id]);
      return found;
    },

    /** Incidents, those not closed first, then newest first. */
    async list(filter: { status?: IncidentStatus } = {}): Promise<Incident[]> {
      return db.query<Incident>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE ($1::text IS NULL OR status = $1)
          ORDER BY status = 'closed', opened_at DESC, id DESC LIMIT $2`,
        [filter.status ?? null, INCIDENTS_LISTED_MAX],
      );
    },

    /**
     * An admin moves an incident to the next stage, audited with an optional reason. Skipping a stage or going back is
     * incident_status_invalid; closing with open items is incident_has_open_items, listing them.
     */
    async advance(incident_id: string, to: IncidentStatus, by: string, reason?: string): Promise<Incident> {
      assert((INCIDENT_STATUSES as readonly string[]).includes(to), `unknown incident status ${String(to)}`);
      return db.transaction(async (tx) => {
        await requireStaffRole(tx, by, 'admin');
        const incident = await lockIncident(tx, incident_id);
        if (nextIncidentStatus(incident.status) !== to) {
          throw new FurikaeError('incident_status_invalid', `Incident is ${incident.status}; it can move to ${nextIncidentStatus(incident.status) ?? 'nothing'} only`,
            { status: incident.status });
        }
        if (to === 'closed') {
          const open = await readOpenItems(tx, incident_id);
          if (open.total > 0) throw new FurikaeError('incident_has_open_items', describeOpenItems(open), { open_items: open });
        }
        const now = clock.now();
        const [moved] = await tx.query<Incident>(
          `UPDATE incidents SET status = $2, status_changed_at = $3, closed_at = CASE WHEN $2 = 'closed' THEN $3::timestamptz END
            WHERE id = $1 RETURNING ${INCIDENT_COLUMNS}`,
          [incident_id, to, now],
        );
        assert(moved, 'incident moved');
        await audit.append(tx, { staff_id: by, action: 'incident.status', subject: incident_id, reason: reason || null, details: { from: incident.status, to } });
        return moved;
      });
    },

    /** Hands the incident to another staff member, audited. */
    async assignOwner(incident_id: string, owner_staff_id: string, by: string): Promise<Incident> {
      return db.transaction(async (tx) => {
        await requireStaffRole(tx, by, 'analyst');
        const incident = await lockIncident(tx, incident_id);
        if (!isUuid(owner_staff_id) || (await tx.query(`SELECT 1 FROM staff_users WHERE id = $1`, [owner_staff_id])).length === 0) {
          throw new FurikaeError('validation_failed', `No staff member ${owner_staff_id}`);
        }
        const [moved] = await tx.query<Incident>(`UPDATE incidents SET owner_staff_id = $2 WHERE id = $1 RETURNING ${INCIDENT_COLUMNS}`, [incident_id, owner_staff_id]);
        assert(moved, 'incident owner set');
        await audit.append(tx, { staff_id: by, action: 'incident.owner', subject: incident_id, details: { from: incident.owner_staff_id, to: owner_staff_id } });
        return moved;
      });
    },

    /** Attaches cases to an open incident, audited once with the ids newly attached; cases attached before are skipped. */
    async attachCases(incident_id: string, case_ids: readonly string[], by: string): Promise<string[]> {
      return db.transaction(async (tx) => {
        await requireStaffRole(tx, by, 'analyst');
        await lockOpenIncident(tx, incident_id);
        const unique = [...new Set(case_ids)];
        const malformed = unique.find((id) => !isUuid(id));
        if (malformed !== undefined) throw new FurikaeError('case_not_found', `No case ${malformed}`);
        const found = new Set((await tx.query<{ id: string }>(`SELECT id FROM cases WHERE id = ANY($1::uuid[])`, [unique])).map((row) => row.id));
        const missing = unique.find((id) => !found.has(id));
        if (missing !== undefined) throw new FurikaeError('case_not_found', `No case ${missing}`);
        const attached = await tx.query<{ case_id: string }>(
          `INSERT INTO incident_cases (incident_id, case_id, attached_at, attached_by)
           SELECT $1, id, $3, $4 FROM unnest($2::uuid[]) AS id ON CONFLICT DO NOTHING RETURNING case_id`,
          [incident_id, unique, clock.now(), by],
        );
        const newly = attached.map((row) => row.case_id);
        if (newly.length > 0) await audit.append(tx, { staff_id: by, action: 'incident.attach_cases', subject: incident_id, details: { case_ids: newly } });
        return newly;
      });
    },

    /** What keeps the incident from closing. */
    openItems: (incident_id: string): Promise<OpenItems> => readOpenItems(db, incident_id),

    /** The incident's timeline, oldest first, read from the records it is made of. */
    timeline: (incident: Incident): Promise<TimelineEntry[]> => readIncidentTimeline(db, incident),

    /** The regulator's report in one form, audited as generated by `by`. */
    report: (incident_id: string, format: ReportFormat, by: string): Promise<ReportFile> => generateIncidentReport({ db, clock, audit }, incident_id, format, by),
  };
}

/** One sentence listing what is still open. */
export function describeOpenItems(open: OpenItems): string {
  const parts = [
    open.cases_open > 0 ? `${open.cases_open} open case(s)` : '',
    open.compensations_unpaid > 0 ? `${open.compensations_unpaid} compensation(s) not yet paid` : '',
    open.campaigns_unfinished > 0 ? `${open.campaigns_unfinished} campaign(s) not finished` : '',
  ].filter(Boolean);
  return `Still open: ${parts.join(', ')}`;
}

export type IncidentStore = ReturnType<typeof createIncidentStore>;
