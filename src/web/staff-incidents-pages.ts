import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { Incident, IncidentStatus } from '../incidents/incident.ts';
import { nextIncidentStatus } from '../incidents/incident.ts';
import { INCIDENT_TITLE_CHARS_MAX } from '../incidents/incident-scope.ts';
import { incidentCaseIdsSql } from '../incidents/incident-cases.ts';
import { REPORT_FORMATS, type ReportFormat } from '../incidents/generate-incident-report.ts';
import { REPORT_CSS } from '../incidents/incident-report-html.ts';
import { allowDocumentStyle } from '../http/security-headers.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { CASE_COLUMNS, type Case } from '../cases/case.ts';
import { japanDate, jst } from '../shared/japan-time.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { html, type SafeHtml } from './html.ts';
import { csrfField, sendStaffRefusal, type StaffContext, type StaffGate } from './staff-gate.ts';
import { staffPage } from './staff-frame.ts';
import { casesTable } from './staff-cases-pages.ts';
import { staffServiceAction } from './staff-service-action.ts';
import { compensationSection } from './staff-compensation-pages.ts';
import { campaignSection } from './staff-campaign-pages.ts';
import { scanSection } from './staff-incident-scans.ts';
import { SWITCH_REASON_CHARS_MAX } from './staff-operators-page.ts';

/** Cases the incident page lists: a big incident's cases are worked on the cases page; this is the latest few hundred. */
const INCIDENT_CASES_SHOWN_MAX = 300;
/** Seconds between reloads while a campaign is being written or sent, so progress moves without a script. */
const LIVE_REFRESH_SECONDS = 10;

const UUID_PARAMS = Type.Object({ id: Type.String({ format: 'uuid' }) });
const CSRF = Type.Optional(Type.String({ maxLength: 100 }));
const STATUS_LABELS: Record<IncidentStatus, string> = { open: '対応中 open', contained: '封じ込め済 contained', remediated: '是正済 remediated', closed: '終結 closed' };

/** The incident's status as a tag. */
export function incidentStatusTag(status: IncidentStatus): SafeHtml {
  return html`<span class="tag ${status === 'closed' ? 'off' : 'on'}" data-incident-status="${status}">${STATUS_LABELS[status]}</span>`;
}

function openForm(context: StaffContext, operators: { id: string; display_name: string }[], staff: { id: string; display_name: string }[], today: string): SafeHtml {
  if (!roleAllows(context.staff.role, 'analyst')) return html`<p class="muted">インシデントの登録は分析担当以上 Opening an incident needs the analyst role.</p>`;
  return html`<div class="card"><h2>インシデントを登録 Open an incident</h2><form method="post" action="/staff/incidents" id="open-incident">${csrfField(context)}
<label for="title">件名 Title</label><input id="title" name="title" required maxlength="${INCIDENT_TITLE_CHARS_MAX}" class="long" placeholder="ドコモ口座経由の不正出金">
<fieldset><legend>対象事業者 Operators (none ticked: every operator)</legend>
${operators.map((operator) => html`<label class="inline"><input type="checkbox" name="operator_ids" value="${operator.id}" data-operator="${operator.id}"> ${operator.display_name}</label>`)}</fieldset>
<div class="actions"><label for="period_from">期間 From</label><input id="period_from" name="period_from" type="date" required max="${today}" class="narrow">
<label for="period_to">To</label><input id="period_to" name="period_to" type="date" required max="${today}" value="${today}" class="narrow">
<label for="owner">責任者 Owner</label><select id="owner" name="owner_staff_id">${staff.map((member) => html`<option value="${member.id}" ${member.id === context.staff.id ? 'selected' : ''}>${member.display_name}</option>`)}</select></div>
<button type="submit" data-action="open-incident">登録 Open</button></form></div>`;
}

function statusForm(context: StaffContext, incident: Incident): SafeHtml {
  const next = nextIncidentStatus(incident.status);
  if (!next) return html``;
  if (!roleAllows(context.staff.role, 'admin')) return html`<p class="muted">段階の変更は管理者のみ Only an admin moves an incident to its next stage.</p>`;
  return html`<form method="post" action="/staff/incidents/${incident.id}/status" class="actions">${csrfField(context)}<input type="hidden" name="to" value="${next}">
<input name="reason" maxlength="${SWITCH_REASON_CHARS_MAX}" placeholder="理由 Why (optional)" class="reason-wide" data-reason="status">
<button type="submit" data-action="advance" class="${next === 'closed' ? 'secondary' : ''}">${STATUS_LABELS[next]} にする Move to ${next}</button></form>`;
}

