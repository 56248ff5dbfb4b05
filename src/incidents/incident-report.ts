import type { Queryable } from '../storage/database.ts';
import { japanDate } from '../shared/japan-time.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { INCIDENT_COLUMNS, type Incident } from './incident.ts';
import { incidentCaseIdsSql } from './incident-cases.ts';
import { readIncidentTimeline } from './incident-timeline.ts';
import { readRiskConfigHistory } from './risk-config-history.ts';

/** Open items listed by name in a report: enough for a regulator to see what remains; the count says the rest. */
export const REPORT_OPEN_ITEMS_LISTED_MAX = 100;

/** Cases, victims and yen for one group of fraudulent charges. */
export interface ReportBreakdown {
  key: string;
  label: string;
  /** Cases (confirmed as fraud) holding at least one of the group's charges. */
  cases: number;
  victims: number;
  charges: number;
  lost_yen: number;
  refunded_yen: number;
  compensated_yen: number;
  /** lost − refunded − compensated: what the customers are still out of pocket. */
  outstanding_yen: number;
}

/** One measure the bank took, with its time. */
export interface ReportMeasure {
  at: string;
  kind: 'incident' | 'switch' | 'scan' | 'risk_config' | 'compensation' | 'campaign' | 'report';
  description: string;
  staff: string | null;
  reason: string | null;
}

/** Something still to do. */
export interface ReportOpenItem {
  kind: 'incident' | 'case' | 'compensation' | 'campaign';
  id: string;
  description: string;
}

/** Everything the regulator's report says, as data: the HTML, CSV and JSON forms all render this. */
export interface IncidentReport {
  generated_at: string;
  incident: {
    id: string; title: string; status: Incident['status']; period_from: string; period_to: string;
    operators: { id: string; name: string; passbook_label: string }[];
    owner: string; opened_at: string; status_changed_at: string; closed_at: string | null;
  };
  totals: Omit<ReportBreakdown, 'key' | 'label'> & { cases_total: number; cases_open: number; cases_legitimate: number };
  by_operator: ReportBreakdown[];
  by_link_method: ReportBreakdown[];
  by_month: ReportBreakdown[];
  /** Per month and operator, for the losses chart. */
  by_month_and_operator: (ReportBreakdown & { month: string; operator: string })[];
  compensation: {
    by_status: { status: string; count: number; amount_yen: number; operator_yen: number; bank_yen: number }[];
    by_operator: { operator: string; proposed_yen: number; approved_yen: number; paid_yen: number; rejected_yen: number; count: number }[];
  };
  campaigns: { id: string; segment: string; status: string; created_at: string; enqueued: number; sent: number; failed: number; uncertain: number; cancelled: number; completed_at: string | null }[];
  measures: ReportMeasure[];
  open_items: ReportOpenItem[];
  open_items_total: number;
}

interface FraudChargeRow {
  id: string;
  operator_id: string;
  method: string;
  created_at: Date;
  customer_id: string;
  amount_yen: number;
  refunded_yen: number;
  compensated_yen: number;
  case_ids: string[] | null;
}

const METHOD_LABELS: Record<string, string> = { legacy_pin: '口座番号・暗証番号 (2020 path)', fapi2: 'FAPI 2.0 consent with MFA' };
const SEGMENT_LABELS: Record<string, string> = { operator: 'linked to an operator', legacy_pin: 'legacy-PIN links', scan: 'found by a scan' };

/** Groups fraudulent charges by a key and sums them. */
function breakdown(rows: FraudChargeRow[], keyOf: (row: FraudChargeRow) => string, labelOf: (key: string) => string): ReportBreakdown[] {
  const groups = new Map<string, FraudChargeRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, group]) => summarise(key, labelOf(key), group));
}

function summarise(key: string, label: string, group: FraudChargeRow[]): ReportBreakdown {
  const lost_yen = group.reduce((sum, row) => sum + row.amount_yen, 0);
  const refunded_yen = group.reduce((sum, row) => sum + row.refunded_yen, 0);
  const compensated_yen = group.reduce((sum, row) => sum + row.compensated_yen, 0);
  return {
    key, label, cases: new Set(group.flatMap((row) => row.case_ids ?? [])).size, victims: new Set(group.map((row) => row.customer_id)).size,
    charges: group.length, lost_yen, refunded_yen, compensated_yen, outstanding_yen: Math.max(0, lost_yen - refunded_yen - compensated_yen),
  };
}

/**
 * Assembles the regulator's report on an incident: its fraudulent charges (those of its cases confirmed as fraud,
 * and those in its approved or paid compensations) by operator, link method and Japan month, with cases, victims
 * and yen lost, refunded and compensated; compensation and campaign progress; the measures taken with their times
 * (its timeline and the risk-rule configurations in force); and what is still open. Unknown incident: incident_not_found.
 */
