import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { Operator } from '../operators/operator.ts';
import { CONTAINMENT_RELEASE_REASON_CHARS_MAX, type OperatorContainment } from '../operators/operator-containments.ts';
import type { OperatorSwitch } from '../operators/operator-registry.ts';
import type { AuditEntry } from '../audit/audit-entry.ts';
import { formatYen } from '../shared/yen.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { html } from './html.ts';
import { csrfField, sendStaffRefusal, type StaffContext, type StaffGate } from './staff-gate.ts';
import { jst } from '../shared/japan-time.ts';
import { actorName, staffPage } from './staff-frame.ts';

/** Longest reason for a switch flip, in characters: a sentence for the audit log, not an incident report. */
export const SWITCH_REASON_CHARS_MAX = 200;
/** Switch flips read back to show who last flipped each switch: far more than operators × 2. */
const SWITCH_HISTORY_READ_MAX = 500;

const SWITCHES: { name: OperatorSwitch; label: string; effect: string }[] = [
  { name: 'new_links_suspended', label: '新規連携 New links', effect: 'Existing links keep charging (Docomo, 10 Sep 2020).' },
  { name: 'charges_suspended', label: 'チャージ Charges', effect: 'Every charge by this operator is refused (Japan Post Bank, Sep 2020).' },
];

function switchCard(context: StaffContext, operator: Operator, name: OperatorSwitch, label: string, effect: string, last: AuditEntry | undefined, names: Map<string, string>) {
  const on = operator[name];
  const since = last ? html`<div class="since" data-since="${name}">${on ? '停止' : '再開'} ${jst(last.at)} JST · ${actorName(last.staff_id, names)} · “${last.reason ?? ''}”</div>` : '';
  const form = roleAllows(context.staff.role, 'admin')
    ? html`<form method="post" action="/staff/operators/${operator.id}/switches">${csrfField(context)}
<input type="hidden" name="name" value="${name}"><input type="hidden" name="on" value="${on ? 'false' : 'true'}">
<input name="reason" required maxlength="${SWITCH_REASON_CHARS_MAX}" placeholder="理由 Reason (required)" aria-label="Reason for ${on ? 'resuming' : 'suspending'} ${name}" data-reason="${name}">
<button type="submit" class="${on ? 'secondary' : 'danger'}" data-action="${name}">${on ? '再開 Resume' : '停止 Suspend'}</button></form>`
    : html`<div class="since">管理者のみ変更可 Only an admin can flip this.</div>`;
  return html`<div class="switch ${on ? 'on' : 'off'}" data-switch="${name}" data-on="${String(on)}">
<div class="state" aria-label="${label}">${on ? '停止中 SUSPENDED' : '受付中 Open'}</div>
<div class="since">${effect}</div>${since}${form}</div>`;
}

const CONTAINMENT_TEXT: Record<Operator['containment_action'], string> = {
  hold_charges: '新規チャージ保留 new charges held',
  suspend_links: '新規連携停止 new links suspended',
  hold_charges_and_suspend_links: 'チャージ保留＋新規連携停止 charges held and new links suspended',
};

/** The operator's automatic containment: its policy, the containment in force (with a release form for admins) or the last one. */
function containmentCard(context: StaffContext, operator: Operator, latest: OperatorContainment | undefined) {
  const policy = operator.containment_level === null
    ? html`<div class="since">自動封じ込めなし Never contained automatically (switches only)</div>`
    : html`<div class="since" data-policy="${String(operator.containment_level)}">At ${String(operator.containment_level)}× its busiest window: ${CONTAINMENT_TEXT[operator.containment_action]}</div>`;
  const sources = html`<div class="since" data-sources>${operator.source_addresses.length > 0 ? html`接続元 Sources: <span class="code">${operator.source_addresses.join(', ')}</span>` : '接続元未登録 No source addresses registered'}</div>`;
  const active = operator.containment_active !== null && latest && latest.released_at === null ? latest : undefined;
  if (!active) {
    const last = latest?.released_at ? html`<div class="since">Last: ${jst(latest.started_at)} JST, released ${jst(latest.released_at)} JST · “${latest.release_reason ?? ''}”</div>` : '';
    return html`<div class="switch off" data-containment="none"><div class="state">監視中 Watching</div>${policy}${sources}${last}</div>`;
  }
  const count = active.details.count, baseline = active.details.baseline;
  const release = roleAllows(context.staff.role, 'admin')
    ? html`<form method="post" action="/staff/operators/${operator.id}/containment/release">${csrfField(context)}
<input name="reason" required maxlength="${CONTAINMENT_RELEASE_REASON_CHARS_MAX}" placeholder="理由 Reason (required)" aria-label="Reason for releasing the containment" data-reason="containment">
<button type="submit" class="secondary" data-action="release-containment">解除 Release</button></form>`
    : html`<div class="since">管理者のみ解除可 Only an admin can release this.</div>`;
  return html`<div class="switch on" data-containment="${active.action}" data-level="${String(active.level)}">
<div class="state">自動封じ込め中 CONTAINED</div>
<div class="since">${CONTAINMENT_TEXT[active.action]} since ${jst(active.started_at)} JST: ${String(count)} (${active.measure}) against its busiest ${String(baseline)}, level ${String(active.level)}</div>
${policy}${sources}${release}</div>`;
}

