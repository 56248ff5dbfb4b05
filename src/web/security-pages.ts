import { japanDate } from '../shared/japan-time.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { FactorView } from '../mfa/second-factor.ts';
import { isSmsSimulator, type SmsSimulator } from '../notify/sms-simulator.ts';
import { html, type SafeHtml } from './html.ts';
import { bankPage } from './layout.ts';
import { csrfMatches, type Session, type SessionStore } from './session-store.ts';

/** The customer session cookie set by customer-pages.ts (path /bank). */
const CUSTOMER_COOKIE = 'furikae_customer';
/** The SMS purpose that binds a code to registering an authenticator app, so a login code cannot do it. */
const ENROL_PURPOSE = 'enrol_totp';
/** Messages the simulated phone page shows: the newest ones are the ones anyone is waiting for. */
const SIMULATED_MESSAGES_SHOWN_MAX = 50;
const CODE_FIELD = Type.String({ maxLength: 16 });
const CSRF_FIELD = Type.String({ maxLength: 100 });

const FACTOR_LABELS = { totp: '認証アプリ Authenticator app (TOTP)', sms: 'SMS認証コード SMS code' } as const;
const STATUS_LABELS = { pending: '登録手続中 Waiting for a code', active: '利用中 Active', locked: 'ロック中 Locked' } as const;
/** One message for every failed confirmation: it never says which code was wrong (PSD2 RTS Art. 4(3)(a)). */
const NOT_ACCEPTED = 'コードを確認できませんでした。 The codes were not accepted.';
const LOCKED = 'ロックされています。当行までご連絡ください。 This factor is locked: please call the bank to unlock it.';

function factorRow(factor: FactorView): SafeHtml {
  return html`<tr data-factor="${factor.factor}"><td>${FACTOR_LABELS[factor.factor]}${factor.phone_masked ? html`<br><span class="muted">${factor.phone_masked}</span>` : ''}</td>
<td><span class="tag ${factor.status === 'locked' ? 'on' : 'off'}" data-status="${factor.status}">${STATUS_LABELS[factor.status]}</span></td>
<td>${factor.failures_consecutive}</td><td>${factor.enrolled_at ? japanDate(factor.enrolled_at) : ''}</td></tr>`;
}

