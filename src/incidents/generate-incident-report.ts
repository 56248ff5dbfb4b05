import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { assert } from '../shared/assert.ts';
import { buildIncidentReport } from './incident-report.ts';
import { renderIncidentReportCsv } from './incident-report-csv.ts';
import { renderIncidentReportHtml } from './incident-report-html.ts';
import { renderReportCharts } from './incident-report-charts.ts';

/** The forms a report comes in. */
export const REPORT_FORMATS = ['html', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A report ready to save or download. */
export interface ReportFile {
  filename: string;
  content_type: string;
  body: string;
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * Builds the regulator's report on an incident in one form and records who generated it (an `incident.report` entry
 * in the audit log, which the incident's timeline shows). Unknown incident: incident_not_found, nothing recorded.
 */
export async function generateIncidentReport({ db, clock, audit }: { db: Database; clock: Clock; audit: AuditLog }, incident_id: string, format: ReportFormat, by: string): Promise<ReportFile> {
  assert((REPORT_FORMATS as readonly string[]).includes(format), `unknown report format ${String(format)}`);
  const report = await buildIncidentReport(db, incident_id, clock.now());
  const body = format === 'json' ? `${JSON.stringify(report, null, 2)}\n`
    : format === 'csv' ? renderIncidentReportCsv(report)
    : renderIncidentReportHtml(report, await renderReportCharts(report));
  await audit.record({ staff_id: by, action: 'incident.report', subject: report.incident.id, details: { format, generated_at: report.generated_at } });
  const stamp = report.generated_at.slice(0, 10);
  return { filename: `incident-${report.incident.id}-${stamp}.${format}`, content_type: CONTENT_TYPES[format], body };
}
