import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { Incident } from '../incidents/incident.ts';
import { incidentCaseIdsSql } from '../incidents/incident-cases.ts';
import type { Compensation } from '../compensation/compensation.ts';
import { COMPENSATION_CHARGES_MAX, COMPENSATION_NOTE_CHARS_MAX, REJECTION_REASON_CHARS_MAX } from '../compensation/compensations.ts';
import { AGREEMENT_REASON_CHARS_MAX } from '../compensation/compensation-agreements.ts';
import { splitCompensation } from '../compensation/compensation-split.ts';
import { CASE_COLUMNS, type Case } from '../cases/case.ts';
import { formatYen } from '../shared/yen.ts';
import { jst } from '../shared/japan-time.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { html, type SafeHtml } from './html.ts';
import { backTo, csrfField, sendStaffRefusal, type StaffContext, type StaffGate } from './staff-gate.ts';
import { staffPage } from './staff-frame.ts';
import { staffServiceAction } from './staff-service-action.ts';

const UUID_PARAMS = Type.Object({ id: Type.String({ format: 'uuid' }) });
const CSRF = Type.Optional(Type.String({ maxLength: 100 }));
const STATUS_LABELS: Record<Compensation['status'], string> = { proposed: '承認待ち proposed', approved: '承認済・未払 approved', paid: '支払済 paid', rejected: '却下 rejected' };

/** A confirmed case of the incident with charges still to compensate. */
interface CompensableCase {
  case: Case;
  customer_name: string | null;
  open_charges: number;
}

function decisionActions(context: StaffContext, compensation: Compensation): SafeHtml {
  if (!roleAllows(context.staff.role, 'analyst')) return html``;
  const csrf = csrfField(context);
  if (compensation.status === 'approved') {
    return html`<form method="post" action="/staff/compensations/${compensation.id}/pay">${csrf}<button type="submit" class="secondary" data-action="retry-payment">支払を再試行 Retry payment</button></form>`;
  }
  if (compensation.status !== 'proposed') return html``;
  const approve = compensation.proposed_by === context.staff.id
    ? html`<span class="muted" data-four-eyes="own">ご自身の起案は他の担当者が承認します Another staff member must approve your proposal</span>`
    : html`<form method="post" action="/staff/compensations/${compensation.id}/approve">${csrf}<button type="submit" data-action="approve-compensation">承認して支払 Approve and pay</button></form>`;
  return html`<div class="actions">${approve}
<form method="post" action="/staff/compensations/${compensation.id}/reject">${csrf}<input name="reason" required maxlength="${REJECTION_REASON_CHARS_MAX}" placeholder="却下理由 Why reject" class="reason-small">
<button type="submit" class="secondary" data-action="reject-compensation">却下 Reject</button></form></div>`;
}

/**
 * The incident page's compensation section: totals per operator and status with each operator's agreement (an admin
 * changes it with a reason), every compensation with its maker and checker and the actions open to this staff member,
 * and the confirmed cases that still have charges to make good.
 */
