import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { maskAccountNumber } from '../linking/link.ts';
import { formatYen } from '../shared/yen.ts';
import { html, type SafeHtml } from './html.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { backTo, csrfField, sendStaffRefusal, type StaffContext, type StaffGate } from './staff-gate.ts';
import { SWITCH_REASON_CHARS_MAX } from './staff-operators-page.ts';
import { jst } from '../shared/japan-time.ts';
import { staffPage } from './staff-frame.ts';

/** Charges the live view shows: the last few minutes of a busy afternoon, still one screen to scan. */
export const CHARGES_LISTED_MAX = 100;
/** How often the live view reloads itself: staff watching an incident see a new charge within this. */
export const CHARGES_REFRESH_MS = 5000;

/** Columns the view lays out itself; any other column of charges (added by a later migration) is shown generically. */
const KNOWN_COLUMNS = new Set([
  'id', 'operator_id', 'link_id', 'account_id', 'idempotency_key', 'request_hash', 'amount_yen', 'refunded_yen', 'description',
  'status', 'created_at', 'risk_decision', 'risk_reasons',
]);

type ChargeRow = Record<string, unknown> & {
  id: string; link_id: string; amount_yen: number; refunded_yen: number; status: string; created_at: Date; description: string | null;
  x_operator_name: string; x_branch_code: string; x_account_number: string; x_customer_name: string; x_customer_id: string;
};

function cellValue(value: unknown): string {
  if (value instanceof Date) return `${jst(value)} JST`;
  if (Array.isArray(value)) return value.join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Extra columns of a charge row, as `name: value` lines; empty values left out. */
function extraColumns(row: Record<string, unknown>): SafeHtml {
  const extras = Object.entries(row).filter(([key, value]) =>
    !KNOWN_COLUMNS.has(key) && !key.startsWith('x_') && value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0));
  return html`${extras.map(([key, value]) => html`<div class="muted">${key}: ${cellValue(value)}</div>`)}`;
}

/**
 * Release or decline for a charge the risk pipeline held for staff review (analyst and up); nothing for other charges.
 * Shared with the case page.
 */
export function heldChargeActions(context: StaffContext, charge: { id: string; status: string }): SafeHtml {
  if (charge.status !== 'held') return html``;
  if (!roleAllows(context.staff.role, 'analyst')) return html`<span class="muted">analyst+</span>`;
  const csrf = csrfField(context);
  return html`<div class="actions"><form method="post" action="/staff/charges/${charge.id}/release">${csrf}<button type="submit" data-action="release">承認 Release</button></form>
<form method="post" action="/staff/charges/${charge.id}/decline">${csrf}<button type="submit" class="danger" data-action="decline">拒否 Decline</button></form></div>`;
}

function decisionCell(row: Record<string, unknown>): SafeHtml {
  if (!('risk_decision' in row)) return html`<span class="muted">—</span>`;
  const decision = row.risk_decision as string | null;
  const reasons = (row.risk_reasons as string[] | null | undefined) ?? [];
  return html`${decision ? html`<span class="decision-${decision}" data-decision="${decision}">${decision}</span>` : html`<span class="muted">—</span>`}
${reasons.length ? html`<br>${reasons.map((code) => html`<span class="code">${code}</span> `)}` : ''}`;
}

