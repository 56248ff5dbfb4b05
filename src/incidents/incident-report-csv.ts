import type { IncidentReport, ReportBreakdown } from './incident-report.ts';

/**
 * A cell as RFC 4180 writes it (quoted when it holds a comma, quote or line break), and defused against formula
 * injection: text a staff member typed (a title, a reason) that starts with = + - @ or a tab is prefixed with an
 * apostrophe, so a spreadsheet shows it instead of running it. Numbers are written as they are.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

const line = (cells: (string | number | null)[]) => cells.map(csvCell).join(',');
const BREAKDOWN_HEADER = ['key', 'label', 'cases', 'victims', 'charges', 'lost_yen', 'refunded_yen', 'compensated_yen', 'outstanding_yen'];
const breakdownRow = (row: ReportBreakdown) => line([row.key, row.label, row.cases, row.victims, row.charges, row.lost_yen, row.refunded_yen, row.compensated_yen, row.outstanding_yen]);

/**
 * The report as one CSV file of sections, each a `# name` line, a header and its rows, with a blank line between:
 * how a regulator's spreadsheet takes several tables at once. UTF-8 with a byte-order mark, so Excel reads the
 * Japanese names correctly; CRLF line ends, as RFC 4180 has them.
 */
export function renderIncidentReportCsv(report: IncidentReport): string {
  const { incident, totals } = report;
  const sections: string[][] = [
    ['# incident', line(['id', 'title', 'status', 'period_from', 'period_to', 'operators', 'owner', 'opened_at', 'closed_at', 'generated_at']),
      line([incident.id, incident.title, incident.status, incident.period_from, incident.period_to, incident.operators.map((o) => o.name).join(' / '),
        incident.owner, incident.opened_at, incident.closed_at, report.generated_at])],
    ['# totals', line(['cases_total', 'cases_confirmed_fraud', 'cases_legitimate', 'cases_open', 'victims', 'charges', 'lost_yen', 'refunded_yen', 'compensated_yen', 'outstanding_yen']),
      line([totals.cases_total, totals.cases, totals.cases_legitimate, totals.cases_open, totals.victims, totals.charges, totals.lost_yen, totals.refunded_yen, totals.compensated_yen, totals.outstanding_yen])],
    ['# by_operator', line(BREAKDOWN_HEADER), ...report.by_operator.map(breakdownRow)],
    ['# by_link_method', line(BREAKDOWN_HEADER), ...report.by_link_method.map(breakdownRow)],
    ['# by_month', line(BREAKDOWN_HEADER), ...report.by_month.map(breakdownRow)],
    ['# by_month_and_operator', line(['month', 'operator', ...BREAKDOWN_HEADER.slice(2)]),
      ...report.by_month_and_operator.map((row) => line([row.month, row.operator, row.cases, row.victims, row.charges, row.lost_yen, row.refunded_yen, row.compensated_yen, row.outstanding_yen]))],
    ['# compensation_by_status', line(['status', 'count', 'amount_yen', 'operator_yen', 'bank_yen']),
      ...report.compensation.by_status.map((row) => line([row.status, row.count, row.amount_yen, row.operator_yen, row.bank_yen]))],
    ['# campaigns', line(['id', 'segment', 'status', 'created_at', 'enqueued', 'sent', 'failed', 'uncertain', 'cancelled', 'completed_at']),
      ...report.campaigns.map((c) => line([c.id, c.segment, c.status, c.created_at, c.enqueued, c.sent, c.failed, c.uncertain, c.cancelled, c.completed_at]))],
    ['# measures', line(['at', 'kind', 'description', 'staff', 'reason']),
      ...report.measures.map((m) => line([m.at, m.kind, m.description, m.staff, m.reason]))],
    ['# open_items', line(['kind', 'id', 'description']), ...report.open_items.map((item) => line([item.kind, item.id, item.description]))],
  ];
  return `\uFEFF${sections.map((section) => section.join('\r\n')).join('\r\n\r\n')}\r\n`;
}
