import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { readPassbook } from '../bank/passbook.ts';
import { japanDate } from '../shared/japan-time.ts';
import { customerAccountLabel, maskAccountNumber } from '../linking/link.ts';
import { verifyCustomerPassword } from '../bank/customer-login.ts';
import { SIGN_IN_REFUSAL_STATUS, signInRefusalBilingual } from '../bank/credential-lock-text.ts';
import { formatYen } from '../shared/yen.ts';
import { BANK_FRAUD_DESK_PHONE, BANK_NAME } from '../notify/bank-contact.ts';
import { html } from './html.ts';
import { bankPage } from './layout.ts';
import type { SessionStore } from './session-store.ts';
import { FORM_TOKEN_CHARS_MAX, requireFormTokens } from '../http/form-csrf.ts';
import { refuseCustomerForm } from './form-expired-page.ts';

function loginPage(form_token: string, error?: string): string {
  return bankPage('ログイン', html`<h1>インターネットバンキング ログイン / Log in</h1>
<div class="card"><form method="post" action="/bank/login"><input type="hidden" name="csrf" value="${form_token}">
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<label for="login_id">ログインID / Login ID</label><input id="login_id" name="login_id" autocomplete="username" required>
<label for="password">パスワード / Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p class="muted">キャッシュカードの暗証番号(4桁)ではありません。 This is not your 4-digit cash-card PIN.</p>
<button type="submit">ログイン / Log in</button></form></div>`);
}

/** Customer pages: log in, read the passbook, see linked services. */
export async function customerPages(app: FastifyInstance, services: BankServices, sessions: SessionStore): Promise<void> {
  requireFormTokens(app, refuseCustomerForm);
  const requireCustomer = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await sessions.read(request, 'customer');
    if (!session) {
      await reply.redirect('/bank/login');
      return undefined;
    }
    return session;
  };

  app.get('/bank/login', async (_request, reply) => reply.type('text/html').send(loginPage(reply.formToken())));

  app.post<{ Body: { login_id: string; password: string } }>('/bank/login', {
    schema: { body: Type.Object({ csrf: Type.Optional(Type.String({ maxLength: FORM_TOKEN_CHARS_MAX })), login_id: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 128 }) }) },
  }, async (request, reply) => {
    const login = await verifyCustomerPassword(services, { login_id: request.body.login_id, password: request.body.password, source_ip: request.ip });
    if (!login.ok) return reply.status(SIGN_IN_REFUSAL_STATUS[login.code]).type('text/html').send(loginPage(reply.formToken(), signInRefusalBilingual(login.code)));
    await sessions.begin(request, reply, 'customer', login.customer.id);
    return reply.redirect('/bank/passbook');
  });

  app.post('/bank/logout', async (request, reply) => {
    await sessions.logout(request, reply, 'customer');
    return reply.redirect('/bank/login');
  });

  app.post<{ Params: { id: string } }>('/bank/links/:id/revoke', {
    schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }) },
  }, async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const link = await services.links.revokeByCustomer(session.subject_id, request.params.id);
    if (!link) return reply.status(404).type('text/html').send(bankPage('Not found', html`<p class="error">No such link.</p>`));
    request.log.info({ link_id: link.id, customer_id: session.subject_id }, 'link revoked by customer');
    return reply.redirect('/bank/passbook');
  });

  app.get('/bank/passbook', async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const customer = await services.core.getCustomer(session.subject_id);
    const accounts = await services.core.accountsOf(session.subject_id);
    const sections = [];
    for (const account of accounts) {
      const lines = await readPassbook(services.db, services.ledger, account.id);
      const links = await services.links.listForAccount(account.id);
      const operators = new Map((await services.operators.list()).map((operator) => [operator.id, operator]));
      sections.push(html`<div class="card"><h2>普通預金 ${customerAccountLabel(account.branch_code, maskAccountNumber(account.account_number))}</h2>
<p>残高 Balance: <strong id="balance">${formatYen(await services.core.balance(account.id))}</strong></p>
<table id="passbook"><thead><tr><th>年月日 Date</th><th>摘要 Description</th><th class="yen">お支払金額 Out</th><th class="yen">お預り金額 In</th><th class="yen">差引残高 Balance</th></tr></thead>
<tbody>${lines.map((line) => html`<tr><td>${line.date}</td><td>${line.label}</td><td class="yen">${line.withdrawal_yen === null ? '' : formatYen(line.withdrawal_yen)}</td><td class="yen">${line.deposit_yen === null ? '' : formatYen(line.deposit_yen)}</td><td class="yen">${formatYen(line.balance_yen)}</td></tr>`)}</tbody></table>
<h2>連携サービス Linked services</h2>
${links.length === 0 ? html`<p class="muted">なし None</p>` : html`<table id="links"><thead><tr><th>サービス Service</th><th>方式 Method</th><th>状態 Status</th><th>連携日 Since</th><th></th></tr></thead><tbody>${links.map((link) => html`<tr data-link="${link.id}"><td>${operators.get(link.operator_id)?.display_name ?? ''}</td><td>${link.method === 'legacy_pin' ? '口座番号と暗証番号で連携 (二段階認証なし) / account number and PIN, no two-step verification' : '二段階認証で連携 / linked with two-step verification'}</td><td>${link.status === 'active' ? '有効 active' : link.status === 'frozen' ? '停止中 frozen (ご報告により / reported not you)' : '解除済 revoked'}</td><td>${japanDate(link.created_at)}</td>
<td>${link.status === 'active' ? html`<form method="post" action="/bank/links/${link.id}/revoke"><input type="hidden" name="csrf" value="${reply.formToken()}"><button type="submit" class="danger">連携を解除 Revoke</button></form>` : ''}</td></tr>`)}</tbody></table>`}
<p id="fraud-desk">身に覚えのない取引があれば、すぐにご連絡ください: <strong>${BANK_NAME.ja} 不正利用ダイヤル <a href="tel:${BANK_FRAUD_DESK_PHONE}">${BANK_FRAUD_DESK_PHONE}</a></strong> (24時間)<br>
If you see a line you do not recognise, call the ${BANK_NAME.en} fraud desk at once: ${BANK_FRAUD_DESK_PHONE} (24 hours).</p></div>`);
    }
    const nav = html`<a href="/bank/passbook">通帳 Passbook</a> <a href="/bank/passbook#links">連携サービス Linked services</a> <a href="/bank/security">セキュリティ設定 Security</a>
<form method="post" action="/bank/logout" class="inline"><input type="hidden" name="csrf" value="${reply.formToken()}"><button type="submit">ログアウト Log out</button></form>`;
    return reply.type('text/html').send(bankPage('通帳', html`<h1>${customer?.name_kanji ?? ''} 様の通帳 / Passbook</h1>${sections}`, nav));
  });
}
