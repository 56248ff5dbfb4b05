import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { readPassbook } from '../bank/passbook.ts';
import { japanDate } from '../shared/japan-time.ts';
import { customerAccountLabel, maskAccountNumber } from '../linking/link.ts';
import { verifyCustomerPassword } from '../bank/customer-login.ts';
import { SIGN_IN_REFUSAL_STATUS, SIGN_IN_REFUSAL_TEXT, type SignInRefusal } from '../bank/credential-lock-text.ts';
import { formatYen } from '../shared/yen.ts';
import { BANK_FRAUD_DESK_PHONE, BANK_NAME } from '../notify/bank-contact.ts';
import { html, type SafeHtml } from './html.ts';
import { customerPage } from './layout.ts';
import { pageLang, sayFor, type Say } from './page-lang.ts';
import type { SessionStore } from './session-store.ts';
import { FORM_TOKEN_CHARS_MAX, requireFormTokens } from '../http/form-csrf.ts';
import { refuseCustomerForm } from './form-expired-page.ts';

function loginPage(request: FastifyRequest, reply: FastifyReply, error?: SignInRefusal): string {
  return customerPage(request, reply, { ja: 'ログイン', en: 'Log in' }, (say) => html`<h1>${say('インターネットバンキング ログイン', 'Internet banking: log in')}</h1>
<div class="card"><form method="post" action="/bank/login"><input type="hidden" name="csrf" value="${reply.formToken()}">
${error ? html`<p class="error" role="alert">${say(SIGN_IN_REFUSAL_TEXT[error].ja, SIGN_IN_REFUSAL_TEXT[error].en)}</p>` : ''}
<label for="login_id">${say('ログインID', 'Login ID')}</label><input id="login_id" name="login_id" autocomplete="username" required>
<label for="password">${say('パスワード', 'Password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p class="muted">${say('キャッシュカードの暗証番号(4桁)ではありません。', 'This is not your 4-digit cash-card PIN.')}</p>
<button type="submit" class="primary">${say('ログイン', 'Log in')}</button></form></div>`);
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

  app.get('/bank/login', async (request, reply) => reply.type('text/html').send(loginPage(request, reply)));

  app.post<{ Body: { login_id: string; password: string } }>('/bank/login', {
    schema: { body: Type.Object({ csrf: Type.Optional(Type.String({ maxLength: FORM_TOKEN_CHARS_MAX })), login_id: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 128 }) }) },
  }, async (request, reply) => {
    const login = await verifyCustomerPassword(services, { login_id: request.body.login_id, password: request.body.password, source_ip: request.ip });
    if (!login.ok) return reply.status(SIGN_IN_REFUSAL_STATUS[login.code]).type('text/html').send(loginPage(request, reply, login.code));
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
    if (!link) return reply.status(404).type('text/html').send(customerPage(request, reply, { ja: '見つかりません', en: 'Not found' }, (say) => html`<p class="error">${say('この連携は見つかりません。', 'No such link.')}</p>`, { fallback_path: '/bank/passbook' }));
    request.log.info({ link_id: link.id, customer_id: session.subject_id }, 'link revoked by customer');
    return reply.redirect('/bank/passbook');
  });

  app.get('/bank/passbook', async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const customer = await services.core.getCustomer(session.subject_id);
    const accounts = await services.core.accountsOf(session.subject_id);
    const say = sayFor(pageLang(request, reply));
    const sections: SafeHtml[] = [];
    const operators = new Map((await services.operators.list()).map((operator) => [operator.id, operator]));
    for (const account of accounts) {
      const lines = await readPassbook(services.db, services.ledger, account.id);
      const links = await services.links.listForAccount(account.id);
      sections.push(html`<div class="card"><h2>${say(`普通預金 ${customerAccountLabel(account.branch_code, maskAccountNumber(account.account_number))}`, `Ordinary account: branch ${account.branch_code}, ${maskAccountNumber(account.account_number)}`)}</h2>
<p>${say('残高', 'Balance')}: <strong id="balance">${formatYen(await services.core.balance(account.id))}</strong></p>
<table id="passbook"><thead><tr><th>${say('年月日', 'Date')}</th><th>${say('摘要', 'Description')}</th><th class="yen">${say('お支払金額', 'Out')}</th><th class="yen">${say('お預り金額', 'In')}</th><th class="yen">${say('差引残高', 'Balance')}</th></tr></thead>
<tbody>${lines.map((line) => html`<tr><td>${line.date}</td><td>${line.label}</td><td class="yen">${line.withdrawal_yen === null ? '' : formatYen(line.withdrawal_yen)}</td><td class="yen">${line.deposit_yen === null ? '' : formatYen(line.deposit_yen)}</td><td class="yen">${formatYen(line.balance_yen)}</td></tr>`)}</tbody></table>
<h2 id="linked-services">${say('連携サービス', 'Linked services')}</h2>
${links.length === 0 ? html`<p class="muted">${say('なし', 'None')}</p>` : html`<table id="links"><thead><tr><th>${say('サービス', 'Service')}</th><th>${say('方式', 'Method')}</th><th>${say('状態', 'Status')}</th><th>${say('連携日', 'Since')}</th><th>${say('同意の有効期限', 'Consent ends')}</th><th></th></tr></thead><tbody>${links.map((link) => html`<tr data-link="${link.id}"><td>${operators.get(link.operator_id)?.display_name ?? ''}</td><td>${link.method === 'legacy_pin' ? say('口座番号と暗証番号で連携 (二段階認証なし)', 'Account number and PIN, no two-step verification') : say('二段階認証で連携', 'Linked with two-step verification')}</td><td>${link.status === 'active' ? say('有効', 'Active') : link.status === 'frozen' ? say('停止中 (ご報告により)', 'Frozen (you reported it was not you)') : say('解除済', 'Revoked')}</td><td>${japanDate(link.created_at)}</td><td class="consent-ends">${link.consent_expires_at ? html`${japanDate(link.consent_expires_at)}${link.consent_expires_at <= services.clock.now() ? html` ${say('(期限切れ: サービスのアプリから更新できます)', '(ended: renew it from the service\'s app)')}` : ''}` : '—'}</td>
<td>${link.status === 'active' ? html`<form method="post" action="/bank/links/${link.id}/revoke"><input type="hidden" name="csrf" value="${reply.formToken()}"><button type="submit" class="danger">${say('連携を解除', 'Revoke')}</button></form>` : ''}</td></tr>`)}</tbody></table>`}
<p id="fraud-desk">${say('身に覚えのない取引があれば、すぐにご連絡ください', 'If you see a line you do not recognise, call us at once')}: <strong>${say(`${BANK_NAME.ja} 不正利用ダイヤル`, `${BANK_NAME.en} fraud desk`)} <a href="tel:${BANK_FRAUD_DESK_PHONE}">${BANK_FRAUD_DESK_PHONE}</a></strong> (${say('24時間', '24 hours')})</p></div>`);
    }
    const nav = (say: Say) => html`<a href="/bank/passbook">${say('通帳', 'Passbook')}</a> <a href="/bank/passbook#linked-services">${say('連携サービス', 'Linked services')}</a> <a href="/bank/security">${say('セキュリティ設定', 'Security')}</a>
<form method="post" action="/bank/logout" class="inline"><input type="hidden" name="csrf" value="${reply.formToken()}"><button type="submit" class="secondary">${say('ログアウト', 'Log out')}</button></form>`;
    return reply.type('text/html').send(customerPage(request, reply, { ja: '通帳', en: 'Passbook' }, () => html`<h1>${say(`${customer?.name_kanji ?? ''} 様の通帳`, `Passbook of ${customer?.name_kanji ?? ''}`)}</h1>${sections}`, { nav }));
  });
}
