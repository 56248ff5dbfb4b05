import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { errorCodes } from '../errors/error-codes.ts';
import { japanDate, jst } from '../shared/japan-time.ts';
import { formatYen } from '../shared/yen.ts';
import { html } from './html.ts';
import { bankPage } from './layout.ts';
import type { SessionStore } from './session-store.ts';
import { createStaffGate, refuseStaffForm } from './staff-gate.ts';
import { FORM_TOKEN_CHARS_MAX, requireFormTokens } from '../http/form-csrf.ts';
import { logInStaff, type StaffLoginResult } from '../staff/staff-login.ts';
import { actorName, staffPage } from './staff-frame.ts';
import { alertLabel } from './staff-alerts-page.ts';
import { staffOperatorsPage } from './staff-operators-page.ts';
import { staffChargesPage } from './staff-charges-page.ts';
import { staffAlertsPage } from './staff-alerts-page.ts';
import { staffCasesPages } from './staff-cases-pages.ts';
import { staffCustomerPages } from './staff-customer-pages.ts';
import { staffAuditPage } from './staff-audit-page.ts';
import { staffScansPages } from './staff-scans-pages.ts';
import { staffIncidentsPages } from './staff-incidents-pages.ts';
import { staffCompensationPages } from './staff-compensation-pages.ts';
import { staffCampaignPages } from './staff-campaign-pages.ts';
import { dashboardCharts, staffDashboardCharts } from './staff-dashboard-charts.ts';

/** Alerts and audit entries the dashboard previews; the full lists are a click away. */
const DASHBOARD_ROWS_MAX = 8;

type StaffLoginRefusal = Extract<StaffLoginResult, { ok: false }>['code'];

/** What the login page says for each refusal: never which of the three fields was wrong. */
const LOGIN_REFUSALS: Record<StaffLoginRefusal, string> = {
  staff_login_failed: 'ID、パスワードまたは認証コードが違います。 Wrong staff ID, password or authenticator code.',
  credential_attempts_locked: 'このIDはロックされています。管理者に解除を依頼してください。 This login is locked after too many failures: ask an administrator to unlock it.',
  too_many_attempts: '試行回数が多すぎます。しばらくしてからお試しください。 Too many attempts from here; try again later.',
};

function loginPage(form_token: string, refusal?: StaffLoginRefusal): string {
  return bankPage('Staff login', html`<h1>行員ログイン / Staff login</h1><div class="card"><form method="post" action="/staff/login">
<input type="hidden" name="csrf" value="${form_token}">
${refusal ? html`<p class="error" role="alert" data-code="${refusal}">${LOGIN_REFUSALS[refusal]}</p>` : ''}
<label for="login_id">ID</label><input id="login_id" name="login_id" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="totp_code">認証アプリのコード (6桁) Authenticator code</label><input id="totp_code" name="totp_code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Log in</button></form>
<p class="muted">認証アプリは管理者が登録します (furikae staff enrol)。 Your administrator registers your authenticator app.</p></div>`);
}

