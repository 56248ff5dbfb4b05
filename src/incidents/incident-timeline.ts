import type { Queryable } from '../storage/database.ts';
import { formatYen } from '../shared/yen.ts';
import { japanDate } from '../shared/japan-time.ts';
import type { Incident } from './incident.ts';
import { incidentCaseIdsSql } from './incident-cases.ts';

/** Timeline entries read at most: years of an incident's life, and still one page. */
export const TIMELINE_ENTRIES_MAX = 2_000;

/** What a timeline entry is about. */
export type TimelineKind = 'incident' | 'switch' | 'scan' | 'case' | 'compensation' | 'campaign' | 'report';

/** One thing that happened in the incident, as staff and the regulator read it. */
export interface TimelineEntry {
  at: Date;
  kind: TimelineKind;
  /** The audit action, or what the row records ('cases.opened', 'campaign.enqueued'…). */
  action: string;
  /** One line, Japanese then English. */
  summary: string;
  staff_id: string | null;
  reason: string | null;
}

interface AuditRow {
  at: Date;
  action: string;
  subject: string;
  staff_id: string;
  reason: string | null;
  details: Record<string, unknown>;
}

const STATUS_TEXT: Record<string, string> = { open: '対応中 open', contained: '封じ込め contained', remediated: '是正済み remediated', closed: '終結 closed' };
const SWITCH_TEXT: Record<string, string> = { new_links_suspended: '新規連携 new links', charges_suspended: 'チャージ charges' };

/** One line for an audit entry of the incident, its campaigns or its operators' switches. */
function auditSummary(row: AuditRow, operatorNames: Map<string, string>): string {
  const d = row.details;
  switch (row.action) {
    case 'incident.open': return `インシデント登録 Incident opened: ${String(d.title ?? '')}`;
    case 'incident.status': return `状態変更 Status: ${STATUS_TEXT[String(d.from)] ?? d.from} → ${STATUS_TEXT[String(d.to)] ?? d.to}`;
    case 'incident.owner': return '担当者変更 Owner changed';
    case 'incident.attach_cases': return `案件を追加 Cases attached: ${Array.isArray(d.case_ids) ? d.case_ids.length : 0}`;
    case 'incident.report': return `報告書作成 Report generated (${String(d.format ?? '')})`;
    case 'operator.switch': {
      const name = operatorNames.get(row.subject) ?? row.subject;
      return `${name}: ${SWITCH_TEXT[String(d.switch)] ?? d.switch} ${d.on ? '停止 suspended' : '再開 resumed'}`;
    }
    case 'scan.start': return `遡及スキャン開始 Retrospective scan started: ${String(d.from ?? '')} – ${String(d.to ?? '')}`;
    case 'scan.open_cases': return `スキャンから案件を起票 Cases opened from a scan: ${Array.isArray(d.case_ids) ? d.case_ids.length : 0}`;
    case 'campaign.create': return `通知キャンペーン開始 Campaign started: ${Number(d.customers ?? 0).toLocaleString('en-US')} customers`;
    case 'campaign.pause': return '通知キャンペーン一時停止 Campaign paused';
    case 'campaign.resume': return '通知キャンペーン再開 Campaign resumed';
    case 'campaign.cancel': return '通知キャンペーン中止 Campaign cancelled';
    default: return row.action;
  }
}

/**
 * The incident's timeline, oldest first, read from the records that already exist, never kept twice: the audit log
 * (the incident's own entries, its scans' and campaigns' steps, and kill-switch flips on its operators since its period
 * began), its cases and compensations (counted per Japan day, since a big incident has hundreds), and its scans' and
 * campaigns' progress.
 */
