import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { html } from './html.ts';
import { bankPage } from './layout.ts';
import { csrfMatches, type Session, type SessionStore } from './session-store.ts';

/** The staff session cookie set by staff-pages.ts (path /staff). */
const STAFF_COOKIE = 'furikae_staff';
const UUID_PARAM = Type.Object({ id: Type.String({ format: 'uuid' }) });
const CSRF_BODY = Type.Object({ csrf: Type.String({ maxLength: 100 }) });

const CREDENTIAL_LABELS = { legacy_pin: '暗証番号 (2020 legacy link)', password: 'IBパスワード Password', second_factor: '第二要素 Second factor' } as const;
const ALERT_LABELS = { reverse_brute_force: 'リバースブルートフォース Reverse brute force', operator_failure_rate: '事業者経由の失敗多発 Operator failure rate' } as const;
const DIMENSION_LABELS = { source_ip: 'IP', device_id: 'Device', secret_fingerprint: 'Secret (fingerprint)' } as const;

const time = (at: Date | null) => (at ? at.toISOString().slice(0, 16).replace('T', ' ') : '');

/** Staff console: locked factors and credentials, reverse brute force alerts and blocks, each with an explicit action. */
export async function staffSecurityPages(app: FastifyInstance, services: BankServices, sessions: SessionStore): Promise<void> {
  const { secondFactors, throttle } = services;

  const requireStaff = async (request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> => {
    const session = await sessions.read('staff', request.cookies[STAFF_COOKIE]);
    if (!session) await reply.redirect('/staff/login');
    return session;
  };

  /** Every action: a staff session, the session's CSRF token, then the action, logged with the staff id. */
  const action = async (
    request: FastifyRequest<{ Body: { csrf: string } }>,
    reply: FastifyReply,
    name: string,
    run: (staff_id: string) => Promise<{ done: boolean; facts: Record<string, unknown> }>,
  ) => {
    const session = await requireStaff(request, reply);
    if (!session) return reply;
    if (!csrfMatches(session, request.body.csrf)) {
      return reply.status(403).type('text/html').send(bankPage('Refused', html`<p class="error" role="alert">The form expired. Go back and try again.</p>`));
    }
    const { done, facts } = await run(session.subject_id);
    request.log.info({ staff_id: session.subject_id, action: name, done, ...facts }, 'staff security action');
    if (!done) return reply.status(404).type('text/html').send(bankPage('Not found', html`<p class="error">Nothing to ${name}: it was already done or does not exist.</p><p><a href="/staff/security">Back</a></p>`));
    return reply.redirect('/staff/security', 303);
  };

  app.get('/staff/security', async (request, reply) => {
    const session = await requireStaff(request, reply);
    if (!session) return reply;
    const [factors, locks, alerts, blocks] = await Promise.all([
      secondFactors.listLocked(), throttle.listLocks(), throttle.listAlerts(), throttle.listBlocks(),
    ]);
    const csrf = html`<input type="hidden" name="csrf" value="${session.csrf_token}">`;
    const body = html`<h1>不正アクセス対策 / Credential security</h1>
${alerts.length > 0 ? html`<p class="banner-warn" role="alert">${alerts.length} open alert(s): one secret failing across many accounts, or an operator's users failing far beyond typos.</p>` : ''}
<h2>アラート Alerts</h2>
${alerts.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="alerts"><thead><tr><th>Kind</th><th>Credential</th><th>Subject</th><th>Accounts</th><th>Failures</th><th>Sources</th><th>Raised</th><th></th></tr></thead><tbody>
${alerts.map((alert) => html`<tr data-alert="${alert.kind}"><td>${ALERT_LABELS[alert.kind]}</td><td>${CREDENTIAL_LABELS[alert.credential]}</td><td><code>${alert.subject}</code></td>
<td>${alert.accounts_count}</td><td>${alert.failures_count}</td><td>${[...alert.source_ips, ...alert.device_ids].join(', ')}${alert.operator_ids.length ? html`<br><span class="muted">operators: ${alert.operator_ids.join(', ')}</span>` : ''}</td>
<td>${time(alert.raised_at)}</td><td><form method="post" action="/staff/security/alerts/${alert.id}/resolve">${csrf}<button type="submit">Resolve</button></form></td></tr>`)}
</tbody></table>`}
<h2>ブロック中 Blocked sources and secrets</h2>
${blocks.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="blocks"><thead><tr><th>What</th><th>Value</th><th>Since</th><th>Until</th><th></th></tr></thead><tbody>
${blocks.map((block) => html`<tr data-block="${block.dimension}"><td>${DIMENSION_LABELS[block.dimension]}</td><td><code>${block.value}</code></td><td>${time(block.blocked_at)}</td><td>${time(block.blocked_until)}</td>
<td><form method="post" action="/staff/security/blocks/${block.id}/lift">${csrf}<button type="submit" class="danger">Lift</button></form></td></tr>`)}
</tbody></table>`}
<h2>ロック中の認証要素 Locked second factors</h2>
${factors.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="locked-factors"><thead><tr><th>Customer</th><th>Factor</th><th>Failures</th><th>Locked</th><th></th></tr></thead><tbody>
${factors.map((factor) => html`<tr data-customer="${factor.customer_id}" data-factor="${factor.factor}"><td>${factor.name_kanji}</td><td>${factor.factor}</td><td>${factor.failures_consecutive}</td><td>${time(factor.locked_at)}</td>
<td><form method="post" action="/staff/security/factors/unlock">${csrf}<input type="hidden" name="customer_id" value="${factor.customer_id}"><input type="hidden" name="factor" value="${factor.factor}">
<button type="submit">Unlock (after calling the customer)</button></form></td></tr>`)}
</tbody></table>`}
<h2>ロック中の口座 Locked credentials</h2>
${locks.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="locked-credentials"><thead><tr><th>Credential</th><th>Account</th><th>Customer</th><th>Failures</th><th>Locked</th><th></th></tr></thead><tbody>
${locks.map((lock) => html`<tr data-lock="${lock.id}"><td>${CREDENTIAL_LABELS[lock.credential]}</td><td>${lock.account_masked}</td><td>${lock.name_kanji ?? html`<span class="muted">no such account</span>`}</td>
<td>${lock.failures_consecutive}</td><td>${time(lock.locked_at)}</td>
<td><form method="post" action="/staff/security/credentials/${lock.id}/unlock">${csrf}<button type="submit">Unlock (after calling the customer)</button></form></td></tr>`)}
</tbody></table>`}`;
    return reply.type('text/html').send(bankPage('Credential security', body, html`<a href="/staff">Console</a>`));
  });

  app.post<{ Body: { csrf: string; customer_id: string; factor: 'totp' | 'sms' } }>('/staff/security/factors/unlock', {
    schema: {
      body: Type.Object({
        csrf: Type.String({ maxLength: 100 }),
        customer_id: Type.String({ format: 'uuid' }),
        factor: Type.Union([Type.Literal('totp'), Type.Literal('sms')]),
      }),
    },
  }, (request, reply) => action(request, reply, 'unlock factor', async (staff_id) => ({
    done: await secondFactors.unlock(request.body.customer_id, request.body.factor, { by: staff_id }),
    facts: { customer_id: request.body.customer_id, factor: request.body.factor },
  })));

  app.post<{ Params: { id: string }; Body: { csrf: string } }>('/staff/security/credentials/:id/unlock', {
    schema: { params: UUID_PARAM, body: CSRF_BODY },
  }, (request, reply) => action(request, reply, 'unlock credential', async (staff_id) => ({
    done: await throttle.unlockAccount(request.params.id, { by: staff_id }),
    facts: { lock_id: request.params.id },
  })));

  app.post<{ Params: { id: string }; Body: { csrf: string } }>('/staff/security/blocks/:id/lift', {
    schema: { params: UUID_PARAM, body: CSRF_BODY },
  }, (request, reply) => action(request, reply, 'lift block', async (staff_id) => ({
    done: await throttle.liftBlock(request.params.id, { by: staff_id }),
    facts: { block_id: request.params.id },
  })));

  app.post<{ Params: { id: string }; Body: { csrf: string } }>('/staff/security/alerts/:id/resolve', {
    schema: { params: UUID_PARAM, body: CSRF_BODY },
  }, (request, reply) => action(request, reply, 'resolve alert', async (staff_id) => ({
    done: await throttle.resolveAlert(request.params.id, { by: staff_id }),
    facts: { alert_id: request.params.id },
  })));
}
