import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { readPassbook } from '../bank/passbook.ts';
import { maskAccountNumber } from '../linking/link.ts';
import { formatYen } from '../shared/yen.ts';
import { roleAllows } from '../staff/staff-role.ts';
import { html } from './html.ts';
import { csrfField, sendStaffRefusal, type StaffGate } from './staff-gate.ts';
import { jst } from '../shared/japan-time.ts';
import { staffPage } from './staff-frame.ts';
import { alertsTable } from './staff-alerts-page.ts';
import { casesTable } from './staff-cases-pages.ts';
import { CREDENTIAL_LABELS, lockedAccountLabel } from '../throttle/credential-attempt.ts';
import { changePhoneNumber } from '../bank/change-phone-number.ts';
import { SWITCH_REASON_CHARS_MAX } from './staff-operators-page.ts';

/** Customers the list shows: the console is for looking someone up, not for browsing the bank. */
export const CUSTOMERS_LISTED_MAX = 100;
/** Passbook lines shown per account on the customer page: the latest month or two for most customers. */
export const PASSBOOK_LINES_SHOWN = 30;

const LINK_STATUS_CLASS: Record<string, string> = { active: 'off', revoked: '', frozen: 'on' };

/** A link's consent end for staff: none (legacy), the time, and whether it has passed (charges are refused consent_expired). */
function consentEnds(consent_expires_at: Date | null, now: Date) {
  if (!consent_expires_at) return html`<span class="muted">—</span>`;
  return html`${jst(consent_expires_at)}${consent_expires_at <= now ? html` <span class="tag on">expired</span>` : ''}`;
}