export async function compensationSection(services: BankServices, context: StaffContext, incident: Incident): Promise<{ html: SafeHtml }> {
  const [compensations, agreements, operators, staff, compensable] = await Promise.all([
    services.compensations.listForIncident(incident.id),
    services.compensationAgreements.list(),
    services.operators.list(),
    services.staff.list(),
    services.db.query<Case & { customer_name: string | null; open_charges: number }>(
      `SELECT ${CASE_COLUMNS.split(',').map((column) => `c.${column.trim()}`).join(', ')}, cu.name_kanji AS customer_name,
              (SELECT count(*)::int FROM unnest(c.charge_ids) AS x (charge_id) JOIN charges ch ON ch.id = x.charge_id
                WHERE ch.status = 'succeeded' AND ch.amount_yen > ch.refunded_yen
                  AND NOT EXISTS (SELECT 1 FROM compensation_charges l WHERE l.charge_id = x.charge_id AND l.live)) AS open_charges
         FROM cases c LEFT JOIN customers cu ON cu.id = c.customer_id
        WHERE c.id IN (${incidentCaseIdsSql()}) AND c.status = 'resolved' AND c.resolution = 'fraud' ORDER BY c.resolved_at, c.id`, [incident.id]),
  ]);
  const names = new Map(staff.map((member) => [member.id, member.display_name]));
  const operatorNames = new Map(operators.map((operator) => [operator.id, operator.display_name]));
  const scoped = operators.filter((operator) => incident.operator_ids.length === 0 || incident.operator_ids.includes(operator.id) || compensations.some((c) => c.operator_id === operator.id));
  const waiting: CompensableCase[] = compensable.filter((row) => row.open_charges > 0).map((row) => ({ case: row, customer_name: row.customer_name, open_charges: row.open_charges }));
  const sum = (operator_id: string, status: Compensation['status']) => {
    const rows = compensations.filter((c) => c.operator_id === operator_id && c.status === status);
    return html`${rows.length} · ${formatYen(rows.reduce((total, c) => total + c.amount_yen, 0))}`;
  };
  const agreementCell = (operator_id: string) => {
    const agreement = agreements.get(operator_id);
    const share = agreement?.operator_share_percent ?? 100;
    const since = agreement?.updated_at ? html`<br><span class="muted">${jst(agreement.updated_at)} · ${names.get(agreement.updated_by ?? '') ?? ''} · “${agreement.reason}”</span>` : html`<br><span class="muted">既定 default</span>`;
    const form = roleAllows(context.staff.role, 'admin') ? html`<form method="post" action="/staff/operators/${operator_id}/compensation-agreement" class="actions">${csrfField(context)}
<input name="operator_share_percent" type="number" min="0" max="100" step="1" required value="${share}" class="percent" aria-label="operator share percent">%
<input name="reason" required maxlength="${AGREEMENT_REASON_CHARS_MAX}" placeholder="理由 Reason (required)" class="reason-small">
<button type="submit" class="secondary" data-action="set-agreement">変更 Change</button></form>` : '';
    return html`<span data-agreement="${operator_id}">事業者 ${share}% / 当行 ${100 - share}%</span>${since}${form}`;
  };
  const body = html`<h2 id="compensation">補償 Compensation</h2>
<table class="wide" id="compensation-totals"><thead><tr><th>事業者 Operator</th><th>負担割合 Agreement</th><th>承認待ち Proposed</th><th>承認済 Approved</th><th>支払済 Paid</th><th>却下 Rejected</th></tr></thead><tbody>
${scoped.map((operator) => html`<tr data-operator="${operator.id}"><td>${operator.display_name}</td><td>${agreementCell(operator.id)}</td>
<td>${sum(operator.id, 'proposed')}</td><td>${sum(operator.id, 'approved')}</td><td data-paid="${operator.id}">${sum(operator.id, 'paid')}</td><td>${sum(operator.id, 'rejected')}</td></tr>`)}</tbody></table>
${waiting.length > 0 && incident.status !== 'closed' && roleAllows(context.staff.role, 'analyst') ? html`<h3>補償対象の案件 Confirmed cases to compensate</h3><table class="wide" id="compensable"><tbody>
${waiting.map((row) => html`<tr data-case="${row.case.id}"><td><a href="/staff/cases/${row.case.id}">${row.case.summary}</a></td><td>${row.customer_name ?? ''}</td><td>${row.open_charges} charge(s)</td>
<td><a class="tag on" href="/staff/incidents/${incident.id}/compensations/new?case_id=${row.case.id}" data-action="propose">補償を起案 Propose compensation</a></td></tr>`)}</tbody></table>` : ''}
${compensations.length === 0 ? html`<p class="muted">補償はまだありません No compensation yet</p>` : html`<table class="wide" id="compensations"><thead><tr><th>起案 Proposed (JST)</th><th>事業者 Operator</th><th class="yen">金額 Amount</th><th>内訳 Split</th><th>状態 Status</th><th>起案者 / 承認者 Maker / checker</th><th></th></tr></thead><tbody>
${compensations.map((c) => html`<tr data-compensation="${c.id}" data-status="${c.status}"><td class="nowrap">${jst(c.proposed_at)}<br><a href="/staff/customers/${c.customer_id}">customer</a>${c.case_id ? html` · <a href="/staff/cases/${c.case_id}">case</a>` : ''}</td>
<td>${operatorNames.get(c.operator_id) ?? c.operator_id}</td><td class="yen">${formatYen(c.amount_yen)}</td>
<td class="muted">事業者 ${formatYen(c.operator_yen)} (${c.operator_share_percent}%)<br>当行 ${formatYen(c.bank_yen)}</td>
<td><span class="tag ${c.status === 'paid' ? 'off' : c.status === 'rejected' ? '' : 'on'}">${STATUS_LABELS[c.status]}</span>${c.paid_at ? html`<br><span class="muted">${jst(c.paid_at)}</span>` : ''}
${c.payment_error ? html`<br><span class="error" data-payment-error>${c.payment_error}</span>` : ''}${c.rejection_reason ? html`<br><span class="muted">“${c.rejection_reason}”</span>` : ''}</td>
<td>${names.get(c.proposed_by) ?? c.proposed_by}${c.note ? html`<br><span class="muted">“${c.note}”</span>` : ''}<br>${c.approved_by ? names.get(c.approved_by) ?? c.approved_by : c.rejected_by ? names.get(c.rejected_by) ?? '' : html`<span class="muted">—</span>`}</td>
<td>${decisionActions(context, c)}</td></tr>`)}</tbody></table>`}`;
  return { html: body };
}