/** Customer pages to register an authenticator app and see factor status; the simulated phone when SMS is simulated. */
export async function securityPages(app: FastifyInstance, services: BankServices, sessions: SessionStore): Promise<void> {
  const { secondFactors } = services;

  const requireCustomer = async (request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> => {
    const session = await sessions.read('customer', request.cookies[CUSTOMER_COOKIE]);
    if (!session) await reply.redirect('/bank/login');
    return session;
  };

  const csrfRefused = (reply: FastifyReply) =>
    reply.status(403).type('text/html').send(bankPage('Refused', html`<p class="error" role="alert">フォームの有効期限が切れました。 The form expired. Go back and try again.</p>`));

  const render = async (session: Session, notice?: { error?: string; info?: string }): Promise<string> => {
    const factors = await secondFactors.listFactors(session.subject_id);
    const totp = factors.find((factor) => factor.factor === 'totp');
    const pending = totp?.status === 'pending' ? await secondFactors.pendingTotpEnrolment(session.subject_id) : undefined;
    const csrf = html`<input type="hidden" name="csrf" value="${session.csrf_token}">`;
    let enrol: SafeHtml;
    if (pending) {
      enrol = html`<div class="card" id="totp-enrolment"><h2>認証アプリの登録 Register an authenticator app</h2>
<ol><li>認証アプリで次のキーを登録してください。 Add this key to your authenticator app:
<p><code id="totp-secret">${pending.secret}</code></p>
<p class="muted">スマートフォンでは <a id="totp-uri" href="${pending.otpauth_uri}">このリンク</a> を開くと登録できます。 On a phone, open <code>${pending.otpauth_uri}</code>.</p></li>
<li>登録済みの電話番号にSMSで確認コードを送りました。 We sent a confirmation code by SMS to your registered phone.</li></ol>
<form method="post" action="/bank/security/totp/confirm">${csrf}
<label for="totp_code">認証アプリのコード (6桁) Code from the app</label><input id="totp_code" name="totp_code" inputmode="numeric" autocomplete="one-time-code" required>
<label for="sms_code">SMSのコード (6桁) Code from the SMS</label><input id="sms_code" name="sms_code" inputmode="numeric" required>
<button type="submit">登録する Register</button></form>
<form method="post" action="/bank/security/totp/sms">${csrf}<button type="submit">SMSを再送 Send the SMS again</button></form>
<p class="muted">このキーは ${pending.expires_at.toISOString().slice(11, 16)} (UTC) まで有効です。 The key must be confirmed by then.</p></div>`;
    } else if (!totp) {
      enrol = html`<div class="card"><h2>認証アプリの登録 Register an authenticator app</h2>
<p>ログインと口座連携の承認に、認証アプリのワンタイムパスワードを使えます。 Use an authenticator app's one-time codes to log in and approve links.</p>
<form method="post" action="/bank/security/totp/start">${csrf}<button type="submit" id="start-totp">登録を始める Start</button></form></div>`;
    } else {
      enrol = html``;
    }
    const locked = factors.some((factor) => factor.status === 'locked');
    const body = html`<h1>セキュリティ設定 / Security</h1>
${notice?.error ? html`<p class="error" role="alert">${notice.error}</p>` : ''}${notice?.info ? html`<p role="status">${notice.info}</p>` : ''}
${locked ? html`<p class="banner-warn">${LOCKED}</p>` : ''}
<h2>認証方法 Second factors</h2>
<table id="factors"><thead><tr><th>方法 Factor</th><th>状態 Status</th><th>連続失敗 Failures</th><th>登録日 Since</th></tr></thead>
<tbody>${factors.map(factorRow)}</tbody></table>
${enrol}`;
    const nav = html`<a href="/bank/passbook">通帳 Passbook</a>`;
    return bankPage('セキュリティ設定', body, nav);
  };

  const smsRefused = async (reply: FastifyReply, session: Session, code: 'second_factor_locked' | 'too_many_attempts') => {
    const error = code === 'second_factor_locked' ? LOCKED : 'SMSの送信回数の上限です。しばらくしてからお試しください。 Too many codes sent; try again later.';
    return reply.status(code === 'second_factor_locked' ? 423 : 429).type('text/html').send(await render(session, { error }));
  };

  app.get('/bank/security', async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const info = (request.query as { enrolled?: string }).enrolled === '1' ? '認証アプリを登録しました。 Your authenticator app is registered.' : undefined;
    return reply.type('text/html').send(await render(session, info ? { info } : undefined));
  });

  app.post<{ Body: { csrf: string } }>('/bank/security/totp/start', {
    schema: { body: Type.Object({ csrf: CSRF_FIELD }) },
  }, async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    if (!csrfMatches(session, request.body.csrf)) return csrfRefused(reply);
    const started = await secondFactors.startTotpEnrolment(session.subject_id);
    if (!started.ok) return reply.status(409).type('text/html').send(await render(session, { error: '認証アプリは登録済みです。 An authenticator app is already registered.' }));
    const sent = await secondFactors.sendSmsCode(session.subject_id, ENROL_PURPOSE);
    if (!sent.ok) return smsRefused(reply, session, sent.code);
    return reply.redirect('/bank/security', 303);
  });

  app.post<{ Body: { csrf: string } }>('/bank/security/totp/sms', {
    schema: { body: Type.Object({ csrf: CSRF_FIELD }) },
  }, async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    if (!csrfMatches(session, request.body.csrf)) return csrfRefused(reply);
    const sent = await secondFactors.sendSmsCode(session.subject_id, ENROL_PURPOSE);
    if (!sent.ok) return smsRefused(reply, session, sent.code);
    return reply.redirect('/bank/security', 303);
  });

  app.post<{ Body: { csrf: string; totp_code: string; sms_code: string } }>('/bank/security/totp/confirm', {
    schema: { body: Type.Object({ csrf: CSRF_FIELD, totp_code: CODE_FIELD, sms_code: CODE_FIELD }) },
  }, async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    if (!csrfMatches(session, request.body.csrf)) return csrfRefused(reply);
    const customer_id = session.subject_id;
    // Binding a new factor needs the one the customer already has: a stolen password alone must not add the thief's app.
    const confirmed = await secondFactors.confirmTotpEnrolment(customer_id, request.body.totp_code.trim(),
      { factor: 'sms', code: request.body.sms_code.trim(), purpose: ENROL_PURPOSE });
    if (!confirmed.ok) {
      const [status, error] = confirmed.code === 'second_factor_locked' ? [423, LOCKED]
        : confirmed.code === 'totp_enrolment_not_started' ? [409, '登録の有効期限が切れました。もう一度始めてください。 The registration expired; start again.']
        : [401, NOT_ACCEPTED];
      return reply.status(status).type('text/html').send(await render(session, { error }));
    }
    request.log.info({ customer_id, factor: 'totp' }, 'authenticator app registered from the security page');
    return reply.redirect('/bank/security?enrolled=1', 303);
  });

  if (isSmsSimulator(services.sms)) simulatedPhonePage(app, services.sms);
}

/** The SMS simulator's inbox, for the demo: every message the bank "sent", codes included. Never wired to a real carrier. */
function simulatedPhonePage(app: FastifyInstance, simulator: SmsSimulator): void {
  app.get('/simulator/sms', async (_request, reply) => {
    const messages = simulator.messages().slice(-SIMULATED_MESSAGES_SHOWN_MAX).reverse();
    const body = html`<h1>SMSシミュレーター / SMS simulator</h1>
<p class="banner-warn">デモ専用: 実際のSMSは送信されていません。 Demo only: no real SMS was sent. These are the messages the bank would have sent.</p>
<table id="sms"><thead><tr><th>To</th><th>Sent (UTC)</th><th>Purpose</th><th>Text</th></tr></thead><tbody>
${messages.map((message) => html`<tr><td>${message.to_phone}</td><td>${message.sent_at.toISOString().slice(0, 19)}</td><td>${message.purpose}</td><td>${message.text}</td></tr>`)}
</tbody></table>`;
    return reply.type('text/html').send(bankPage('SMS simulator', body));
  });
}