export async function readIncidentTimeline(db: Queryable, incident: Incident): Promise<TimelineEntry[]> {
  const since = new Date(`${incident.period_from}T00:00:00+09:00`);
  const operators = await db.query<{ id: string; display_name: string }>(
    `SELECT id, display_name FROM operators WHERE cardinality($1::uuid[]) = 0 OR id = ANY($1::uuid[])`, [incident.operator_ids]);
  const operatorNames = new Map(operators.map((row) => [row.id, row.display_name]));
  const campaigns = await db.query<{ id: string; enqueued_at: Date | null; enqueued_count: number; completed_at: Date | null; sent_count: number; uncertain_count: number }>(
    `SELECT id, enqueued_at, enqueued_count, completed_at, sent_count, uncertain_count FROM campaigns WHERE incident_id = $1`, [incident.id]);
  const scans = await db.query<{ id: string; status: string; finished_at: Date | null; suspect_links: number; suspect_charges: number; suspect_customers: number; suspect_yen: number }>(
    `SELECT id, status, finished_at, suspect_links, suspect_charges, suspect_customers, suspect_yen FROM scans WHERE incident_id = $1`, [incident.id]);
  const audit = await db.query<AuditRow>(
    `SELECT at, action, subject, staff_id, reason, details FROM audit_log WHERE subject = $1 OR subject = ANY($2::text[])
     UNION ALL
     SELECT at, action, subject, staff_id, reason, details FROM audit_log WHERE action = 'operator.switch' AND subject = ANY($3::text[]) AND at >= $4
     ORDER BY at LIMIT $5`,
    [incident.id, [...campaigns.map((c) => c.id), ...scans.map((scan) => scan.id)], operators.map((o) => o.id), since, TIMELINE_ENTRIES_MAX]);
  const cases = await db.query<{ opened_at: Date; resolved_at: Date | null; resolution: string | null }>(
    `SELECT opened_at, resolved_at, resolution FROM cases WHERE id IN (${incidentCaseIdsSql()})`, [incident.id]);
  const compensations = await db.query<{ proposed_at: Date; approved_at: Date | null; paid_at: Date | null; rejected_at: Date | null; amount_yen: number }>(
    `SELECT proposed_at, approved_at, paid_at, rejected_at, amount_yen FROM compensations WHERE incident_id = $1`, [incident.id]);

  const entries: TimelineEntry[] = audit.map((row) => ({
    at: row.at,
    kind: row.action.startsWith('operator.') ? 'switch' : row.action.startsWith('campaign.') ? 'campaign' : row.action.startsWith('scan.') ? 'scan'
      : row.action === 'incident.report' ? 'report' : 'incident',
    action: row.action, summary: auditSummary(row, operatorNames), staff_id: row.staff_id, reason: row.reason,
  }));
  for (const scan of scans) {
    if (!scan.finished_at) continue;
    entries.push({ at: scan.finished_at, kind: 'scan', action: `scan.${scan.status}`, staff_id: null, reason: null,
      summary: scan.status === 'done'
        ? `遡及スキャン完了 Scan done: ${scan.suspect_customers.toLocaleString('en-US')} customers, ${scan.suspect_links.toLocaleString('en-US')} links, ${scan.suspect_charges.toLocaleString('en-US')} charges (${formatYen(scan.suspect_yen)}) suspect`
        : '遡及スキャン失敗 Scan failed' });
  }
  for (const campaign of campaigns) {
    if (campaign.enqueued_at) {
      entries.push({ at: campaign.enqueued_at, kind: 'campaign', action: 'campaign.enqueued', staff_id: null, reason: null,
        summary: `通知を作成 Notices written: ${campaign.enqueued_count.toLocaleString('en-US')}` });
    }
    if (campaign.completed_at) {
      entries.push({ at: campaign.completed_at, kind: 'campaign', action: 'campaign.completed', staff_id: null, reason: null,
        summary: `通知キャンペーン完了 Campaign completed: ${campaign.sent_count.toLocaleString('en-US')} sent${campaign.uncertain_count ? `, ${campaign.uncertain_count} uncertain` : ''}` });
    }
  }
  entries.push(...perDay(cases.map((c) => c.opened_at), 'case', 'cases.opened', (n) => `案件 ${n} 件を起票 ${n} case(s) opened`));
  entries.push(...perDay(cases.filter((c) => c.resolution === 'fraud').map((c) => c.resolved_at!), 'case', 'cases.fraud', (n) => `不正と判断 ${n} case(s) confirmed as fraud`));
  entries.push(...perDay(cases.filter((c) => c.resolution === 'legitimate').map((c) => c.resolved_at!), 'case', 'cases.legitimate', (n) => `正当と判断 ${n} case(s) found legitimate`));
  for (const [event, pick, label] of [
    ['compensations.proposed', (c: typeof compensations[number]) => c.proposed_at, '補償を起案 proposed'],
    ['compensations.approved', (c: typeof compensations[number]) => c.approved_at, '補償を承認 approved'],
    ['compensations.paid', (c: typeof compensations[number]) => c.paid_at, '補償を支払 paid'],
    ['compensations.rejected', (c: typeof compensations[number]) => c.rejected_at, '補償を却下 rejected'],
  ] as const) {
    const days = new Map<string, { at: Date; n: number; yen: number }>();
    for (const compensation of compensations) {
      const at = pick(compensation);
      if (!at) continue;
      const day = days.get(japanDate(at)) ?? { at, n: 0, yen: 0 };
      days.set(japanDate(at), { at: at < day.at ? at : day.at, n: day.n + 1, yen: day.yen + compensation.amount_yen });
    }
    for (const { at, n, yen } of days.values()) {
      entries.push({ at, kind: 'compensation', action: event, staff_id: null, reason: null, summary: `${label}: ${n} · ${formatYen(yen)}` });
    }
  }
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, TIMELINE_ENTRIES_MAX);
}

/** One entry per Japan day for a set of times: the day's first time, with how many. */
function perDay(times: Date[], kind: TimelineKind, action: string, summary: (n: number) => string): TimelineEntry[] {
  const days = new Map<string, { at: Date; n: number }>();
  for (const at of times) {
    const day = days.get(japanDate(at)) ?? { at, n: 0 };
    days.set(japanDate(at), { at: at < day.at ? at : day.at, n: day.n + 1 });
  }
  return [...days.values()].map(({ at, n }) => ({ at, kind, action, summary: summary(n), staff_id: null, reason: null }));
}
