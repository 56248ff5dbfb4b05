import type { BankServices } from '../bank-services.ts';
import type { Incident } from '../incidents/incident.ts';
import { createScanReader } from '../scan/scan-read-api.ts';
import { formatYen } from '../shared/yen.ts';
import { jst } from '../shared/japan-time.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { html, type SafeHtml } from './html.ts';
import { csrfField, type StaffContext } from './staff-gate.ts';

/** Suspect links of each scan the incident page lists with a way to propose compensation: the scan's page has them all. */
const SCAN_SUSPECTS_SHOWN = 10;

/**
 * The incident page's scans: each retrospective scan filed under the incident with its progress and findings (the
 * scan's own page opens cases in bulk), its highest-scoring suspect links with a way to propose compensation from the
 * scan result, and a form that starts a scan of the incident's period and operator.
 */
export async function scanSection(services: BankServices, context: StaffContext, incident: Incident): Promise<{ html: SafeHtml; live: boolean }> {
  const reader = createScanReader(services.db);
  const scans = await reader.listScans({ incident_id: incident.id });
  const suspects = await Promise.all(scans.map((scan) => (scan.status === 'done' ? reader.suspects(scan.id, 'links', { limit: SCAN_SUSPECTS_SHOWN }) : undefined)));
  const analyst = roleAllows(context.staff.role, 'analyst');
  const single_operator = incident.operator_ids.length === 1 ? incident.operator_ids[0]! : '';
  const start = analyst && incident.status !== 'closed' ? html`<form method="post" action="/staff/scans" class="actions" id="incident-scan">${csrfField(context)}
<input type="hidden" name="incident" value="${incident.id}"><input type="hidden" name="operator" value="${single_operator}">
<label for="scan-from">期間 From</label><input id="scan-from" name="from" type="date" value="${incident.period_from}" required class="narrow">
<label for="scan-to">To</label><input id="scan-to" name="to" type="date" value="${incident.period_to}" required class="narrow">
<button type="submit" class="secondary" data-action="start-scan">遡及スキャンを開始 Start a retrospective scan</button></form>` : '';
  const body = html`<h2 id="scans">遡及スキャン Retrospective scans</h2>
${scans.length === 0 ? html`<p class="muted">なし None</p>` : html`<table class="wide" id="incident-scans"><thead><tr><th>開始 Started (JST)</th><th>期間 Window</th><th>状態 Status</th><th>結果 Found</th></tr></thead><tbody>
${scans.map((scan, index) => html`<tr data-scan="${scan.id}" data-status="${scan.status}"><td class="nowrap"><a href="/staff/scans/${scan.id}">${jst(scan.started_at)}</a></td><td>${scan.from_date} – ${scan.to_date}</td>
<td>${scan.status === 'running' ? html`<progress max="${Math.max(1, scan.chunks_total)}" value="${scan.chunks_done}"></progress> ${scan.chunks_done}/${scan.chunks_total}` : scan.status}</td>
<td>${scan.suspect_customers.toLocaleString('en-US')} customers · ${scan.suspect_links.toLocaleString('en-US')} links · ${scan.suspect_charges.toLocaleString('en-US')} charges · ${formatYen(scan.suspect_yen)}
${suspects[index] && suspects[index].rows.length > 0 && analyst && incident.status !== 'closed' ? html`<details><summary>上位の疑わしい連携 Top suspect links</summary><table><tbody>
${suspects[index].rows.map((row) => html`<tr data-suspect-link="${row.link_id}"><td>${row.score}</td><td>${row.customer_name}</td><td>${row.operator_name}</td><td class="yen">${formatYen(row.charged_yen ?? 0)}</td>
<td>${row.case_id ? html`<a href="/staff/cases/${row.case_id}">case</a>` : ''} <a href="/staff/incidents/${incident.id}/compensations/new?scan_id=${scan.id}&link_id=${row.link_id}" data-action="propose-from-scan">補償を起案 Propose</a></td></tr>`)}
</tbody></table></details>` : ''}</td></tr>`)}</tbody></table>`}
${start}`;
  return { html: body, live: scans.some((scan) => scan.status === 'running') };
}
