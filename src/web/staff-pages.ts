import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { verifySecret, DECOY_SECRET_HASH } from '../shared/secret-hash.ts';
import { formatYen } from '../shared/yen.ts';
import { maskAccountNumber } from '../linking/link.ts';
import type { Operator } from '../operators/operator.ts';
import { html } from './html.ts';
import { bankPage } from './layout.ts';
import { csrfMatches, type Session, type SessionStore } from './session-store.ts';

const COOKIE = 'furikae_staff';
/** Customers listed on the console's first page. */
const CUSTOMERS_LISTED_MAX = 100;

function loginPage(error?: string): string {
  return bankPage('Staff login', html`<h1>行員ログイン / Staff login</h1><div class="card"><form method="post" action="/staff/login">
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<label for="login_id">ID</label><input id="login_id" name="login_id" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Log in</button></form></div>`);
}

function switchForm(operator: Operator, name: 'new_links_suspended' | 'charges_suspended', session: Session) {
  const on = operator[name];
  return html`<form method="post" action="/staff/operators/${operator.id}/switches" style="display:inline">
<input type="hidden" name="csrf" value="${session.csrf_token}"><input type="hidden" name="name" value="${name}"><input type="hidden" name="on" value="${on ? 'false' : 'true'}">
<span class="tag ${on ? 'on' : 'off'}" data-switch="${name}">${on ? 'SUSPENDED' : 'open'}</span>
<button type="submit" class="${on ? '' : 'danger'}" data-action="${name}">${on ? 'Resume' : 'Suspend'}</button></form>`;
}

/** Staff console: operators with their kill switches, and customers. */
export async function staffPages(app: FastifyInstance, services: BankServices, sessions: SessionStore): Promise<void> {
  const requireStaff = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await sessions.read('staff', request.cookies[COOKIE]);
    if (!session) await reply.redirect('/staff/login');
    return session;
  };

  app.get('/staff/login', async (_request, reply) => reply.type('text/html').send(loginPage()));

  app.post<{ Body: { login_id: string; password: string } }>('/staff/login', {
    schema: { body: Type.Object({ login_id: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 128 }) }) },
  }, async (request, reply) => {
    const [staff] = await services.db.query<{ id: string; password_hash: string }>(
      `SELECT id, password_hash FROM staff_users WHERE login_id = $1`, [request.body.login_id]);
    const ok = await verifySecret(request.body.password, staff?.password_hash ?? DECOY_SECRET_HASH);
    if (!staff || !ok) return reply.status(401).type('text/html').send(loginPage('Wrong ID or password.'));
    reply.setCookie(COOKIE, await sessions.start('staff', staff.id), { path: '/staff', httpOnly: true, sameSite: 'strict' });
    return reply.redirect('/staff');
  });

  app.get('/staff', async (request, reply) => {
    const session = await requireStaff(request, reply);
    if (!session) return reply;
    const operators = await services.operators.list();
    const customers = await services.core.listCustomers(CUSTOMERS_LISTED_MAX);
    const customerRows = [];
    for (const customer of customers) {
      for (const account of await services.core.accountsOf(customer.id)) {
        const links = await services.links.listForAccount(account.id);
        customerRows.push(html`<tr><td>${customer.name_kanji}<br><span class="muted">${customer.name_kana} · ${customer.birth_date}</span></td>
<td>${account.branch_code}-${maskAccountNumber(account.account_number)}</td><td class="yen">${formatYen(await services.core.balance(account.id))}</td>
<td>${links.filter((link) => link.status === 'active').length}</td></tr>`);
      }
    }
    const body = html`<h1>監視コンソール / Console</h1>
<h2>決済事業者 Operators</h2>
<table id="operators"><thead><tr><th>Operator</th><th>Passbook label</th><th>Link methods</th><th>Limits</th><th>New links</th><th>Charges</th></tr></thead><tbody>
${operators.map((operator) => html`<tr data-operator="${operator.client_id}"><td>${operator.display_name}</td><td>${operator.passbook_label}</td>
<td>${operator.link_methods_allowed.join(', ')}${operator.link_methods_allowed.includes('legacy_pin') ? html`<br><span class="tag on">⚠ 2020 legacy PIN path enabled</span>` : ''}</td>
<td class="yen">${formatYen(operator.charge_yen_max)} / charge<br>${formatYen(operator.charges_yen_per_month_max)} / month</td>
<td>${switchForm(operator, 'new_links_suspended', session)}</td><td>${switchForm(operator, 'charges_suspended', session)}</td></tr>`)}
</tbody></table>
<h2>顧客 Customers</h2>
<table id="customers"><thead><tr><th>Name</th><th>Account</th><th class="yen">Balance</th><th>Active links</th></tr></thead><tbody>${customerRows}</tbody></table>`;
    return reply.type('text/html').send(bankPage('Console', body));
  });

  app.post<{ Params: { id: string }; Body: { csrf: string; name: 'new_links_suspended' | 'charges_suspended'; on: 'true' | 'false' } }>(
    '/staff/operators/:id/switches',
    {
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({
          csrf: Type.String({ maxLength: 100 }),
          name: Type.Union([Type.Literal('new_links_suspended'), Type.Literal('charges_suspended')]),
          on: Type.Union([Type.Literal('true'), Type.Literal('false')]),
        }),
      },
    },
    async (request, reply) => {
      const session = await requireStaff(request, reply);
      if (!session) return reply;
      if (!csrfMatches(session, request.body.csrf)) return reply.status(403).type('text/html').send(bankPage('Refused', html`<p class="error">The form expired. Go back and try again.</p>`));
      const operator = await services.operators.setSwitch(request.params.id, request.body.name, request.body.on === 'true');
      request.log.info({ staff_id: session.subject_id, operator_id: request.params.id, switch: request.body.name, on: request.body.on }, 'operator switch flipped');
      if (!operator) return reply.status(404).type('text/html').send(bankPage('Not found', html`<p class="error">No such operator.</p>`));
      return reply.redirect('/staff');
    },
  );
}
