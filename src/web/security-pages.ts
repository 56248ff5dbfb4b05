import { japanClock, japanDate } from '../shared/japan-time.ts';
import { resendControl } from './second-factor-step.ts';
import { langSwitchHref, pageLang, sayFor, type Bilingual, type Lang } from './page-lang.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { FactorView } from '../mfa/second-factor.ts';
import { html, type SafeHtml } from './html.ts';
import { bankPage } from './layout.ts';
import type { Session, SessionStore } from './session-store.ts';
import { requireFormTokens } from '../http/form-csrf.ts';
import { refuseCustomerForm } from './form-expired-page.ts';
import { passkeyEnrolmentCard, passkeyListCard, passkeyRemovalCard, type PasskeyCardContext, type VouchingFactor } from './passkey-cards.ts';
import { customerSessionBinding } from './passkey-scripts.ts';
import { PASSKEY_REFUSAL_STATUS, PASSKEY_REFUSAL_TEXT } from './passkey-refusal-text.ts';
import { PASSKEY_NAME_CHARS_MAX, PASSKEY_RESPONSE_CHARS_MAX } from '../mfa/passkeys.ts';
import { coolingOffEnds, FACTOR_STRENGTHS, NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import { FACTOR_REFUSAL_TEXT } from '../mfa/factor-refusal-text.ts';
import { isFactorGateRefusal, type FactorGateRefusal } from '../mfa/factor-gate.ts';
import { errorCodes } from '../errors/error-codes.ts';
import { BANK_FRAUD_DESK_PHONE } from '../notify/bank-contact.ts';

/** The SMS purpose that binds a code to registering an authenticator app, so a login code cannot do it. */
const ENROL_PURPOSE = 'enrol_totp';
const CODE_FIELD = Type.String({ maxLength: 16 });
/** The SMS purposes that bind a code to adding or removing a passkey: a code for one does neither the other nor a login. */
const PASSKEY_SMS_PURPOSES = ['enrol_passkey', 'remove_passkey'] as const;
const VouchBody = { factor: Type.Union([Type.Literal('totp'), Type.Literal('sms')]), code: CODE_FIELD };
const PasskeyParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** What the page says when adding or removing a passkey is refused, besides a passkey answer's own refusals. */
const PASSKEY_CHANGE_TEXT = {
  passkey_not_found: { ja: 'このパスキーは見つかりません。', en: 'No such passkey.' },
  passkey_last_factor: { ja: '他に使える認証方法がないため、このパスキーは削除できません。', en: 'This passkey is your only usable method left, so it cannot be removed.' },
  passkeys_limit_reached: { ja: 'パスキーはこれ以上登録できません。', en: 'You cannot register more passkeys.' },
  passkey_already_registered: { ja: 'このパスキーは登録済みです。', en: 'This passkey is already registered.' },
} as const;

const FACTOR_LABELS = { passkey: { ja: 'パスキー', en: 'Passkeys' }, totp: { ja: '認証アプリ', en: 'Authenticator app' }, sms: { ja: 'SMS認証コード', en: 'Code by text message (SMS)' } } as const;
const STATUS_LABELS = { pending: { ja: '登録手続中', en: 'Waiting for a code' }, active: { ja: '利用中', en: 'Active' }, locked: { ja: 'ロック中', en: 'Locked' } } as const;
/** One message for every failed confirmation: it never says which code was wrong (PSD2 RTS Art. 4(3)(a)). */
const NOT_ACCEPTED = { ja: 'コードを確認できませんでした。', en: 'The codes were not accepted.' };
const LOCKED = { ja: 'ロックされています。当行までご連絡ください。', en: 'This factor is locked: please call the bank to unlock it.' };

const COOLING_OFF_HOURS = NEW_FACTOR_COOLING_OFF_MS / (60 * 60 * 1000);

/** For a strong factor still in its cooling-off: from when it approves payments and links. */
function coolingOffNote(factor: FactorView, now: Date, lang: Lang): SafeHtml {
  const ends = coolingOffEnds(factor);
  if (factor.status !== 'active' || FACTOR_STRENGTHS[factor.factor] !== 'strong' || !ends || ends <= now) return html``;
  const at = `${japanDate(ends)} ${japanClock(ends)}`;
  return html`<br><span class="muted" data-cooling-off-until="${ends.toISOString()}">${lang === 'ja'
    ? `${at} からお支払い・口座連携の承認に使えます (登録から${COOLING_OFF_HOURS}時間は使えません)`
    : `Approves payments and links from ${at} (not in the first ${COOLING_OFF_HOURS} hours after registering)`}</span>`;
}

function factorRow(factor: FactorView, now: Date, lang: Lang): SafeHtml {
  return html`<tr data-factor="${factor.factor}"><td>${FACTOR_LABELS[factor.factor][lang]}${factor.phone_masked ? html`<br><span class="muted">${factor.phone_masked}</span>` : ''}${coolingOffNote(factor, now, lang)}</td>
<td><span class="tag ${factor.status === 'locked' ? 'on' : 'off'}" data-status="${factor.status}">${STATUS_LABELS[factor.status][lang]}</span></td>
<td>${factor.failures_consecutive}</td><td>${factor.enrolled_at ? japanDate(factor.enrolled_at) : ''}</td></tr>`;
}

/** Customer pages to register an authenticator app and see factor status. */
export async function securityPages(app: FastifyInstance, services: BankServices, sessions: SessionStore): Promise<void> {
  requireFormTokens(app, refuseCustomerForm);
  const { secondFactors, passkeys, factorGate, clock } = services;

  const requireCustomer = async (request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> => {
    const session = await sessions.read(request, 'customer');
    if (!session) await reply.redirect('/bank/login');
    return session;
  };

  /** What the passkey part of the page shows: the list, or the list and the form that adds or removes one. */
  type PasskeyMode = { add?: boolean; remove_passkey_id?: string | undefined };

  const passkeyPart = async (reply: FastifyReply, session: Session, lang: Lang, factors: readonly FactorView[], csrf: SafeHtml, mode: PasskeyMode): Promise<SafeHtml> => {
    const customer_id = session.subject_id;
    const held = await secondFactors.listPasskeys(customer_id);
    const removing = mode.remove_passkey_id ? held.find((passkey) => passkey.id === mode.remove_passkey_id) : undefined;
    const purpose = removing ? 'remove_passkey' : 'enrol_passkey';
    const context: PasskeyCardContext = {
      lang, csrf,
      vouching: factors.filter((factor): factor is FactorView & { factor: VouchingFactor } => factor.factor !== 'passkey' && factor.status === 'active')
        .map((factor) => ({ factor: factor.factor, phone_masked: factor.phone_masked })),
      sms_sent: await secondFactors.smsCodeSent(customer_id, purpose),
    };
    const list = passkeyListCard(context, held);
    if (removing) return html`${list}${passkeyRemovalCard(context, removing)}`;
    if (!mode.add) return list;
    // The challenge is issued only when the customer asks to add one, and is bound to this session.
    const options = await passkeys.registrationOptions(customer_id, customerSessionBinding(reply.request));
    return html`${list}${passkeyEnrolmentCard(context, options)}`;
  };

  const render = async (reply: FastifyReply, session: Session, notice?: { error?: Bilingual; info?: Bilingual }, mode: PasskeyMode = {}): Promise<string> => {
    const lang = pageLang(reply.request, reply);
    const say = sayFor(lang);
    const factors = await secondFactors.listFactors(session.subject_id);
    const totp = factors.find((factor) => factor.factor === 'totp');
    const pending = totp?.status === 'pending' ? await secondFactors.pendingTotpEnrolment(session.subject_id) : undefined;
    const csrf = html`<input type="hidden" name="csrf" value="${reply.formToken()}">`;
    let enrol: SafeHtml;
    if (pending) {
      const sms = factors.find((factor) => factor.factor === 'sms');
      const sent = await secondFactors.smsCodeSent(session.subject_id, ENROL_PURPOSE);
      enrol = html`<div class="card" id="totp-enrolment"><h2>${say('認証アプリの登録', 'Register an authenticator app')}</h2>
<ol><li>${say('認証アプリで次のキーを登録してください。', 'Add this key to your authenticator app:')}
<p><code id="totp-secret">${pending.secret}</code></p>
<p class="muted">${say('スマートフォンでは次のリンクを開くと登録できます:', 'On a phone, open this link:')} <a id="totp-uri" href="${pending.otpauth_uri}">${say('認証アプリに登録', 'Add to my authenticator app')}</a></p></li>
<li>${sent
    ? html`<span id="sms-sent">${say(`${japanClock(sent.sent_at)} に ${sms?.phone_masked ?? ''} 宛てにSMSで確認コードを送りました (5分間有効)。`, `We texted a confirmation code to ${sms?.phone_masked ?? ''} at ${japanClock(sent.sent_at)}; it works for 5 minutes.`)}</span>`
    : html`${say(`確認コードをSMSで ${sms?.phone_masked ?? ''} 宛てに送ります。`, `We text a confirmation code to ${sms?.phone_masked ?? ''}.`)}
<button type="submit" form="send-code-form" class="primary" id="send-sms">${say('コードを送る', 'Text me the code')}</button>`}</li></ol>
<form method="post" action="/bank/security/totp/confirm">${csrf}
<label for="totp_code">${say('認証アプリに表示されている6桁のコード', 'The 6-digit code in your authenticator app')}</label><input id="totp_code" name="totp_code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required>
<label for="sms_code">${say('SMSで届いた6桁のコード', 'The 6-digit code in the text message')}</label><input id="sms_code" name="sms_code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required>
${sent ? resendControl(lang, sent) : ''}
<div class="actions"><button type="submit" class="primary" id="register-totp">${say('登録する', 'Register')}</button></div></form>
<form method="post" action="/bank/security/totp/sms" id="send-code-form" class="detached">${csrf}</form>
<p class="muted">${say(`このキーは ${japanClock(pending.expires_at)} まで有効です。`, `Confirm the key by ${japanClock(pending.expires_at)} (Japan time).`)}</p></div>`;
    } else if (!totp) {
      enrol = html`<div class="card"><h2>${say('認証アプリの登録', 'Register an authenticator app')}</h2>
<p>${say('ログインと口座連携の承認に、認証アプリのワンタイムパスワードを使えます。', 'Use an authenticator app\'s one-time codes to log in and approve links.')}</p>
<form method="post" action="/bank/security/totp/start">${csrf}<button type="submit" class="primary" id="start-totp">${say('登録を始める', 'Start')}</button></form></div>`;
    } else {
      enrol = html``;
    }
    const locked = factors.some((factor) => factor.status === 'locked');
    const body = html`<h1>${say('セキュリティ設定', 'Security')}</h1>
${notice?.error ? html`<p class="error" role="alert">${notice.error[lang]}</p>` : ''}${notice?.info ? html`<p role="status">${notice.info[lang]}</p>` : ''}
${locked ? html`<p class="banner-warn">${LOCKED[lang]}</p>` : ''}
<h2>${say('認証方法', 'Second factors')}</h2>
<table id="factors"><thead><tr><th>${say('方法', 'Factor')}</th><th>${say('状態', 'Status')}</th><th>${say('連続失敗', 'Failures')}</th><th>${say('登録日', 'Since')}</th></tr></thead>
<tbody>${factors.map((factor) => factorRow(factor, clock.now(), lang))}</tbody></table>
${await passkeyPart(reply, session, lang, factors, csrf, mode)}
${enrol}
<p class="muted" id="factor-recovery">${say(
    `認証アプリをなくした・機種変更した場合、SMSでは再登録できません。本人確認書類をお持ちのうえ支店窓口へお越しいただくか、不正利用ダイヤル ${BANK_FRAUD_DESK_PHONE} へお電話ください。新しく登録した認証方法は、登録から${COOLING_OFF_HOURS}時間はお支払い・口座連携の承認に使えません。`,
    `Lost or replaced the phone with your authenticator app? A text message cannot register a new one: come to a branch with photo ID, or call the fraud desk on ${BANK_FRAUD_DESK_PHONE}. A newly registered method cannot approve payments or links for its first ${COOLING_OFF_HOURS} hours.`)}</p>`;
    const nav = html`<a href="/bank/passbook">${say('通帳', 'Passbook')}</a> <a href="/bank/passbook#linked-services">${say('連携サービス', 'Linked services')}</a> <a href="/bank/security">${say('セキュリティ設定', 'Security')}</a>
<form method="post" action="/bank/logout" class="inline">${csrf}<button type="submit" class="secondary">${say('ログアウト', 'Log out')}</button></form>`;
    return bankPage(say('セキュリティ設定', 'Security'), body, nav, [], { lang, switch_href: langSwitchHref(reply.request, lang, '/bank/security') });
  };

  const smsRefused = async (reply: FastifyReply, session: Session, refusal: { code: 'second_factor_locked' } | { code: 'too_many_attempts'; resend_at: Date }) => {
    const at = refusal.code === 'too_many_attempts' ? japanClock(refusal.resend_at) : '';
    const error = refusal.code === 'second_factor_locked' ? LOCKED : { ja: `新しいコードはまだ送れません。${at} 以降に再送できます。`, en: `You can ask for a new code from ${at}.` };
    return reply.status(refusal.code === 'second_factor_locked' ? 423 : 429).type('text/html').send(await render(reply, session, { error }));
  };

  app.get('/bank/security', async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const query = request.query as { enrolled?: string; passkey?: string; add?: string; remove_passkey?: string };
    const info = query.enrolled === '1' ? { ja: '認証アプリを登録しました。', en: 'Your authenticator app is registered.' }
      : query.passkey === 'added' ? { ja: 'パスキーを登録しました。', en: 'Your passkey is registered.' }
      : query.passkey === 'removed' ? { ja: 'パスキーを削除しました。', en: 'The passkey is removed.' } : undefined;
    const mode = { add: query.add === 'passkey', remove_passkey_id: typeof query.remove_passkey === 'string' ? query.remove_passkey : undefined };
    return reply.type('text/html').send(await render(reply, session, info ? { info } : undefined, mode));
  });

  /** A factor the policy or the carrier refuses to vouch for a new one: what to do instead, with the registry's status. */
  const vouchRefused = async (reply: FastifyReply, session: Session, code: FactorGateRefusal, mode?: PasskeyMode) =>
    reply.status(errorCodes[code].status).type('text/html').send(await render(reply, session, { error: FACTOR_REFUSAL_TEXT[code] }, mode));

  /** A refused passkey change: the registry's status, the page with the form again and a new challenge. */
  const passkeyRefused = async (reply: FastifyReply, session: Session, code: keyof typeof PASSKEY_CHANGE_TEXT | keyof typeof PASSKEY_REFUSAL_TEXT | 'second_factor_failed' | 'second_factor_locked', mode: PasskeyMode) => {
    const error = code === 'second_factor_failed' ? NOT_ACCEPTED : code === 'second_factor_locked' ? LOCKED
      : code in PASSKEY_CHANGE_TEXT ? PASSKEY_CHANGE_TEXT[code as keyof typeof PASSKEY_CHANGE_TEXT] : PASSKEY_REFUSAL_TEXT[code as keyof typeof PASSKEY_REFUSAL_TEXT];
    const status = code in PASSKEY_REFUSAL_STATUS ? PASSKEY_REFUSAL_STATUS[code as keyof typeof PASSKEY_REFUSAL_STATUS] : errorCodes[code].status;
    return reply.status(status).type('text/html').send(await render(reply, session, { error }, mode));
  };

  app.post<{ Body: { purpose: (typeof PASSKEY_SMS_PURPOSES)[number]; passkey_id?: string } }>('/bank/security/passkeys/sms', {
    schema: { body: Type.Object({ purpose: Type.Union(PASSKEY_SMS_PURPOSES.map((purpose) => Type.Literal(purpose))), passkey_id: Type.Optional(Type.String({ format: 'uuid' })) }) },
  }, async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const mode = request.body.purpose === 'remove_passkey' ? { remove_passkey_id: request.body.passkey_id } : { add: true };
    // Adding or removing a factor: no code goes to a number that may not vouch, or to a SIM just swapped.
    const permitted = await factorGate.permit(session.subject_id, 'enrol_factor', 'sms');
    if (!permitted.ok) return vouchRefused(reply, session, permitted.code, mode);
    const sent = await secondFactors.sendSmsCode(session.subject_id, request.body.purpose);
    if (!sent.ok) {
      const at = sent.code === 'too_many_attempts' ? japanClock(sent.resend_at) : '';
      const error = sent.code === 'second_factor_locked' ? LOCKED : { ja: `新しいコードはまだ送れません。${at} 以降に再送できます。`, en: `You can ask for a new code from ${at}.` };
      return reply.status(sent.code === 'second_factor_locked' ? 423 : 429).type('text/html').send(await render(reply, session, { error }, mode));
    }
    return reply.type('text/html').send(await render(reply, session, undefined, mode));
  });

  app.post<{ Body: { name: string; factor: VouchingFactor; code: string; passkey_response: string } }>('/bank/security/passkeys', {
    schema: { body: Type.Object({ name: Type.String({ minLength: 1, maxLength: PASSKEY_NAME_CHARS_MAX, pattern: '\\S' }), ...VouchBody, passkey_response: Type.String({ maxLength: PASSKEY_RESPONSE_CHARS_MAX }) }) },
  }, async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const { name, factor, code, passkey_response } = request.body;
    const permitted = await factorGate.permit(session.subject_id, 'enrol_factor', factor);
    if (!permitted.ok) return vouchRefused(reply, session, permitted.code, { add: true });
    // Adding a factor needs one the customer already has: a stolen password alone must not add the thief's passkey.
    const enrolled = await secondFactors.enrolPasskey(session.subject_id, { response: passkey_response, name, bound_to: customerSessionBinding(request) },
      factor === 'sms' ? { factor, code: code.trim(), purpose: 'enrol_passkey' } : { factor, code: code.trim() });
    if (!enrolled.ok) return passkeyRefused(reply, session, enrolled.code, { add: true });
    request.log.info({ customer_id: session.subject_id, factor: 'passkey' }, 'passkey registered from the security page');
    return reply.redirect('/bank/security?passkey=added', 303);
  });

  app.post<{ Params: { id: string }; Body: { factor: VouchingFactor; code: string } }>('/bank/security/passkeys/:id/remove', {
    schema: { params: PasskeyParams, body: Type.Object(VouchBody) },
  }, async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const { factor, code } = request.body;
    // Removing a strong factor could reopen SMS: the same policy vouches for it as for adding one.
    const permitted = await factorGate.permit(session.subject_id, 'enrol_factor', factor);
    if (!permitted.ok) return vouchRefused(reply, session, permitted.code, { remove_passkey_id: request.params.id });
    const removed = await secondFactors.removePasskey(session.subject_id, request.params.id,
      factor === 'sms' ? { factor, code: code.trim(), purpose: 'remove_passkey' } : { factor, code: code.trim() });
    if (!removed.ok) return passkeyRefused(reply, session, removed.code, { remove_passkey_id: request.params.id });
    return reply.redirect('/bank/security?passkey=removed', 303);
  });

  app.post('/bank/security/totp/start', async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    // Checked before anything is sent: no code goes to a number that may not vouch, or to a SIM just swapped.
    const permitted = await factorGate.permit(session.subject_id, 'enrol_factor', 'sms');
    if (!permitted.ok) return vouchRefused(reply, session, permitted.code);
    const started = await secondFactors.startTotpEnrolment(session.subject_id);
    if (!started.ok) return reply.status(409).type('text/html').send(await render(reply, session, { error: { ja: '認証アプリは登録済みです。', en: 'An authenticator app is already registered.' } }));
    const sent = await secondFactors.sendSmsCode(session.subject_id, ENROL_PURPOSE);
    if (!sent.ok) return smsRefused(reply, session, sent);
    return reply.redirect('/bank/security', 303);
  });

  app.post('/bank/security/totp/sms', async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const permitted = await factorGate.permit(session.subject_id, 'enrol_factor', 'sms');
    if (!permitted.ok) return vouchRefused(reply, session, permitted.code);
    const sent = await secondFactors.sendSmsCode(session.subject_id, ENROL_PURPOSE);
    if (!sent.ok) return smsRefused(reply, session, sent);
    return reply.redirect('/bank/security', 303);
  });

  app.post<{ Body: { totp_code: string; sms_code: string } }>('/bank/security/totp/confirm', {
    schema: { body: Type.Object({ totp_code: CODE_FIELD, sms_code: CODE_FIELD }) },
  }, async (request, reply) => {
    const session = await requireCustomer(request, reply);
    if (!session) return reply;
    const customer_id = session.subject_id;
    // Binding a new factor needs the one the customer already has: a stolen password alone must not add the thief's app.
    const confirmed = await factorGate.confirmTotpEnrolment(customer_id, request.body.totp_code.trim(),
      { factor: 'sms', code: request.body.sms_code.trim(), purpose: ENROL_PURPOSE });
    if (!confirmed.ok) {
      if (isFactorGateRefusal(confirmed.code)) return vouchRefused(reply, session, confirmed.code);
      const [status, error] = confirmed.code === 'second_factor_locked' ? [423, LOCKED]
        : confirmed.code === 'totp_enrolment_not_started' ? [409, { ja: '登録の有効期限が切れました。もう一度始めてください。', en: 'The registration expired; start again.' }]
        : [401, NOT_ACCEPTED];
      return reply.status(status).type('text/html').send(await render(reply, session, { error }));
    }
    request.log.info({ customer_id, factor: 'totp' }, 'authenticator app registered from the security page');
    return reply.redirect('/bank/security?enrolled=1', 303);
  });
}
