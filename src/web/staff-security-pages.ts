import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { roleAllows, type StaffRole } from '../staff/staff-role.ts';
import { html } from './html.ts';
import type { SessionStore } from './session-store.ts';
import { backTo, createStaffGate, csrfField, refuseStaffForm, sendStaffRefusal } from './staff-gate.ts';
import { requireFormTokens } from '../http/form-csrf.ts';
import { jst } from '../shared/japan-time.ts';
import { staffPage } from './staff-frame.ts';
import { CREDENTIAL_LABELS, lockedAccountLabel } from '../throttle/credential-attempt.ts';
const UUID_PARAM = Type.Object({ id: Type.String({ format: 'uuid' }) });
const CSRF_BODY = Type.Object({ csrf: Type.Optional(Type.String({ maxLength: 100 })) });

const ALERT_LABELS = { reverse_brute_force: 'リバースブルートフォース Reverse brute force', operator_failure_rate: '事業者経由の失敗多発 Operator failure rate',
  account_failures: '同一アカウントの失敗多発 One account failing', legacy_pin_locks: '暗証番号ロック (2020型) Legacy PIN locks' } as const;
const DIMENSION_LABELS = { source_ip: 'IP', device_id: 'Device', secret_fingerprint: 'Secret (fingerprint)', end_user_ip: 'End user IP (operator|address)' } as const;

const time = jst;

/**
 * Staff console: locked factors and credentials, reverse brute force alerts and blocks, each with an explicit action.
 * Unlocking and lifting need an admin; resolving an alert an analyst. Each action is audited once it is done.
 */