/** The operators page: each operator's policy and its two kill switches; admins flip them with a reason. */
export async function staffOperatorsPage(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  app.get('/staff/operators', async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const [operators, flips, staff, containments] = await Promise.all([
      services.operators.list(),
      services.audit.list({ action: 'operator.switch', limit: SWITCH_HISTORY_READ_MAX }),
      services.staff.list(),
      services.containments.list(),
    ]);
    const latestContainment = new Map<string, OperatorContainment>();
    for (const containment of containments) if (!latestContainment.has(containment.operator_id)) latestContainment.set(containment.operator_id, containment);
    const names = new Map(staff.map((member) => [member.id, member.display_name]));
    const lastFlip = new Map<string, AuditEntry>();
    for (const entry of flips) {
      const key = `${entry.subject}:${String(entry.details.switch)}`;
      if (!lastFlip.has(key)) lastFlip.set(key, entry); // newest first
    }
    const body = html`<h1>決済事業者 / Operators</h1>
<p class="muted">Kill switches take effect at once: when a flip returns, no charge commits under the old setting. Every flip is audited with who, when and why.</p>
<table id="operators" class="wide"><thead><tr><th class="col-operator">Operator</th><th class="col-policy">Policy</th>${SWITCHES.map(({ label }) => html`<th class="col-switch">${label}</th>`)}<th class="col-switch">自動封じ込め Containment</th></tr></thead><tbody>
${operators.map((operator) => html`<tr id="op-${operator.id}" data-operator="${operator.client_id}">
<td><strong>${operator.display_name}</strong><br><span class="muted">通帳表示 Passbook: ${operator.passbook_label}</span><br><span class="code break">${operator.client_id}</span></td>
<td>${operator.link_methods_allowed.join(', ')}${operator.link_methods_allowed.includes('legacy_pin') ? html`<br><span class="tag on">⚠ 2020 legacy PIN path</span>` : ''}
<br><span class="muted">KYC ≥ ${operator.kyc_level_min}<br>${formatYen(operator.charge_yen_max)} / charge · ${formatYen(operator.charges_yen_per_month_max)} / month</span></td>
${SWITCHES.map(({ name, label, effect }) => html`<td>${switchCard(context, operator, name, label, effect, lastFlip.get(`${operator.id}:${name}`), names)}</td>`)}
<td>${containmentCard(context, operator, latestContainment.get(operator.id))}</td>
</tr>`)}
</tbody></table>`;
    return reply.type('text/html').send(staffPage(context, 'Operators', '/staff/operators', body));
  });

  app.post<{ Params: { id: string }; Body: { csrf?: string; name: OperatorSwitch; on: 'true' | 'false'; reason?: string } }>(
    '/staff/operators/:id/switches',
    {
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({
          csrf: Type.Optional(Type.String({ maxLength: 100 })),
          name: Type.Union([Type.Literal('new_links_suspended'), Type.Literal('charges_suspended')]),
          on: Type.Union([Type.Literal('true'), Type.Literal('false')]),
          // Bounded for parsing; the real limit is checked below so the answer is the console's own refusal.
          reason: Type.Optional(Type.String({ maxLength: 4 * SWITCH_REASON_CHARS_MAX })),
        }),
      },
    },
    async (request, reply) => {
      const context = await gate.action(request, reply, 'admin');
      if (!context) return reply;
      const reason = (request.body.reason ?? '').trim();
      if (reason.length === 0 || reason.length > SWITCH_REASON_CHARS_MAX) return sendStaffRefusal(reply, 'staff_reason_invalid');
      const on = request.body.on === 'true';
      const operator = await services.operators.setSwitch(request.params.id, request.body.name, on, { staff_id: context.staff.id, reason });
      if (!operator) return sendStaffRefusal(reply, 'staff_target_not_found');
      request.log.info({ staff_id: context.staff.id, operator_id: operator.id, switch: request.body.name, on }, 'operator switch flipped');
      return reply.redirect(`/staff/operators#op-${operator.id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: { csrf?: string; reason?: string } }>(
    '/staff/operators/:id/containment/release',
    {
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({
          csrf: Type.Optional(Type.String({ maxLength: 100 })),
          reason: Type.Optional(Type.String({ maxLength: 4 * CONTAINMENT_RELEASE_REASON_CHARS_MAX })),
        }),
      },
    },
    async (request, reply) => {
      const context = await gate.action(request, reply, 'admin');
      if (!context) return reply;
      const reason = (request.body.reason ?? '').trim();
      if (reason.length === 0 || reason.length > CONTAINMENT_RELEASE_REASON_CHARS_MAX) return sendStaffRefusal(reply, 'staff_reason_invalid');
      if (!(await services.operators.get(request.params.id))) return sendStaffRefusal(reply, 'staff_target_not_found');
      const released = await services.containments.release(request.params.id, { staff_id: context.staff.id, reason });
      if (released.kind === 'not_contained') return sendStaffRefusal(reply, 'staff_target_not_open', 'The operator is not contained: someone released it already, or it never was.');
      request.log.info({ staff_id: context.staff.id, operator_id: request.params.id, containment_id: released.containment.id }, 'operator containment released');
      return reply.redirect(`/staff/operators#op-${request.params.id}`, 303);
    },
  );
}
