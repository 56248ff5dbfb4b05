import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { Case } from '../cases/case.ts';
import { CASE_NOTE_CHARS_MAX, CASE_RESOLVE_REASON_CHARS_MAX } from '../cases/case-store.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { html } from './html.ts';
import { csrfField, sendStaffRefusal, type StaffContext, type StaffGate } from './staff-gate.ts';
import { jst } from '../shared/japan-time.ts';
import { staffPage } from './staff-frame.ts';
import { afterStaffAction, alertsTable } from './staff-alerts-page.ts';
import { SWITCH_REASON_CHARS_MAX } from './staff-operators-page.ts';
import { readCaseFacts } from '../cases/case-facts.ts';
import { caseFactsSections } from './staff-case-facts.ts';

const KIND_LABELS = { fraud_review: '不正調査 Fraud review', dispute: '異議申立 Dispute' } as const;
const UUID_PARAMS = Type.Object({ id: Type.String({ format: 'uuid' }) });
const CSRF = Type.Optional(Type.String({ maxLength: 100 }));

function statusTag(found: Case) {
  if (found.status === 'open') return html`<span class="tag on" data-case-status="open">対応中 open</span>`;
  return html`<span class="tag ${found.resolution === 'fraud' ? 'on' : 'off'}" data-case-status="resolved">${found.resolution === 'fraud' ? '不正 fraud' : '正当 legitimate'}</span>`;
}

/** A table of cases (shared with the customer page). */
export function casesTable(cases: Case[], names: Map<string, string>) {
  if (cases.length === 0) return html`<p class="muted">なし None</p>`;
  return html`<table class="wide cases"><thead><tr><th>Opened (JST)</th><th>Kind</th><th>Summary</th><th>Charges</th><th>Assignee</th><th>Status</th></tr></thead><tbody>
${cases.map((c) => html`<tr data-case="${c.id}"><td>${jst(c.opened_at)}</td><td>${KIND_LABELS[c.kind]}</td><td><a href="/staff/cases/${c.id}">${c.summary}</a></td>
<td>${c.charge_ids.length}</td><td>${c.assignee_staff_id ? names.get(c.assignee_staff_id) ?? '?' : html`<span class="muted">—</span>`}</td><td>${statusTag(c)}</td></tr>`)}
</tbody></table>`;
}

function caseActions(context: StaffContext, found: Case) {
  if (!roleAllows(context.staff.role, 'analyst')) return html`<p class="muted">案件の操作は分析担当以上 Working cases needs the analyst role.</p>`;
  const csrf = csrfField(context);
  const note = html`<form method="post" action="/staff/cases/${found.id}/notes">${csrf}<label for="note">メモ Note</label>
<textarea id="note" name="text" required maxlength="${CASE_NOTE_CHARS_MAX}" placeholder="What you checked, whom you called, what you found"></textarea><button type="submit" data-action="note">メモを追加 Add note</button></form>`;
  if (found.status !== 'open') return html`<div class="card">${note}</div>`;
  return html`<div class="card"><div class="actions">
${found.assignee_staff_id === context.staff.id ? html`<span class="tag off">担当: あなた Assigned to you</span>` : html`<form method="post" action="/staff/cases/${found.id}/assign">${csrf}<button type="submit" class="secondary" data-action="assign">自分に割当 Assign to me</button></form>`}
</div>${note}
<form method="post" action="/staff/cases/${found.id}/resolve">${csrf}<label for="resolve-reason">結論 Resolve</label>
<input id="resolve-reason" name="reason" required maxlength="${CASE_RESOLVE_REASON_CHARS_MAX}" placeholder="理由 Why (required): what you checked and decided" class="reason-wide">
<div class="actions"><button type="submit" name="resolution" value="fraud" class="danger" data-action="resolve-fraud">不正と判断 Fraud</button>
<button type="submit" name="resolution" value="legitimate" data-action="resolve-legitimate">正当と判断 Legitimate</button></div>
${found.link_id ? html`<p class="muted" id="resolve-link-effect">不正: この口座連携を解除します。 正当: お客さまの「身に覚えがない」による停止を解除し、引き落としを再開します。<br>Fraud revokes this case’s link; legitimate lifts a freeze the customer put on it, so it charges again.</p>` : ''}</form></div>`;
}