/** Customers: the list, and one customer's passbook, links, second factors and locks, with admin unlocks. */
export async function staffCustomerPages(app: FastifyInstance, services: BankServices, gate: StaffGate): Promise<void> {
  app.get('/staff/customers', async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const customers = await services.core.listCustomers(CUSTOMERS_LISTED_MAX);
    const rows = [];
    for (const customer of customers) {
      for (const account of await services.core.accountsOf(customer.id)) {
        const links = await services.links.listForAccount(account.id);
        rows.push(html`<tr data-customer="${customer.id}"><td><a href="/staff/customers/${customer.id}">${customer.name_kanji}</a><br><span class="muted">${customer.name_kana} · ${customer.birth_date}</span></td>
<td>${account.branch_code}-${maskAccountNumber(account.account_number)}</td><td class="yen">${formatYen(await services.core.balance(account.id))}</td>
<td>${links.filter((link) => link.status === 'active').length}${links.some((link) => link.status === 'frozen') ? html` <span class="tag on">frozen</span>` : ''}</td></tr>`);
      }
    }
    const body = html`<h1>顧客 / Customers</h1>
<table id="customers"><thead><tr><th>Name</th><th>Account</th><th class="yen">Balance</th><th>Active links</th></tr></thead><tbody>${rows}</tbody></table>`;
    return reply.type('text/html').send(staffPage(context, 'Customers', '/staff/customers', body));
  });

  app.get<{ Params: { id: string } }>('/staff/customers/:id', {
    schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }) },
  }, async (request, reply) => {
    const context = await gate.page(request, reply);
    if (!context) return reply;
    const customer = await services.core.getCustomer(request.params.id);
    if (!customer) return sendStaffRefusal(reply, 'staff_target_not_found');
    const admin = roleAllows(context.staff.role, 'admin');
    const csrf = csrfField(context);
    const [accounts, operators, factors, locks, alerts, cases, staff] = await Promise.all([
      services.core.accountsOf(customer.id),
      services.operators.list(),
      services.secondFactors.listFactors(customer.id),
      services.throttle.listLocks({ customer_id: customer.id }),
      services.cases.listAlerts({ customer_id: customer.id }),
      services.cases.listCases({ customer_id: customer.id }),
      services.staff.list(),
    ]);
    const operatorNames = new Map(operators.map((operator) => [operator.id, operator.display_name]));
    const sections = [];
    for (const account of accounts) {
      const [balance, lines, links] = await Promise.all([
        services.core.balance(account.id), readPassbook(services.db, services.ledger, account.id), services.links.listForAccount(account.id)]);
      sections.push(html`<div class="card" data-account="${account.id}"><h2 class="flush">普通預金 ${account.branch_code}-${maskAccountNumber(account.account_number)} · ${formatYen(balance)}</h2>
<h3>連携サービス Links</h3>
${links.length === 0 ? html`<p class="muted">なし None</p>` : html`<table class="links"><thead><tr><th>Operator</th><th>Method</th><th>Status</th><th>Linked (JST)</th><th>Consent ends (JST)</th><th class="yen">Limits</th></tr></thead><tbody>
${links.map((link) => html`<tr data-link="${link.id}" id="link-${link.id}"><td>${operatorNames.get(link.operator_id) ?? link.operator_id}</td>
<td>${link.method === 'legacy_pin' ? html`<span class="tag on">legacy PIN</span>` : 'FAPI 2.0'}</td>
<td><span class="tag ${LINK_STATUS_CLASS[link.status] ?? ''}">${link.status}</span>${link.revoked_by ? html`<br><span class="muted">by ${link.revoked_by}</span>` : ''}</td>
<td>${jst(link.created_at)}</td><td class="consent-ends">${consentEnds(link.consent_expires_at, services.clock.now())}</td><td class="yen">${formatYen(link.charge_yen_max)} / charge<br>${formatYen(link.charges_yen_per_month_max)} / month</td></tr>`)}</tbody></table>`}
<h3>通帳 Passbook <span class="muted">(latest ${PASSBOOK_LINES_SHOWN})</span></h3>
<table class="passbook"><thead><tr><th>年月日 Date</th><th>摘要 Description</th><th class="yen">お支払 Out</th><th class="yen">お預り In</th><th class="yen">残高 Balance</th></tr></thead>
<tbody>${lines.slice(-PASSBOOK_LINES_SHOWN).map((line) => html`<tr><td>${line.date}</td><td>${line.label}</td><td class="yen">${line.withdrawal_yen === null ? '' : formatYen(line.withdrawal_yen)}</td><td class="yen">${line.deposit_yen === null ? '' : formatYen(line.deposit_yen)}</td><td class="yen">${formatYen(line.balance_yen)}</td></tr>`)}</tbody></table></div>`);
    }
    const names = new Map(staff.map((member) => [member.id, member.display_name]));
    const body = html`<h1>${customer.name_kanji} <span class="muted">${customer.name_kana}</span></h1>
<div class="card"><p>生年月日 Born ${customer.birth_date} · ☎ <span data-phone>${customer.phone}</span> · ${customer.email}<br><span class="muted">${customer.address} · customer <code>${customer.id}</code></span></p>
${admin ? html`<h3>電話番号の変更 Change of phone number</h3><form method="post" action="/staff/customers/${customer.id}/phone" class="inline" id="change-phone">${csrf}
<input name="phone" required maxlength="20" inputmode="tel" placeholder="090-1234-5678" aria-label="New phone number">
<input name="reason" required maxlength="${SWITCH_REASON_CHARS_MAX}" placeholder="理由 Reason (required)" aria-label="Reason for changing the phone number">
<button type="submit" data-action="change-phone">電話番号を変更 Change phone number (photo ID seen at the branch)</button></form>
<p class="muted">The old number gets a text and the customer an e-mail. For 30 days a new link's large first charges wait for staff.</p>` : ''}</div>
<h2>第二要素 Second factors</h2>
<table id="factors"><thead><tr><th>Factor</th><th>Status</th><th>Failures in a row</th><th>Locked (JST)</th><th></th></tr></thead><tbody>
${factors.map((factor) => html`<tr data-factor="${factor.factor}" data-status="${factor.status}"><td>${factor.factor === 'totp' ? '認証アプリ TOTP' : factor.factor === 'passkey' ? `パスキー Passkeys (${factor.passkeys_count ?? 0})` : html`SMS ${factor.phone_masked ?? ''}`}</td>
<td><span class="tag ${factor.status === 'locked' ? 'on' : 'off'}">${factor.status}</span></td><td>${factor.failures_consecutive}</td><td>${jst(factor.locked_at)}</td>
<td>${factor.status === 'locked' ? admin ? html`<form method="post" action="/staff/security/factors/unlock">${csrf}<input type="hidden" name="customer_id" value="${customer.id}"><input type="hidden" name="factor" value="${factor.factor}"><button type="submit" data-action="unlock-factor">解除 Unlock (after calling the customer)</button></form>` : html`<span class="muted">admin only</span>` : ''}</td></tr>`)}
</tbody></table>
<h2>ロック Credential locks</h2>
${locks.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="locks"><thead><tr><th>Credential</th><th>Account</th><th>Failures</th><th>Locked (JST)</th><th></th></tr></thead><tbody>
${locks.map((lock) => html`<tr data-lock="${lock.id}"><td>${CREDENTIAL_LABELS[lock.credential]}</td><td>${lockedAccountLabel(lock)}</td><td>${lock.failures_consecutive}</td><td>${jst(lock.locked_at)}</td>
<td>${admin ? html`<form method="post" action="/staff/security/credentials/${lock.id}/unlock">${csrf}<button type="submit" data-action="unlock-credential">解除 Unlock (after calling the customer)</button></form>` : html`<span class="muted">admin only</span>`}</td></tr>`)}</tbody></table>`}
${sections}
<h2>アラート Alerts</h2>${alertsTable(context, alerts)}
<h2>案件 Cases</h2>${casesTable(cases, names)}`;
    return reply.type('text/html').send(staffPage(context, customer.name_kanji, '/staff/customers', body));
  });

  /** A phone number change at the branch, by an admin who saw the customer's photo ID; audited with the reason. */
  app.post<{ Params: { id: string }; Body: { csrf?: string; phone?: string; reason?: string } }>('/staff/customers/:id/phone', {
    schema: {
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      body: Type.Object({
        csrf: Type.Optional(Type.String({ maxLength: 100 })),
        // Bounded for parsing; the real checks below answer with the console's own refusals.
        phone: Type.Optional(Type.String({ maxLength: 100 })),
        reason: Type.Optional(Type.String({ maxLength: 4 * SWITCH_REASON_CHARS_MAX })),
      }),
    },
  }, async (request, reply) => {
    const context = await gate.action(request, reply, 'admin');
    if (!context) return reply;
    const reason = (request.body.reason ?? '').trim();
    if (reason.length === 0 || reason.length > SWITCH_REASON_CHARS_MAX) return sendStaffRefusal(reply, 'staff_reason_invalid');
    const changed = await changePhoneNumber(services, { customer_id: request.params.id, phone: request.body.phone ?? '' });
    if (!changed.ok) {
      return sendStaffRefusal(reply, ({ customer_not_found: 'staff_target_not_found', phone_number_invalid: 'staff_phone_number_invalid', phone_number_unchanged: 'staff_phone_number_unchanged' } as const)[changed.code]);
    }
    const details = { previous_phone_masked: changed.previous_phone_masked, new_phone_masked: changed.new_phone_masked };
    await services.audit.record({ staff_id: context.staff.id, action: 'customer.phone_change', subject: request.params.id, reason, details });
    request.log.info({ staff_id: context.staff.id, customer_id: request.params.id, ...details }, 'phone number on record changed');
    return reply.redirect(`/staff/customers/${request.params.id}`, 303);
  });
}