/** Staff console: login, the dashboard, and every console section (operators, charges, alerts, cases, customers, audit). */
export async function staffPages(app: FastifyInstance, services: BankServices, sessions: SessionStore): Promise<void> {
  requireFormTokens(app, refuseStaffForm);
  const gate = createStaffGate(services, sessions);

  app.get('/staff/login', async (_request, reply) => reply.type('text/html').send(loginPage(reply.formToken())));

  app.post<{ Body: { login_id: string; password: string; totp_code: string } }>('/staff/login', {
    schema: {
      body: Type.Object({
        csrf: Type.Optional(Type.String({ maxLength: FORM_TOKEN_CHARS_MAX })), login_id: Type.String({ maxLength: 64 }),
        password: Type.String({ maxLength: 128 }), totp_code: Type.String({ maxLength: 12 }),
      }),
    },
  }, async (request, reply) => {
    const { login_id, password, totp_code } = request.body;
    const result = await logInStaff(services, { login_id, password, totp_code, source_ip: request.ip });
    if (!result.ok) return reply.status(errorCodes[result.code].status).type('text/html').send(loginPage(reply.formToken(), result.code));
    await sessions.begin(request, reply, 'staff', result.staff.id);
    return reply.redirect('/staff', 303);
  });

  app.post('/staff/logout', async (request, reply) => {
    const context = await gate.action(request, reply, 'viewer');
    if (!context) return reply;
    await sessions.logout(request, reply, 'staff');
    await services.audit.record({ staff_id: context.staff.id, action: 'staff.logout', subject: context.staff.id, details: { source_ip: request.ip } });
    return reply.redirect('/staff/login', 303);
  });

  app.get('/staff', async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const dayStart = new Date(`${japanDate(services.clock.now())}T00:00:00+09:00`);
    const [counts, [today], operators, alerts, myCases, audit, staff] = await Promise.all([
      services.cases.counts(),
      services.db.query<{ charges: number; amount_yen: number }>(
        `SELECT count(*)::int AS charges, coalesce(sum(amount_yen) FILTER (WHERE status = 'succeeded'), 0)::bigint AS amount_yen
           FROM charges WHERE created_at >= $1`, [dayStart]),
      services.operators.list(),
      services.cases.listAlerts({ status: 'active', limit: DASHBOARD_ROWS_MAX }),
      services.cases.listCases({ status: 'open', assignee_staff_id: context.staff.id, limit: DASHBOARD_ROWS_MAX }),
      services.audit.list({ limit: DASHBOARD_ROWS_MAX }),
      services.staff.list(),
    ]);
    const names = new Map(staff.map((member) => [member.id, member.display_name]));
    const suspended = operators.filter((operator) => operator.new_links_suspended || operator.charges_suspended);
    const stat = (href: string, n: number | string, label: string, alarm: boolean, id: string) =>
      html`<a class="stat ${alarm ? 'alarm' : ''}" href="${href}" id="${id}"><div class="n">${n}</div><div class="label">${label}</div></a>`;
    const body = html`<h1>監視コンソール / Console</h1>
<div class="stats">
${stat('/staff/alerts', counts.alerts_open, `未対応アラート Open alerts (+${counts.alerts_acknowledged} acknowledged)`, counts.alerts_open > 0, 'stat-alerts')}
${stat('/staff/cases', counts.cases_open, '対応中の案件 Open cases', counts.cases_open > 0, 'stat-cases')}
${stat('/staff/charges', today?.charges ?? 0, `本日の取引 Charges today · ${formatYen(today?.amount_yen ?? 0)} moved`, false, 'stat-charges')}
${stat('/staff/operators', `${suspended.length} / ${operators.length}`, '停止中の事業者 Operators suspended', suspended.length > 0, 'stat-suspended')}
</div>
${suspended.length > 0 ? html`<p class="banner-warn" role="status">停止中 Suspended: ${suspended.map((operator, index) => html`${index ? ', ' : ''}${operator.display_name} (${[
      operator.new_links_suspended ? 'new links' : '', operator.charges_suspended ? 'charges' : ''].filter(Boolean).join(' + ')})`)}</p>` : ''}
${dashboardCharts()}
<h2>新しいアラート Latest alerts</h2>
${alerts.length === 0 ? html`<p class="muted">なし None</p>` : html`<table><tbody>${alerts.map((alert) => html`<tr><td>${jst(alert.at)}</td>
<td class="sev-${alert.severity}">${alert.severity}</td><td>${alertLabel(alert.kind)}</td><td>${alert.reason_codes.map((code) => html`<span class="code">${code}</span> `)}</td><td>${alert.status}</td></tr>`)}</tbody></table>`}
<h2>担当中の案件 My open cases</h2>
${myCases.length === 0 ? html`<p class="muted">なし None</p>` : html`<table><tbody>${myCases.map((c) => html`<tr><td><a href="/staff/cases/${c.id}">${c.summary}</a></td><td>${c.kind}</td><td>${jst(c.opened_at)}</td></tr>`)}</tbody></table>`}
<h2>最近の操作 Recent staff actions</h2>
${audit.length === 0 ? html`<p class="muted">なし None</p>` : html`<table><tbody>${audit.map((entry) => html`<tr><td>${jst(entry.at)}</td><td>${actorName(entry.staff_id, names)}</td><td><span class="code">${entry.action}</span></td><td>${entry.reason ?? ''}</td></tr>`)}</tbody></table>
<p><a href="/staff/audit">監査ログ Audit log →</a></p>`}`;
    return reply.type('text/html').send(staffPage(context, 'Dashboard', '/staff', body));
  });

  await staffDashboardCharts(app, services, gate);
  await staffOperatorsPage(app, services, gate);
  await staffChargesPage(app, services, gate);
  await staffAlertsPage(app, services, gate);
  await staffCasesPages(app, services, gate);
  await staffCustomerPages(app, services, gate);
  await staffAuditPage(app, services, gate);
  await staffScansPages(app, services, gate);
  await staffIncidentsPages(app, services, gate);
  await staffCompensationPages(app, services, gate);
  await staffCampaignPages(app, services, gate);
}
