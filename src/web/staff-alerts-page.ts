import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { Alert, AlertKind } from '../cases/alert.ts';
import type { StaffActionOutcome } from '../cases/case-store.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { html } from './html.ts';
import { backTo, csrfField, sendStaffRefusal, type StaffContext, type StaffGate } from './staff-gate.ts';
import { jst } from '../shared/japan-time.ts';
import { staffPage } from './staff-frame.ts';
import { SWITCH_REASON_CHARS_MAX } from './staff-operators-page.ts';

const ALERT_LABELS: Record<AlertKind, string> = {
  risk_hold: '保留 Risk hold',
  sim_swap_detected: 'SIMスワップ SIM swap',
  risk_deny: '拒否 Risk deny',
  risk_challenge: '追加認証 Step-up',
  risk_link: '連携リスク Link risk',
  credential_reverse_brute_force: 'リバースブルートフォース Reverse brute force',
  credential_operator_failure_rate: '事業者経由の失敗多発 Operator failures',
  credential_account_failures: '同一アカウントの失敗多発 One account failing',
  credential_legacy_pin_locks: '暗証番号ロック (2020型) Legacy PIN locks',
  credential_login_locked: 'IBログインのロック Login locked',
  credential_operator_contained: '事業者の新規連携を自動停止 Operator contained',
  second_factor_locked: '第二要素のロック Second factor locked',
  passkey_counter_regressed: 'パスキーの複製の疑い Passkey may be cloned',
  risk_challenge_expired: '追加認証の期限切れ Step-up expired',
  not_me: '「身に覚えがない」 Not me',
  operator_contained: '事業者の自動封じ込め Operator contained',
  operator_source_refused: '未登録の接続元 Operator source refused',
};

/** A person's label for an alert kind (the raw kind if it is newer than this page). */
export function alertLabel(kind: string): string {
  return ALERT_LABELS[kind as AlertKind] ?? kind;
}

const UUID_PARAMS = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Answers a staff action on an alert or case: back to `to` when done, else the refusal that says why. */
export function afterStaffAction(reply: FastifyReply, outcome: StaffActionOutcome, to: string): FastifyReply {
  if (outcome === 'not_found') return sendStaffRefusal(reply, 'staff_target_not_found');
  if (outcome === 'not_open') return sendStaffRefusal(reply, 'staff_target_not_open');
  return reply.redirect(to, 303);
}

function alertActions(context: StaffContext, alert: Alert) {
  if (!roleAllows(context.staff.role, 'analyst')) return html`<span class="muted">analyst+</span>`;
  const csrf = csrfField(context);
  return html`<div class="actions">
${alert.case_id ? html`<a href="/staff/cases/${alert.case_id}">案件 Case →</a>` : alert.status !== 'closed' ? html`<form method="post" action="/staff/alerts/${alert.id}/case">${csrf}<button type="submit" data-action="open-case">案件化 Open case</button></form>` : ''}
${alert.status === 'open' ? html`<form method="post" action="/staff/alerts/${alert.id}/acknowledge">${csrf}<button type="submit" class="secondary" data-action="acknowledge">確認 Acknowledge</button></form>` : ''}
${alert.status !== 'closed' ? html`<form method="post" action="/staff/alerts/${alert.id}/close">${csrf}<input name="reason" maxlength="${SWITCH_REASON_CHARS_MAX}" placeholder="理由 Why (optional)" class="reason-small"><button type="submit" class="secondary" data-action="close">終了 Close</button></form>` : ''}
</div>`;
}

/** A table of alerts with their actions (shared with the customer page). */
export function alertsTable(context: StaffContext, alerts: Alert[]) {
  if (alerts.length === 0) return html`<p class="muted">なし None</p>`;
  return html`<table class="wide alerts"><thead><tr><th>Raised (JST)</th><th>Severity</th><th>Kind</th><th>Reasons</th><th>Subject</th><th>Status</th><th></th></tr></thead><tbody>
${alerts.map((alert) => html`<tr data-alert="${alert.id}" data-kind="${alert.kind}" data-status="${alert.status}"><td class="nowrap">${jst(alert.at)}</td><td class="sev-${alert.severity}">${alert.severity}</td>
<td>${alertLabel(alert.kind)}${alert.summary ? html`<br><span class="muted">${alert.summary}</span>` : ''}</td>
<td>${alert.reason_codes.map((code) => html`<span class="code">${code}</span> `)}</td>
<td class="muted">${alert.customer_id ? html`<a href="/staff/customers/${alert.customer_id}">customer</a><br>` : ''}${alert.charge_id ? html`charge <code>${alert.charge_id.slice(-8)}</code><br>` : ''}${alert.link_id ? html`link <code>${alert.link_id.slice(-8)}</code>` : ''}${typeof alert.details.credential_alert_id === 'string' ? html`<a href="/staff/security" data-credential-alert="${alert.details.credential_alert_id}">blocks, sources →</a>` : ''}</td>
<td>${alert.status}</td><td>${alertActions(context, alert)}</td></tr>`)}
</tbody></table>`;
}

/** The alert queue: open and acknowledged alerts first; analysts acknowledge, close, or open a case. */
export async function staffAlertsPage(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  app.get<{ Querystring: { status?: 'active' | 'open' | 'acknowledged' | 'closed' } }>('/staff/alerts', {
    schema: { querystring: Type.Object({ status: Type.Optional(Type.Union(['active', 'open', 'acknowledged', 'closed'].map((s) => Type.Literal(s)))) }) },
  }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const status = request.query.status ?? 'active';
    const alerts = await services.cases.listAlerts({ status });
    const tabs = (['active', 'open', 'acknowledged', 'closed'] as const).map((tab) =>
      html`<a href="/staff/alerts?status=${tab}" class="tag ${tab === status ? 'on' : ''}">${tab}</a> `);
    const body = html`<h1>アラート / Alert queue</h1><p class="actions">${tabs}</p>${alertsTable(context, alerts)}
<p class="muted">Credential-throttle alerts with their blocks are also on <a href="/staff/security">Security</a>.</p>`;
    return reply.type('text/html').send(staffPage(context, 'Alerts', '/staff/alerts', body));
  });

  const back = (referer: string | undefined) => backTo(referer, '/staff/alerts');

  app.post<{ Params: { id: string }; Body: { csrf?: string } }>('/staff/alerts/:id/acknowledge', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: Type.Optional(Type.String({ maxLength: 100 })) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    return afterStaffAction(reply, await services.cases.acknowledgeAlert(request.params.id, context.staff.id), back(request.headers.referer));
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; reason?: string } }>('/staff/alerts/:id/close', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: Type.Optional(Type.String({ maxLength: 100 })), reason: Type.Optional(Type.String({ maxLength: 4 * SWITCH_REASON_CHARS_MAX })) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const reason = (request.body.reason ?? '').trim();
    if (reason.length > SWITCH_REASON_CHARS_MAX) return sendStaffRefusal(reply, 'staff_reason_invalid');
    return afterStaffAction(reply, await services.cases.closeAlert(request.params.id, context.staff.id, reason || undefined), back(request.headers.referer));
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string } }>('/staff/alerts/:id/case', {
    schema: { params: UUID_PARAMS, body: Type.Object({ csrf: Type.Optional(Type.String({ maxLength: 100 })) }) },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'analyst');
    if (!context) return reply;
    const opened = await services.cases.openCaseForAlert(request.params.id, context.staff.id);
    if (opened.outcome !== 'done') return afterStaffAction(reply, opened.outcome, '');
    return reply.redirect(`/staff/cases/${opened.case_id}`, 303);
  });
}