export async function staffSecurityPages(app: FastifyInstance, services: BankServices, sessions: SessionStore): Promise<void> {
  requireFormTokens(app, refuseStaffForm);
  const { secondFactors, throttle, audit } = services;
  const gate = createStaffGate(services, sessions);

  /** Every action: form token (checked first), session and role (the gate), then the action, then its audit entry and log line. */
  const action = async (
    request: FastifyRequest<{ Body: { csrf?: string } }>,
    reply: FastifyReply,
    required: StaffRole,
    name: string,
    run: (staff_id: string) => Promise<{ done: boolean; subject: string; details: Record<string, unknown> }>,
  ) => {
    const context = await gate.action(request, reply, required);
    if (!context) return reply;
    const { done, subject, details } = await run(context.staff.id);
    request.log.info({ staff_id: context.staff.id, action: name, done, ...details }, 'staff security action');
    // The throttle and second factors commit their own change; the entry follows it (see README, "Audit log").
    if (done) await audit.record({ staff_id: context.staff.id, action: name, subject, details });
    if (!done) return sendStaffRefusal(reply, 'staff_target_not_found', 'Nothing to do: it was already done, or does not exist.');
    return reply.redirect(backTo(request.headers.referer, '/staff/security'), 303);
  };

  app.get('/staff/security', async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const admin = roleAllows(context.staff.role, 'admin');
    const analyst = roleAllows(context.staff.role, 'analyst');
    const [factors, locks, alerts, blocks] = await Promise.all([
      secondFactors.listLocked(), throttle.listLocks(), throttle.listAlerts(), throttle.listBlocks(),
    ]);
    const csrf = csrfField(context);
    const only = (role: string) => html`<span class="muted">${role} only</span>`;
    const body = html`<h1>不正アクセス対策 / Credential security</h1>
${alerts.length > 0 ? html`<p class="banner-warn" role="alert">${alerts.length} open alert(s): one secret failing across many accounts, an operator's users failing far beyond typos, legacy PINs locking through one operator from one source (Accounts counts the locks), or one staff login or operator secret failing again and again.</p>` : ''}
<h2>アラート Alerts</h2>
${alerts.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="alerts"><thead><tr><th>Kind</th><th>Credential</th><th>Subject</th><th>Accounts</th><th>Failures</th><th>Sources</th><th>Raised</th><th></th></tr></thead><tbody>
${alerts.map((alert) => html`<tr data-alert="${alert.kind}"><td>${ALERT_LABELS[alert.kind]}</td><td>${CREDENTIAL_LABELS[alert.credential]}</td><td><code>${alert.subject}</code></td>
<td>${alert.accounts_count}</td><td>${alert.failures_count}</td><td>${[...alert.source_ips, ...alert.device_ids].join(', ')}${alert.operator_ids.length ? html`<br><span class="muted">operators: ${alert.operator_ids.join(', ')}</span>` : ''}</td>
<td>${time(alert.raised_at)}</td><td>${analyst ? html`<form method="post" action="/staff/security/alerts/${alert.id}/resolve">${csrf}<button type="submit">Resolve</button></form>` : only('analyst')}</td></tr>`)}
</tbody></table>`}
<h2>ブロック中 Blocked sources and secrets</h2>
${blocks.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="blocks"><thead><tr><th>What</th><th>Value</th><th>Since</th><th>Until</th><th></th></tr></thead><tbody>
${blocks.map((block) => html`<tr data-block="${block.dimension}"><td>${DIMENSION_LABELS[block.dimension]}</td><td><code>${block.value}</code></td><td>${time(block.blocked_at)}</td><td>${time(block.blocked_until)}</td>
<td>${admin ? html`<form method="post" action="/staff/security/blocks/${block.id}/lift">${csrf}<button type="submit" class="danger">Lift</button></form>` : only('admin')}</td></tr>`)}
</tbody></table>`}
<h2>ロック中の認証要素 Locked second factors</h2>
${factors.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="locked-factors"><thead><tr><th>Customer</th><th>Factor</th><th>Failures</th><th>Locked</th><th></th></tr></thead><tbody>
${factors.map((factor) => html`<tr data-customer="${factor.customer_id}" data-factor="${factor.factor}"><td><a href="/staff/customers/${factor.customer_id}">${factor.name_kanji}</a></td><td>${factor.factor}</td><td>${factor.failures_consecutive}</td><td>${time(factor.locked_at)}</td>
<td>${admin ? html`<form method="post" action="/staff/security/factors/unlock">${csrf}<input type="hidden" name="customer_id" value="${factor.customer_id}"><input type="hidden" name="factor" value="${factor.factor}">
<button type="submit">Unlock (after calling the customer)</button></form>` : only('admin')}</td></tr>`)}
</tbody></table>`}
<h2>ロック中の口座 Locked credentials</h2>
${locks.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="locked-credentials"><thead><tr><th>Credential</th><th>Account</th><th>Customer</th><th>Failures</th><th>Locked</th><th></th></tr></thead><tbody>
${locks.map((lock) => html`<tr data-lock="${lock.id}"><td>${CREDENTIAL_LABELS[lock.credential]}</td><td>${lockedAccountLabel(lock)}</td><td>${lock.credential === 'staff_login' ? html`<span class="muted">staff login</span>` : lock.customer_id && lock.name_kanji ? html`<a href="/staff/customers/${lock.customer_id}">${lock.name_kanji}</a>` : html`<span class="muted">no such customer</span>`}</td>
<td>${lock.failures_consecutive}</td><td>${time(lock.locked_at)}</td>
<td>${admin ? html`<form method="post" action="/staff/security/credentials/${lock.id}/unlock">${csrf}<button type="submit">Unlock (after calling the customer)</button></form>` : only('admin')}</td></tr>`)}
</tbody></table>`}`;
    return reply.type('text/html').send(staffPage(context, 'Credential security', '/staff/security', body));
  });

  app.post<{ Body: { csrf?: string; customer_id: string; factor: 'totp' | 'sms' } }>('/staff/security/factors/unlock', {
    schema: {
      body: Type.Object({
        csrf: Type.Optional(Type.String({ maxLength: 100 })),
        customer_id: Type.String({ format: 'uuid' }),
        factor: Type.Union([Type.Literal('totp'), Type.Literal('sms')]),
      }),
    },
  }, (request, reply) => action(request, reply, 'admin', 'factor.unlock', async (staff_id) => ({
    done: await secondFactors.unlock(request.body.customer_id, request.body.factor, { by: staff_id }),
    subject: request.body.customer_id, details: { customer_id: request.body.customer_id, factor: request.body.factor },
  })));

  app.post<{ Params: { id: string }; Body: { csrf?: string } }>('/staff/security/credentials/:id/unlock', {
    schema: { params: UUID_PARAM, body: CSRF_BODY },
  }, (request, reply) => action(request, reply, 'admin', 'credential.unlock', async (staff_id) => ({
    done: await throttle.unlockAccount(request.params.id, { by: staff_id }),
    subject: request.params.id, details: { lock_id: request.params.id },
  })));

  app.post<{ Params: { id: string }; Body: { csrf?: string } }>('/staff/security/blocks/:id/lift', {
    schema: { params: UUID_PARAM, body: CSRF_BODY },
  }, (request, reply) => action(request, reply, 'admin', 'credential_block.lift', async (staff_id) => ({
    done: await throttle.liftBlock(request.params.id, { by: staff_id }),
    subject: request.params.id, details: { block_id: request.params.id },
  })));

  app.post<{ Params: { id: string }; Body: { csrf?: string } }>('/staff/security/alerts/:id/resolve', {
    schema: { params: UUID_PARAM, body: CSRF_BODY },
  }, (request, reply) => action(request, reply, 'analyst', 'credential_alert.resolve', async (staff_id) => ({
    done: await throttle.resolveAlert(request.params.id, { by: staff_id }),
    subject: request.params.id, details: { alert_id: request.params.id },
  })));
}