/** Parses a yen amount typed in a form (digits, with commas, a ¥ or spaces allowed); blank means "all that remains". */
function typedYen(text: string | undefined): number | undefined | 'invalid' {
  const cleaned = (text ?? '').replace(/[¥,\s]/g, '');
  if (cleaned === '') return undefined;
  return /^\d{1,13}$/.test(cleaned) ? Number(cleaned) : 'invalid';
}

/** Compensation in the console: the proposal form from a confirmed case, and the maker, checker and admin actions. */
export async function staffCompensationPages(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: { case_id?: string; scan_id?: string; link_id?: string } }>('/staff/incidents/:id/compensations/new', {
    schema: {
      params: UUID_PARAMS,
      querystring: Type.Object({ case_id: Type.Optional(Type.String({ format: 'uuid' })), scan_id: Type.Optional(Type.String({ format: 'uuid' })), link_id: Type.Optional(Type.String({ format: 'uuid' })) }),
    },
  }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const incident = await services.incidents.get(request.params.id);
    if (!incident) return sendStaffRefusal(reply, 'incident_not_found');
    const { case_id, scan_id, link_id } = request.query;
    // The charges the source vouches for: a case's charges, or a scan's suspect charges on one link.
    let source: { hidden: SafeHtml; summary: SafeHtml; confirmed: boolean; charge_ids: string[]; customer_id: string | null };
    if (case_id) {
      const detail = await services.cases.getCase(case_id);
      if (!detail) return sendStaffRefusal(reply, 'case_not_found');
      const found = detail.case;
      source = {
        hidden: html`<input type="hidden" name="case_id" value="${found.id}">`, confirmed: found.resolution === 'fraud', charge_ids: found.charge_ids, customer_id: found.customer_id,
        summary: html`<p><strong>${found.summary}</strong></p><p class="muted">案件 Case <a href="/staff/cases/${found.id}">${found.status === 'resolved' ? found.resolution : 'open'}</a></p>`,
      };
    } else if (scan_id && link_id) {
      const suspects = await services.db.query<{ charge_id: string; customer_id: string; score: number; reasons: string[] }>(
        `SELECT c.charge_id, c.customer_id, l.score, l.reasons FROM scan_charges c JOIN scan_links l ON l.scan_id = c.scan_id AND l.link_id = c.link_id
           JOIN scans s ON s.id = c.scan_id WHERE c.scan_id = $1 AND c.link_id = $2 AND s.incident_id = $3 ORDER BY c.charged_at`, [scan_id, link_id, incident.id]);
      if (suspects.length === 0) return sendStaffRefusal(reply, 'scan_not_found', 'No suspect charges of this link in a scan of this incident');
      source = {
        hidden: html`<input type="hidden" name="scan_id" value="${scan_id}">`, confirmed: true, charge_ids: suspects.map((row) => row.charge_id), customer_id: suspects[0]!.customer_id,
        summary: html`<p><strong>遡及スキャンの結果 Scan result</strong> · score ${suspects[0]!.score} · ${suspects[0]!.reasons.map((code) => html`<span class="code">${code}</span> `)}</p>
<p class="muted"><a href="/staff/scans/${scan_id}">スキャン Scan</a></p>`,
      };
    } else {
      return sendStaffRefusal(reply, 'case_not_found', 'Name a case, or a scan and one of its suspect links');
    }
    const charges = await services.db.query<{ id: string; amount_yen: number; refunded_yen: number; status: string; created_at: Date; operator_id: string; operator_name: string; taken: boolean }>(
      `SELECT c.id, c.amount_yen, c.refunded_yen, c.status, c.created_at, c.operator_id, o.display_name AS operator_name,
              EXISTS (SELECT 1 FROM compensation_charges l WHERE l.charge_id = c.id AND l.live) AS taken
         FROM charges c JOIN operators o ON o.id = c.operator_id WHERE c.id = ANY($1::uuid[]) ORDER BY c.created_at, c.id`, [source.charge_ids]);
    const customer = source.customer_id ? await services.core.getCustomer(source.customer_id) : undefined;
    const agreement = charges[0] ? await services.compensationAgreements.get(charges[0].operator_id) : undefined;
    const open = charges.filter((charge) => charge.status === 'succeeded' && !charge.taken && charge.amount_yen > charge.refunded_yen);
    const total = open.reduce((sum, charge) => sum + charge.amount_yen - charge.refunded_yen, 0);
    const split = total > 0 && agreement ? splitCompensation(total, agreement.operator_share_percent) : undefined;
    const body = html`<h1>補償の起案 / Propose compensation</h1>
<div class="card">${source.summary}<p class="muted">${customer ? html`顧客 Customer <a href="/staff/customers/${customer.id}">${customer.name_kanji}</a> · ` : ''}
インシデント Incident <a href="/staff/incidents/${incident.id}">${incident.title}</a></p>
${source.confirmed ? '' : html`<p class="error">この案件は不正と確定していません。 This case is not resolved as fraud: it cannot be compensated.</p>`}</div>
<form method="post" action="/staff/incidents/${incident.id}/compensations" id="propose">${csrfField(context)}${source.hidden}
<table class="wide"><thead><tr><th></th><th>日時 Time (JST)</th><th>事業者 Operator</th><th class="yen">金額 Charge</th><th class="yen">返金済 Refunded</th><th>補償額 Compensate (yen)</th></tr></thead><tbody>
${charges.map((charge) => {
    const remaining = charge.amount_yen - charge.refunded_yen;
    const usable = charge.status === 'succeeded' && !charge.taken && remaining > 0;
    return html`<tr data-charge="${charge.id}"><td><input type="checkbox" name="charge_ids" value="${charge.id}" ${usable ? 'checked' : 'disabled'} aria-label="include charge"></td>
<td class="nowrap">${jst(charge.created_at)}</td><td>${charge.operator_name}</td><td class="yen">${formatYen(charge.amount_yen)}</td><td class="yen">${formatYen(charge.refunded_yen)}</td>
<td>${usable ? html`<input name="amount_${charge.id}" inputmode="numeric" value="${remaining}" class="yen-input" aria-label="amount for this charge">` : html`<span class="muted">${charge.taken ? '補償中 already in a compensation' : charge.status !== 'succeeded' ? charge.status : '返金済 refunded'}</span>`}</td></tr>`;
  })}</tbody></table>
${split ? html`<p id="split">負担割合 Agreement: 事業者 ${agreement!.operator_share_percent}% · 全額なら If all: 事業者 operator ${formatYen(split.operator_yen)} / 当行 bank ${formatYen(split.bank_yen)} = ${formatYen(total)}</p>` : ''}
<label for="note">メモ Note for the checker</label><textarea id="note" name="note" maxlength="${COMPENSATION_NOTE_CHARS_MAX}" placeholder="確認した内容 What you checked"></textarea>
<button type="submit" data-action="submit-proposal">起案 Propose</button> <span class="muted">承認は別の担当者が行います A different staff member approves.</span></form>`;
    return reply.type('text/html').send(staffPage(context, 'Propose compensation', '/staff/incidents', body));
  });

  app.post<{ Params: { id: string }; Body: Record<string, string | string[] | undefined> }>('/staff/incidents/:id/compensations', {
    schema: {
      params: UUID_PARAMS,
      body: Type.Object({
        csrf: CSRF, case_id: Type.Optional(Type.String({ format: 'uuid' })), scan_id: Type.Optional(Type.String({ format: 'uuid' })),
        note: Type.Optional(Type.String({ maxLength: 2 * COMPENSATION_NOTE_CHARS_MAX })),
        charge_ids: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Array(Type.String({ maxLength: 64 }), { maxItems: COMPENSATION_CHARGES_MAX })])),
      }, { additionalProperties: false, patternProperties: { '^amount_[0-9a-f-]{36}$': Type.String({ maxLength: 30 }) } }),
    },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const body = request.body;
    const charge_ids = body.charge_ids === undefined ? [] : Array.isArray(body.charge_ids) ? body.charge_ids : [body.charge_ids];
    const charges: { charge_id: string; amount_yen?: number }[] = [];
    for (const charge_id of charge_ids) {
      const amount = typedYen(body[`amount_${charge_id}`] as string | undefined);
      if (amount === 'invalid') return sendStaffRefusal(reply, 'compensation_exceeds_charge', `The amount for charge ${charge_id} is not a whole number of yen`);
      charges.push(amount === undefined ? { charge_id } : { charge_id, amount_yen: amount });
    }
    const note = typeof body.note === 'string' ? body.note : undefined;
    const source = typeof body.scan_id === 'string' ? { kind: 'scan' as const, scan_id: body.scan_id } : { kind: 'case' as const, case_id: String(body.case_id ?? '') };
    return staffServiceAction(reply, () => services.compensations.propose({
      incident_id: request.params.id, source, charges, ...(note ? { note } : {}),
    }, context.staff.id), `/staff/incidents/${request.params.id}#compensation`);
  });

  const incidentOf = async (compensation_id: string) => (await services.compensations.get(compensation_id))?.compensation.incident_id;

  app.post<{ Params: { id: string }; Body: { csrf?: string } }>('/staff/compensations/:id/approve', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: CSRF }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const incident_id = await incidentOf(request.params.id);
    return staffServiceAction(reply, () => services.compensations.approve(request.params.id, context.staff.id), `/staff/incidents/${incident_id}#compensation`);
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; reason?: string } }>('/staff/compensations/:id/reject', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: CSRF, reason: Type.Optional(Type.String({ maxLength: 4 * REJECTION_REASON_CHARS_MAX })) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const incident_id = await incidentOf(request.params.id);
    return staffServiceAction(reply, () => services.compensations.reject(request.params.id, context.staff.id, request.body.reason ?? ''), `/staff/incidents/${incident_id}#compensation`);
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string } }>('/staff/compensations/:id/pay', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: CSRF }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const incident_id = await incidentOf(request.params.id);
    return staffServiceAction(reply, () => services.compensations.retryPayment(request.params.id), `/staff/incidents/${incident_id}#compensation`);
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; operator_share_percent?: string; reason?: string } }>('/staff/operators/:id/compensation-agreement', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: CSRF, operator_share_percent: Type.Optional(Type.String({ maxLength: 10 })), reason: Type.Optional(Type.String({ maxLength: 4 * AGREEMENT_REASON_CHARS_MAX })) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'admin');
    if (!context) return reply;
    const typed = (request.body.operator_share_percent ?? '').trim();
    const share = /^\d{1,3}$/.test(typed) ? Number(typed) : Number.NaN;
    return staffServiceAction(reply, () => services.compensationAgreements.set(request.params.id, share, context.staff.id, request.body.reason ?? ''),
      `${backTo(request.headers.referer, '/staff/incidents')}#compensation`);
  });
}