/** The live charges view: the latest charges with operator, customer, link, amount, status and the risk decision. */
export async function staffChargesPage(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  app.get<{ Querystring: { status?: string; live?: '0' | '1'; refresh?: 'auto' } }>('/staff/charges', {
    schema: {
      querystring: Type.Object({
        status: Type.Optional(Type.String({ pattern: '^[a-z_]{1,32}$', maxLength: 32 })), live: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])),
        refresh: Type.Optional(Type.Literal('auto')),
      }),
    },
  }, async (request, reply) => {
    // The view's own reloads are not someone at the desk: they do not keep the session from idling out.
    const context = await gate.page(request, reply, { touch: request.query.refresh !== 'auto' });
    if (!context) return reply;
    const status = request.query.status ?? null;
    const live = request.query.live !== '0';
    // c.* on purpose: columns added by later migrations (risk decisions, approvals) appear without a change here.
    const rows = await services.db.query<ChargeRow>(
      `SELECT c.*, o.display_name AS x_operator_name, a.branch_code AS x_branch_code, a.account_number AS x_account_number,
              cu.name_kanji AS x_customer_name, cu.id AS x_customer_id
         FROM charges c JOIN operators o ON o.id = c.operator_id JOIN bank_accounts a ON a.id = c.account_id JOIN customers cu ON cu.id = a.customer_id
        WHERE ($1::text IS NULL OR c.status = $1)
        ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
      [status, CHARGES_LISTED_MAX],
    );
    const statuses = (await services.db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM charges GROUP BY status ORDER BY status`));
    const filter = html`<p class="actions">${[{ status: '', n: statuses.reduce((sum, row) => sum + row.n, 0) }, ...statuses].map((row) =>
      html`<a href="/staff/charges${row.status ? `?status=${row.status}` : ''}" class="tag ${(status ?? '') === row.status ? 'on' : ''}">${row.status || 'all'} (${row.n})</a>`)}
<span class="muted">${live ? html`自動更新 Live: every ${CHARGES_REFRESH_MS / 1000} s · <a href="?${status ? `status=${status}&` : ''}live=0">pause</a>` : html`<a href="?${status ? `status=${status}&` : ''}live=1">resume live</a>`}</span></p>`;
    const body = html`<h1>取引 / Live charges</h1>${filter}
${rows.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="charges" class="wide"><thead><tr><th>Time (JST)</th><th>Operator</th><th>Customer · account</th><th>Link</th><th class="yen">Amount</th><th>Status</th><th>Decision · reasons</th><th>More</th></tr></thead><tbody>
${rows.map((row) => html`<tr data-charge="${row.id}" data-status="${row.status}"><td class="nowrap">${jst(row.created_at)}</td><td>${row.x_operator_name}</td>
<td><a href="/staff/customers/${row.x_customer_id}">${row.x_customer_name}</a><br><span class="muted">${row.x_branch_code}-${maskAccountNumber(row.x_account_number)}</span></td>
<td><code title="${row.link_id}">${row.link_id.slice(-8)}</code></td>
<td class="yen">${formatYen(row.amount_yen)}${row.refunded_yen > 0 ? html`<br><span class="muted">refunded ${formatYen(row.refunded_yen)}</span>` : ''}</td>
<td><span class="tag ${row.status === 'succeeded' ? 'off' : 'on'}">${row.status}</span>${row.description ? html`<br><span class="muted">${row.description}</span>` : ''}</td>
<td>${decisionCell(row)}</td><td>${extraColumns(row)}${heldChargeActions(context, row)}</td></tr>`)}
</tbody></table>`}
`;
    // A Refresh header rather than a script: the console's Content-Security-Policy runs no script at all.
    if (live) reply.header('refresh', `${CHARGES_REFRESH_MS / 1000}; url=/staff/charges?${status ? `status=${status}&` : ''}refresh=auto`);
    return reply.type('text/html').send(staffPage(context, 'Charges', '/staff/charges', body));
  });

  // Staff review of held charges: release moves the reserved money, decline voids the reservation. Both are audited.
  for (const [verb, action] of [['release', 'charge.release'], ['decline', 'charge.decline']] as const) {
    app.post<{ Params: { id: string }; Body: { csrf?: string; reason?: string } }>(`/staff/charges/:id/${verb}`, {
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ csrf: Type.Optional(Type.String({ maxLength: 100 })), reason: Type.Optional(Type.String({ maxLength: 4 * SWITCH_REASON_CHARS_MAX })) }),
      },
    }, async (request, reply) => {
      const context = await gate.action(request, reply, 'analyst');
      if (!context) return reply;
      const reason = (request.body.reason ?? '').trim();
      if (reason.length > SWITCH_REASON_CHARS_MAX) return sendStaffRefusal(reply, 'staff_reason_invalid');
      const by = { by: context.staff.id };
      const outcome = verb === 'release' ? await services.stepUp.approveHeld(request.params.id, by) : await services.stepUp.denyHeld(request.params.id, by);
      if (!outcome.ok) return sendStaffRefusal(reply, outcome.code === 'approval_not_found' ? 'staff_target_not_found' : 'staff_target_not_open');
      // The step-up service commits the settlement itself; the entry follows it (README, "Audit log").
      await services.audit.record({ staff_id: context.staff.id, action, subject: request.params.id, reason: reason || null, details: { status: outcome.status } });
      return reply.redirect(backTo(request.headers.referer, '/staff/charges'), 303);
    });
  }
}