export async function buildIncidentReport(db: Queryable, incident_id: string, now: Date): Promise<IncidentReport> {
  const [incident] = isUuid(incident_id) ? await db.query<Incident>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [incident_id]) : [];
  if (!incident) throw new FurikaeError('incident_not_found', `No incident ${incident_id}`);
  const staff = new Map((await db.query<{ id: string; display_name: string }>(`SELECT id, display_name FROM staff_users`)).map((row) => [row.id, row.display_name]));
  const operators = await db.query<{ id: string; display_name: string; passbook_label: string }>(`SELECT id, display_name, passbook_label FROM operators ORDER BY created_at, id`);
  const operatorName = new Map(operators.map((row) => [row.id, row.display_name]));

  const charges = await db.query<FraudChargeRow>(
    `WITH incident_cases AS (SELECT id, status, resolution, charge_ids FROM cases WHERE id IN (${incidentCaseIdsSql()})),
     case_charges AS (SELECT id AS case_id, unnest(charge_ids) AS charge_id FROM incident_cases WHERE status = 'resolved' AND resolution = 'fraud'),
     compensation_lines AS (
       SELECT l.charge_id, l.amount_yen, c.status FROM compensation_charges l JOIN compensations c ON c.id = l.compensation_id
        WHERE c.incident_id = $1 AND l.live),
     fraud AS (SELECT charge_id FROM case_charges UNION SELECT charge_id FROM compensation_lines WHERE status IN ('approved', 'paid'))
     SELECT ch.id, ch.operator_id, l.method, ch.created_at, a.customer_id, ch.amount_yen, ch.refunded_yen,
            coalesce((SELECT sum(amount_yen) FROM compensation_lines x WHERE x.charge_id = ch.id AND x.status = 'paid'), 0)::bigint AS compensated_yen,
            (SELECT array_agg(case_id ORDER BY case_id) FROM case_charges x WHERE x.charge_id = ch.id) AS case_ids
       FROM fraud f JOIN charges ch ON ch.id = f.charge_id JOIN links l ON l.id = ch.link_id JOIN bank_accounts a ON a.id = ch.account_id
      WHERE ch.status = 'succeeded'
      ORDER BY ch.created_at, ch.id`, [incident.id]);
  const [caseCounts] = await db.query<{ total: number; open: number; fraud: number; legitimate: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'open')::int AS open,
            count(*) FILTER (WHERE resolution = 'fraud')::int AS fraud, count(*) FILTER (WHERE resolution = 'legitimate')::int AS legitimate
       FROM cases WHERE id IN (${incidentCaseIdsSql()})`, [incident.id]);
  const month = (row: FraudChargeRow) => japanDate(row.created_at).slice(0, 7);
  const total = summarise('total', 'total', charges);

  const compensations = await db.query<{ operator_id: string; status: string; count: number; amount_yen: number; operator_yen: number; bank_yen: number }>(
    `SELECT operator_id, status, count(*)::int AS count, sum(amount_yen)::bigint AS amount_yen, sum(operator_yen)::bigint AS operator_yen, sum(bank_yen)::bigint AS bank_yen
       FROM compensations WHERE incident_id = $1 GROUP BY operator_id, status ORDER BY operator_id, status`, [incident.id]);
  const campaigns = await db.query<{ id: string; segment_kind: string; status: string; created_at: Date; enqueued_count: number; sent_count: number; failed_count: number;
    uncertain_count: number; cancelled_count: number; completed_at: Date | null }>(
    `SELECT id, segment_kind, status, created_at, enqueued_count, sent_count, failed_count, uncertain_count, cancelled_count, completed_at
       FROM campaigns WHERE incident_id = $1 ORDER BY created_at, id`, [incident.id]);

  const timeline = await readIncidentTimeline(db, incident);
  const configs = await readRiskConfigHistory(db, new Date(`${incident.period_from}T00:00:00+09:00`));
  const measures: ReportMeasure[] = [
    ...timeline.filter((entry) => entry.kind !== 'case').map((entry) => ({
      at: entry.at.toISOString(), kind: entry.kind as ReportMeasure['kind'], description: entry.summary,
      staff: entry.staff_id ? staff.get(entry.staff_id) ?? entry.staff_id : null, reason: entry.reason,
    })),
    ...configs.map((config) => ({
      at: config.first_decided_at.toISOString(), kind: 'risk_config' as const, staff: null, reason: null,
      description: `リスクルール設定 Risk rules ${config.config_id} in force (${config.decisions.toLocaleString('en-US')} decisions until ${japanDate(config.last_decided_at)})`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));

  const openCases = await db.query<{ id: string; summary: string }>(
    `SELECT id, summary FROM cases WHERE status = 'open' AND id IN (${incidentCaseIdsSql()}) ORDER BY opened_at, id LIMIT $2`, [incident.id, REPORT_OPEN_ITEMS_LISTED_MAX]);
  const unpaid = await db.query<{ id: string; status: string; amount_yen: number; payment_error: string | null; operator_id: string }>(
    `SELECT id, status, amount_yen, payment_error, operator_id FROM compensations WHERE incident_id = $1 AND status IN ('proposed', 'approved')
      ORDER BY proposed_at, id LIMIT $2`, [incident.id, REPORT_OPEN_ITEMS_LISTED_MAX]);
  const open_items: ReportOpenItem[] = [
    ...(incident.status !== 'closed' ? [{ kind: 'incident' as const, id: incident.id, description: `インシデントは${incident.status}のまま Incident is still ${incident.status}` }] : []),
    ...openCases.map((row) => ({ kind: 'case' as const, id: row.id, description: `未決の案件 Open case: ${row.summary}` })),
    ...unpaid.map((row) => ({
      kind: 'compensation' as const, id: row.id,
      description: `${row.status === 'proposed' ? '承認待ちの補償 Compensation awaiting approval' : '支払待ちの補償 Compensation approved, not yet paid'}: ¥${row.amount_yen.toLocaleString('en-US')} (${operatorName.get(row.operator_id) ?? row.operator_id})${row.payment_error ? ` — ${row.payment_error}` : ''}`,
    })),
    ...campaigns.filter((c) => ['enqueuing', 'running', 'paused'].includes(c.status) || c.uncertain_count > 0).map((c) => ({
      kind: 'campaign' as const, id: c.id,
      description: ['enqueuing', 'running', 'paused'].includes(c.status)
        ? `未完了の通知 Campaign ${c.status}: ${(c.sent_count).toLocaleString('en-US')} of ${c.enqueued_count.toLocaleString('en-US')} sent`
        : `配信不明の通知 ${c.uncertain_count} notice(s) uncertain: check them with the mail relay`,
    })),
  ];
  const [openTotals] = await db.query<{ cases: number; compensations: number }>(
    `SELECT (SELECT count(*)::int FROM cases WHERE status = 'open' AND id IN (${incidentCaseIdsSql()})) AS cases,
            (SELECT count(*)::int FROM compensations WHERE incident_id = $1 AND status IN ('proposed', 'approved')) AS compensations`, [incident.id]);

  return {
    generated_at: now.toISOString(),
    incident: {
      id: incident.id, title: incident.title, status: incident.status, period_from: incident.period_from, period_to: incident.period_to,
      operators: operators.filter((o) => incident.operator_ids.length === 0 || incident.operator_ids.includes(o.id))
        .map((o) => ({ id: o.id, name: o.display_name, passbook_label: o.passbook_label })),
      owner: staff.get(incident.owner_staff_id) ?? incident.owner_staff_id, opened_at: incident.opened_at.toISOString(),
      status_changed_at: incident.status_changed_at.toISOString(), closed_at: incident.closed_at?.toISOString() ?? null,
    },
    totals: {
      ...total, cases: caseCounts?.fraud ?? 0, cases_total: caseCounts?.total ?? 0, cases_open: caseCounts?.open ?? 0, cases_legitimate: caseCounts?.legitimate ?? 0,
    },
    by_operator: breakdown(charges, (row) => row.operator_id, (key) => operatorName.get(key) ?? key),
    by_link_method: breakdown(charges, (row) => row.method, (key) => METHOD_LABELS[key] ?? key),
    by_month: breakdown(charges, month, (key) => key),
    by_month_and_operator: breakdown(charges, (row) => `${month(row)}|${row.operator_id}`, (key) => key).map((row) => {
      const [m = '', operator_id = ''] = row.key.split('|');
      return { ...row, month: m, operator: operatorName.get(operator_id) ?? operator_id };
    }),
    compensation: {
      by_status: ['proposed', 'approved', 'paid', 'rejected'].map((status) => {
        const rows = compensations.filter((row) => row.status === status);
        return { status, count: rows.reduce((s, r) => s + r.count, 0), amount_yen: rows.reduce((s, r) => s + r.amount_yen, 0),
          operator_yen: rows.reduce((s, r) => s + r.operator_yen, 0), bank_yen: rows.reduce((s, r) => s + r.bank_yen, 0) };
      }),
      by_operator: [...new Set(compensations.map((row) => row.operator_id))].map((operator_id) => {
        const rows = compensations.filter((row) => row.operator_id === operator_id);
        const yen = (status: string) => rows.filter((row) => row.status === status).reduce((s, r) => s + r.amount_yen, 0);
        return { operator: operatorName.get(operator_id) ?? operator_id, proposed_yen: yen('proposed'), approved_yen: yen('approved'), paid_yen: yen('paid'),
          rejected_yen: yen('rejected'), count: rows.reduce((s, r) => s + r.count, 0) };
      }),
    },
    campaigns: campaigns.map((c) => ({
      id: c.id, segment: SEGMENT_LABELS[c.segment_kind] ?? c.segment_kind, status: c.status, created_at: c.created_at.toISOString(), enqueued: c.enqueued_count,
      sent: c.sent_count, failed: c.failed_count, uncertain: c.uncertain_count, cancelled: c.cancelled_count, completed_at: c.completed_at?.toISOString() ?? null,
    })),
    measures,
    open_items,
    open_items_total: (incident.status !== 'closed' ? 1 : 0) + (openTotals?.cases ?? 0) + (openTotals?.compensations ?? 0)
      + open_items.filter((item) => item.kind === 'campaign').length,
  };
}