/** Incidents: the list and the open form, one incident with its cases, compensation, campaigns, report and timeline. */
export async function staffIncidentsPages(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  const names = async () => new Map((await services.staff.list()).map((member) => [member.id, member.display_name]));

  app.get('/staff/incidents', async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const [incidents, operators, staff] = await Promise.all([services.incidents.list(), services.operators.list(), services.staff.list()]);
    const staffNames = new Map(staff.map((member) => [member.id, member.display_name]));
    const operatorNames = new Map(operators.map((operator) => [operator.id, operator.display_name]));
    const body = html`<h1>インシデント / Incidents</h1>
${incidents.length === 0 ? html`<p class="muted">なし None</p>` : html`<table class="wide" id="incidents"><thead><tr><th>登録 Opened (JST)</th><th>件名 Title</th><th>対象 Scope</th><th>責任者 Owner</th><th>状態 Status</th></tr></thead><tbody>
${incidents.map((incident) => html`<tr data-incident="${incident.id}"><td class="nowrap">${jst(incident.opened_at)}</td><td><a href="/staff/incidents/${incident.id}">${incident.title}</a></td>
<td>${incident.operator_ids.length === 0 ? '全事業者 every operator' : incident.operator_ids.map((id) => operatorNames.get(id) ?? id).join(', ')}<br><span class="muted">${incident.period_from} – ${incident.period_to}</span></td>
<td>${staffNames.get(incident.owner_staff_id) ?? incident.owner_staff_id}</td><td>${incidentStatusTag(incident.status)}</td></tr>`)}</tbody></table>`}
${openForm(context, operators, staff, japanDate(services.clock.now()))}`;
    return reply.type('text/html').send(staffPage(context, 'Incidents', '/staff/incidents', body));
  });

  app.post<{ Body: { csrf?: string; title?: string; operator_ids?: string | string[]; period_from?: string; period_to?: string; owner_staff_id?: string } }>('/staff/incidents', {
    schema: {
      body: Type.Object({
        csrf: CSRF, title: Type.Optional(Type.String({ maxLength: 4 * INCIDENT_TITLE_CHARS_MAX })),
        operator_ids: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })])),
        period_from: Type.Optional(Type.String({ maxLength: 20 })), period_to: Type.Optional(Type.String({ maxLength: 20 })),
        owner_staff_id: Type.Optional(Type.String({ maxLength: 64 })),
      }),
    },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const body = request.body;
    const operator_ids = body.operator_ids === undefined ? [] : Array.isArray(body.operator_ids) ? body.operator_ids : [body.operator_ids];
    let opened: Incident | undefined;
    return staffServiceAction(reply, async () => {
      opened = await services.incidents.open({
        title: body.title ?? '', operator_ids, period_from: body.period_from ?? '', period_to: body.period_to ?? '',
        ...(body.owner_staff_id ? { owner_staff_id: body.owner_staff_id } : {}),
      }, context.staff.id);
    }, () => `/staff/incidents/${opened!.id}`);
  });

  app.get<{ Params: { id: string } }>('/staff/incidents/:id', { schema: { params: UUID_PARAMS } }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const incident = await services.incidents.get(request.params.id);
    if (!incident) return sendStaffRefusal(reply, 'incident_not_found');
    const [staffNames, operators, cases, timeline, open, compensation, campaigns, scans] = await Promise.all([
      names(),
      services.operators.list(),
      services.db.query<Case>(`SELECT ${CASE_COLUMNS} FROM cases WHERE id IN (${incidentCaseIdsSql()}) ORDER BY opened_at DESC, id DESC LIMIT $2`, [incident.id, INCIDENT_CASES_SHOWN_MAX]),
      services.incidents.timeline(incident),
      services.incidents.openItems(incident.id),
      compensationSection(services, context, incident),
      campaignSection(services, context, incident),
      scanSection(services, context, incident),
    ]);
    const scoped = operators.filter((operator) => incident.operator_ids.length === 0 || incident.operator_ids.includes(operator.id));
    // While a scan runs or a campaign is being written or sent, the page reloads itself (a Refresh header: no script).
    if (campaigns.live || scans.live) reply.header('refresh', String(LIVE_REFRESH_SECONDS));
    const body = html`<h1>${incident.title} ${incidentStatusTag(incident.status)}</h1>
<div class="card"><p class="muted">対象 Scope: ${scoped.map((operator) => operator.display_name).join(', ') || '—'} · 期間 Period ${incident.period_from} – ${incident.period_to}
· 責任者 Owner ${staffNames.get(incident.owner_staff_id) ?? incident.owner_staff_id} · 登録 Opened ${jst(incident.opened_at)} JST by ${staffNames.get(incident.opened_by) ?? incident.opened_by}
${incident.closed_at ? html` · 終結 Closed ${jst(incident.closed_at)} JST` : ''}</p>
<p id="open-items">未了 Open items: ${open.cases_open} case(s) open · ${open.compensations_unpaid} compensation(s) unpaid · ${open.campaigns_unfinished} campaign(s) unfinished</p>
${statusForm(context, incident)}
<p class="actions" id="report-links">報告書 Regulator report:
${REPORT_FORMATS.map((format) => html`<a class="tag" href="/staff/incidents/${incident.id}/report.${format}" data-report="${format}">${format.toUpperCase()}</a> `)}
<span class="muted">(HTML opens printable; CSV and JSON download)</span></p></div>

${scans.html}

<h2>案件 Cases (${cases.length})</h2>
${casesTable(cases, staffNames)}
${incident.status !== 'closed' && roleAllows(context.staff.role, 'analyst') ? html`<form method="post" action="/staff/incidents/${incident.id}/cases" class="actions">${csrfField(context)}
<label for="case_ids">案件IDを追加 Attach cases by id</label><input id="case_ids" name="case_ids" placeholder="case id, case id…" class="long"><button type="submit" class="secondary" data-action="attach-cases">追加 Attach</button></form>` : ''}

${compensation.html}
${campaigns.html}

<h2>経過 Timeline</h2>
${timeline.length === 0 ? html`<p class="muted">なし None</p>` : html`<table class="wide" id="timeline"><tbody>${timeline.map((entry) => html`<tr data-kind="${entry.kind}" data-action="${entry.action}">
<td class="nowrap">${jst(entry.at)}</td><td>${entry.summary}</td><td>${entry.staff_id ? staffNames.get(entry.staff_id) ?? entry.staff_id : html`<span class="muted">—</span>`}</td><td class="muted">${entry.reason ?? ''}</td></tr>`)}</tbody></table>`}`;
    return reply.type('text/html').send(staffPage(context, incident.title, '/staff/incidents', body));
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; to: IncidentStatus; reason?: string } }>('/staff/incidents/:id/status', {
    schema: {
      params: UUID_PARAMS,
      body: Type.Object({ csrf: CSRF, to: Type.Union(['open', 'contained', 'remediated', 'closed'].map((s) => Type.Literal(s))), reason: Type.Optional(Type.String({ maxLength: 4 * SWITCH_REASON_CHARS_MAX })) }),
    },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'admin');
    if (!context) return reply;
    const reason = (request.body.reason ?? '').trim();
    if (reason.length > SWITCH_REASON_CHARS_MAX) return sendStaffRefusal(reply, 'staff_reason_invalid');
    return staffServiceAction(reply, () => services.incidents.advance(request.params.id, request.body.to, context.staff.id, reason || undefined), `/staff/incidents/${request.params.id}`);
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; case_ids?: string } }>('/staff/incidents/:id/cases', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: CSRF, case_ids: Type.Optional(Type.String({ maxLength: 40 * 100 })) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const case_ids = (request.body.case_ids ?? '').split(/[\s,]+/).filter(Boolean);
    if (case_ids.length === 0) return sendStaffRefusal(reply, 'case_not_found', 'Give at least one case id');
    return staffServiceAction(reply, () => services.incidents.attachCases(request.params.id, case_ids, context.staff.id), `/staff/incidents/${request.params.id}`);
  });

  app.get<{ Params: { id: string; format: ReportFormat } }>('/staff/incidents/:id/report.:format', {
    schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }), format: Type.Union(REPORT_FORMATS.map((format) => Type.Literal(format))) }) },
  }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    try {
      const file = await services.incidents.report(request.params.id, request.params.format, context.staff.id);
      const disposition = request.params.format === 'html' ? 'inline' : 'attachment';
      if (request.params.format === 'html') allowDocumentStyle(reply, REPORT_CSS);
      return reply.type(file.content_type).header('content-disposition', `${disposition}; filename="${file.filename}"`).header('cache-control', 'no-store').send(file.body);
    } catch (error) {
      if (error instanceof FurikaeError) return sendStaffRefusal(reply, error.code, error.message);
      throw error;
    }
  });
}