/** Cases: the list, one case with the facts to decide it (src/cases/case-facts.ts), its alerts and notes, and the analyst's actions (assign, note, resolve). */
export async function staffCasesPages(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  const staffNames = async () => new Map((await services.staff.list()).map((member) => [member.id, member.display_name]));

  app.get<{ Querystring: { status?: 'open' | 'resolved' } }>('/staff/cases', {
    schema: { querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])) }) },
  }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const cases = await services.cases.listCases({ status: request.query.status });
    const tabs = (['', 'open', 'resolved'] as const).map((tab) =>
      html`<a href="/staff/cases${tab ? `?status=${tab}` : ''}" class="tag ${(request.query.status ?? '') === tab ? 'on' : ''}">${tab || 'all'}</a> `);
    const body = html`<h1>案件 / Cases</h1><p class="actions">${tabs}</p>${casesTable(cases, await staffNames())}`;
    return reply.type('text/html').send(staffPage(context, 'Cases', '/staff/cases', body));
  });

  app.get<{ Params: { id: string } }>('/staff/cases/:id', { schema: { params: UUID_PARAMS } }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const detail = await services.cases.getCase(request.params.id);
    if (!detail) return sendStaffRefusal(reply, 'staff_target_not_found');
    const found = detail.case;
    const [names, customer, facts] = await Promise.all([
      staffNames(),
      found.customer_id ? services.core.getCustomer(found.customer_id) : undefined,
      readCaseFacts(services.db, found),
    ]);
    const body = html`<h1>${KIND_LABELS[found.kind]} ${statusTag(found)}</h1>
<div class="card"><p><strong>${found.summary}</strong></p>
<p class="muted">Opened ${jst(found.opened_at)} JST by ${found.opened_by.startsWith('staff:') ? names.get(found.opened_by.slice(6)) ?? found.opened_by : found.opened_by}
${customer ? html` · customer <a href="/staff/customers/${customer.id}">${customer.name_kanji}</a>` : ''}
· assignee ${found.assignee_staff_id ? names.get(found.assignee_staff_id) ?? found.assignee_staff_id : 'none'}
${found.resolved_at ? html` · resolved ${jst(found.resolved_at)} JST by ${names.get(found.resolved_by ?? '') ?? found.resolved_by}` : ''}</p></div>
${caseFactsSections(context, found, facts, detail.alerts, detail.notes)}
<h2>アラート Alerts</h2>${alertsTable(context, detail.alerts)}
<h2>メモ Notes</h2>
${detail.notes.length === 0 ? html`<p class="muted">なし None</p>` : detail.notes.map((note) => html`<div class="card" data-note="${note.id}"><p class="muted">${jst(note.at)} JST · ${note.staff_name}</p><p class="wrap">${note.text}</p></div>`)}
${caseActions(context, found)}`;
    return reply.type('text/html').send(staffPage(context, 'Case', '/staff/cases', body));
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string } }>('/staff/cases/:id/assign', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: CSRF }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    return afterStaffAction(reply, await services.cases.assign(request.params.id, context.staff.id, context.staff.id), `/staff/cases/${request.params.id}`);
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; text?: string } }>('/staff/cases/:id/notes', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: CSRF, text: Type.Optional(Type.String({ maxLength: 2 * CASE_NOTE_CHARS_MAX })) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const text = (request.body.text ?? '').trim();
    if (text.length === 0 || text.length > CASE_NOTE_CHARS_MAX) return sendStaffRefusal(reply, 'staff_note_invalid');
    return afterStaffAction(reply, await services.cases.addNote(request.params.id, text, context.staff.id), `/staff/cases/${request.params.id}`);
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; resolution: 'fraud' | 'legitimate'; reason?: string } }>('/staff/cases/:id/resolve', {
    schema: {
      params: UUID_PARAMS,
      body: Type.Object({
        csrf: CSRF,
        resolution: Type.Union([Type.Literal('fraud'), Type.Literal('legitimate')]),
        reason: Type.Optional(Type.String({ maxLength: 4 * SWITCH_REASON_CHARS_MAX })),
      }),
    },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const reason = (request.body.reason ?? '').trim();
    // Required: the reason goes to the audit chain, where a later review reads why the case was closed.
    if (reason.length === 0 || reason.length > CASE_RESOLVE_REASON_CHARS_MAX) return sendStaffRefusal(reply, 'staff_reason_invalid');
    return afterStaffAction(reply, await services.cases.resolve(request.params.id, request.body.resolution, context.staff.id, reason), `/staff/cases/${request.params.id}`);
  });
}
