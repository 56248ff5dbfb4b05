import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { customerPage } from '../web/layout.ts';
import { pageLang, type Bilingual, type Say } from '../web/page-lang.ts';
import type { Session, SessionStore } from '../web/session-store.ts';
import { FORM_TOKEN_CHARS_MAX, requireFormTokens } from '../http/form-csrf.ts';
import { refuseCustomerForm } from '../web/form-expired-page.ts';
import { formatYen } from '../shared/yen.ts';
import { formatJapanDateTime, japanClock } from '../shared/japan-time.ts';
import { codeFields, detachedForms, methodChoice, needsPasskeyOptions, secondFactorStage, sendCodeStep, type SecondFactorStep } from '../web/second-factor-step.ts';
import { customerSessionBinding } from '../web/passkey-scripts.ts';
import { PASSKEY_RESPONSE_CHARS_MAX } from '../mfa/passkeys.ts';
import { PASSKEY_REFUSAL_TEXT, PASSKEY_REFUSAL_STATUS } from '../web/passkey-refusal-text.ts';
import { verifyCustomerPassword } from '../bank/customer-login.ts';
import { SIGN_IN_REFUSAL_STATUS, SIGN_IN_REFUSAL_TEXT } from '../bank/credential-lock-text.ts';
import type { ApprovalOutcome, ApprovalView } from './step-up-approvals.ts';
import { FACTOR_REFUSAL_TEXT, refusedFactorsNote } from '../mfa/factor-refusal-text.ts';

type RefusedNote = ReturnType<typeof refusedFactorsNote>[number];
import { errorCodes } from '../errors/error-codes.ts';

/** Longest form field read here. */
const FIELD_CHARS_MAX = 128;

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
const LoginBody = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: FORM_TOKEN_CHARS_MAX })), login_id: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: FIELD_CHARS_MAX }),
});
const ApproveBody = Type.Object({
  factor: Type.Union([Type.Literal('sms'), Type.Literal('totp'), Type.Literal('passkey')]),
  code: Type.Optional(Type.String({ maxLength: 12 })),
  passkey_response: Type.Optional(Type.String({ maxLength: PASSKEY_RESPONSE_CHARS_MAX })),
  // What the page showed the customer: the approval is bound to it, and refused if it is not the charge's.
  // Form fields are text; whole yen up to 2^53 are at most 16 digits.
  amount_yen: Type.String({ pattern: '^[1-9][0-9]{0,15}$', maxLength: 16 }),
  payee_operator_id: Type.String({ format: 'uuid' }),
});

const MESSAGES: Record<Exclude<ApprovalOutcome, { ok: true }>['code'], Bilingual> = {
  approval_not_found: { ja: 'この承認依頼は見つかりません。', en: 'No such approval.' },
  approval_not_waiting: { ja: 'この取引はすでに処理されています。', en: 'This charge is no longer waiting for you.' },
  second_factor_failed: { ja: '認証コードが正しくありません。', en: 'The code was not accepted.' },
  second_factor_locked: SIGN_IN_REFUSAL_TEXT.second_factor_locked,
  new_link_cooling_off: { ja: 'このサービスとの口座連携から間もないため、認証コードではまだお支払いを承認できません。承認できる日時はこのページに表示しています。パスキーをお使いいただくか、ご自身で連携していない場合は「拒否する」を押してください。', en: 'This service was linked only recently, so a code cannot approve its payments yet; this page says from when. Use a passkey, or press Decline if you did not make this link.' },
  step_up_binding_mismatch: { ja: '表示された金額または支払先が取引と一致しません。承認していません。', en: 'The amount or payee does not match this charge; nothing was approved.' },
  too_many_attempts: { ja: '回数の上限に達しました。しばらくしてからお試しください。', en: 'Too many attempts; try again later.' },
  ...PASSKEY_REFUSAL_TEXT,
  ...FACTOR_REFUSAL_TEXT,
};

/** Each refusal's HTTP status: the error registry's where it has the code (src/errors/error-codes.ts). */
const FAILURE_STATUS: Record<keyof typeof MESSAGES, number> = {
  approval_not_found: 404, approval_not_waiting: 409, step_up_binding_mismatch: 422, too_many_attempts: 429,
  new_link_cooling_off: errorCodes.new_link_cooling_off.status,
  second_factor_failed: errorCodes.second_factor_failed.status, second_factor_locked: errorCodes.second_factor_locked.status,
  second_factor_not_allowed: errorCodes.second_factor_not_allowed.status, sim_swap_detected: errorCodes.sim_swap_detected.status,
  sim_swap_check_unavailable: errorCodes.sim_swap_check_unavailable.status,
  ...PASSKEY_REFUSAL_STATUS,
};

/** An early resend refused: when the customer may ask again (the page's countdown says the same). */
const smsTooSoon = (at: string): Bilingual => ({ ja: `新しいコードはまだ送れません。${at} 以降に再送できます。`, en: `You can ask for a new code from ${at}.` });

const STATUS_WORDS: Record<string, Bilingual> = {
  succeeded: { ja: '承認済み・お支払い完了', en: 'Approved: the money moved' },
  declined: { ja: '拒否済み・お支払いなし', en: 'Declined: no money moved' },
  expired: { ja: '期限切れ・お支払いなし', en: 'Expired: no money moved' },
  held: { ja: '当行で確認中', en: 'Under review by the bank' },
  pending_approval: { ja: '承認待ち', en: 'Waiting for your approval' },
};

type Message = { error?: Bilingual; info?: Bilingual };

function loginForm(say: Say, charge_id: string, form_token: string, error?: Bilingual): SafeHtml {
  return html`<h1>${say('お取引の承認', 'Approve a charge')}</h1>
<div class="card"><p>${say('承認の前にインターネットバンキングにログインしてください。', 'Log in to internet banking first.')}</p>
${error ? html`<p class="error" role="alert">${say(error.ja, error.en)}</p>` : ''}
<form method="post" action="/bank/approvals/${charge_id}/login"><input type="hidden" name="csrf" value="${form_token}">
<label for="login_id">${say('ログインID', 'Login ID')}</label><input id="login_id" name="login_id" autocomplete="username" required>
<label for="password">${say('パスワード', 'Password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">${say('ログイン', 'Log in')}</button></form></div>`;
}

function approvalCard(say: Say, view: ApprovalView, form_token: string, step: SecondFactorStep & { refused_notes: RefusedNote[] }, message?: Message): SafeHtml {
  const waiting = view.status === 'pending_approval';
  const stage = secondFactorStage(step);
  const decline = html`<button type="submit" form="decline-form" class="secondary danger-outline" id="decline-button">${say('拒否する', 'Decline')}</button>`;
  const status = STATUS_WORDS[view.status];
  return html`<h1>${say('お取引の承認', 'Approve a charge')}</h1>
${message?.error ? html`<p class="error" role="alert">${say(message.error.ja, message.error.en)}</p>` : ''}${message?.info ? html`<p role="status">${say(message.info.ja, message.info.en)}</p>` : ''}
<div class="card" id="approval" data-status="${view.status}">
<p>${say('支払先', 'Payee')}: <strong id="payee">${view.payee_name}</strong> <span class="muted">(${say('通帳の表示', 'in your passbook')}: ${view.passbook_label})</span></p>
<p>${say('金額', 'Amount')}: <strong id="amount" class="amount-large">${formatYen(view.amount_yen)}</strong></p>
<p>${say('口座', 'Account')}: ${view.account_masked}</p>
<p>${say('依頼日時', 'Requested')}: ${formatJapanDateTime(view.created_at)}</p>
<p>${say('状態', 'Status')}: <strong>${status ? say(status.ja, status.en) : view.status}</strong>${waiting && view.expires_at ? html` — ${say('期限', 'until')} ${formatJapanDateTime(view.expires_at)}` : ''}</p>
${waiting ? html`<p class="banner-warn">${say('ご自身で依頼したお取引でなければ、承認せず「拒否する」を押してください。', 'If you did not ask for this, press Decline.')}</p>
${step.refused_notes.map((note) => html`<p class="banner-info" data-factor-refused="${note.reason}">${say(note.ja, note.en)}</p>`)}
${step.factors.length === 0 ? html`<p class="error" id="no-factor-allowed">${say(FACTOR_REFUSAL_TEXT.second_factor_not_allowed.ja, FACTOR_REFUSAL_TEXT.second_factor_not_allowed.en)}</p><div class="actions">${decline}</div>` : methodChoice(step)}
${stage.kind === 'send' ? html`${sendCodeStep(step)}<div class="actions">${decline}</div>` : ''}
${stage.kind === 'choose' && step.factors.length > 0 ? html`<div class="actions">${decline}</div>` : ''}
${stage.kind === 'code' ? html`<form method="post" action="/bank/approvals/${view.charge_id}/approve" id="approve-form"><input type="hidden" name="csrf" value="${form_token}">
<input type="hidden" name="amount_yen" value="${view.amount_yen}"><input type="hidden" name="payee_operator_id" value="${view.payee_operator_id}">
${codeFields(step, stage.factor)}
<div class="actions"><button type="submit" class="primary" id="approve-button">${say(`${formatYen(view.amount_yen)} を承認する`, `Approve ${formatYen(view.amount_yen)}`)}</button>${decline}</div></form>` : ''}
<form method="post" action="/bank/approvals/${view.charge_id}/decline" id="decline-form" class="detached"><input type="hidden" name="csrf" value="${form_token}"></form>
${detachedForms(step)}` : ''}
</div>`;
}

/**
 * The bank's approval page for a challenged charge: after a password login, it shows the exact payee and amount and
 * takes a second factor bound to both (PSD2 RTS Art. 5). Declining voids the reservation and alerts staff.
 */
export async function approvalPages(app: FastifyInstance, services: BankServices, sessions: SessionStore): Promise<void> {
  requireFormTokens(app, refuseCustomerForm);
  const { stepUp } = services;

  async function factorStep(reply: FastifyReply, session: Session, view: ApprovalView, form_token: string, asked: string | undefined): Promise<SecondFactorStep & { refused_notes: RefusedNote[] }> {
    // Only the factors the policy lets approve a charge are offered; those held but refused say why and until when.
    const { allowed, refused } = await stepUp.factorChoices(session.subject_id, view);
    const step: SecondFactorStep & { refused_notes: RefusedNote[] } = {
      lang: pageLang(reply.request),
      factors: allowed.map((factor) => ({ factor: factor.factor, phone_masked: factor.phone_masked })),
      refused_notes: refusedFactorsNote(refused),
      asked,
      method_href: (factor) => `/bank/approvals/${view.charge_id}?method=${factor}`,
      sms_sent: await stepUp.codeSent(session.subject_id, view),
      send: { action: `/bank/approvals/${view.charge_id}/sms`, hidden: html`<input type="hidden" name="csrf" value="${form_token}">` },
    };
    // The challenge is bound to this charge, its amount and payee as shown, and this browser session.
    if (needsPasskeyOptions(step) && view.status === 'pending_approval') {
      step.passkey_options = await stepUp.passkeyOptions(session.subject_id, view, customerSessionBinding(reply.request));
    }
    return step;
  }

  /** A page in the customer's language; a POST's switch leads back to the charge's page. */
  const framed = (reply: FastifyReply, charge_id: string, title: Bilingual, body: (say: Say) => SafeHtml) =>
    customerPage(reply.request, reply, title, body, { fallback_path: `/bank/approvals/${charge_id}` });

  async function render(reply: FastifyReply, session: Session, charge_id: string, message?: Message, status = 200, method?: string) {
    const view = await stepUp.view(session.subject_id, charge_id);
    if (!view) return reply.status(404).type('text/html').send(framed(reply, charge_id, { ja: '見つかりません', en: 'Not found' }, (say) => html`<p class="error">${say(MESSAGES.approval_not_found.ja, MESSAGES.approval_not_found.en)}</p>`));
    const form_token = reply.formToken();
    const step = await factorStep(reply, session, view, form_token, method);
    return reply.status(status).type('text/html').send(framed(reply, charge_id, { ja: 'お取引の承認', en: 'Approve a charge' }, (say) => approvalCard(say, view, form_token, step, message)));
  }

  const loginPage = (reply: FastifyReply, charge_id: string, error?: Bilingual) =>
    framed(reply, charge_id, { ja: 'ログイン', en: 'Log in' }, (say) => loginForm(say, charge_id, reply.formToken(), error));

  /** The session, or undefined after answering with the login form. (Every form's token was checked before this runs.) */
  async function sessionFor(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Session | undefined> {
    const session = await sessions.read(request, 'customer');
    if (!session) {
      await reply.status(401).type('text/html').send(loginPage(reply, request.params.id));
      return undefined;
    }
    return session;
  }

  app.get<{ Params: { id: string }; Querystring: { method?: string } }>('/bank/approvals/:id', { schema: { params: Params } }, async (request, reply) => {
    const session = await sessions.read(request, 'customer');
    if (!session) return reply.type('text/html').send(loginPage(reply, request.params.id));
    return render(reply, session, request.params.id, undefined, 200, request.query.method);
  });

  app.post<{ Params: { id: string }; Body: { login_id: string; password: string } }>('/bank/approvals/:id/login', { schema: { params: Params, body: LoginBody } }, async (request, reply) => {
    const login = await verifyCustomerPassword(services, { login_id: request.body.login_id, password: request.body.password, source_ip: request.ip });
    if (!login.ok) {
      return reply.status(SIGN_IN_REFUSAL_STATUS[login.code]).type('text/html').send(loginPage(reply, request.params.id, SIGN_IN_REFUSAL_TEXT[login.code]));
    }
    await sessions.begin(request, reply, 'customer', login.customer.id);
    return reply.redirect(`/bank/approvals/${request.params.id}`);
  });

  app.post<{ Params: { id: string } }>('/bank/approvals/:id/sms', { schema: { params: Params } }, async (request, reply) => {
    const session = await sessionFor(request, reply);
    if (!session) return reply;
    const sent = await stepUp.sendCode(session.subject_id, request.params.id);
    if (sent.ok) return render(reply, session, request.params.id, undefined, 200, 'sms');
    if (sent.code === 'too_many_attempts') return render(reply, session, request.params.id, { error: smsTooSoon(japanClock(sent.resend_at)) }, 429, 'sms');
    return render(reply, session, request.params.id, { error: MESSAGES[sent.code] }, FAILURE_STATUS[sent.code], 'sms');
  });

  app.post<{ Params: { id: string }; Body: { factor: 'sms' | 'totp' | 'passkey'; code?: string; passkey_response?: string; amount_yen: string; payee_operator_id: string } }>(
    '/bank/approvals/:id/approve', { schema: { params: Params, body: ApproveBody } }, async (request, reply) => {
      const session = await sessionFor(request, reply);
      if (!session) return reply;
      const { factor, payee_operator_id } = request.body;
      const amount_yen = Number(request.body.amount_yen);
      if (!Number.isSafeInteger(amount_yen)) return render(reply, session, request.params.id, { error: MESSAGES.step_up_binding_mismatch }, 422);
      const proof = factor === 'passkey'
        ? { factor, response: request.body.passkey_response ?? '', bound_to: customerSessionBinding(request) }
        : { factor, code: request.body.code ?? '' };
      const outcome = await stepUp.approve(session.subject_id, request.params.id, { amount_yen, payee_operator_id, ...proof });
      if (outcome.ok) {
        request.log.info({ charge_id: request.params.id, status: outcome.status }, 'step-up approval');
        return render(reply, session, request.params.id);
      }
      return render(reply, session, request.params.id, { error: MESSAGES[outcome.code] }, FAILURE_STATUS[outcome.code], factor);
    });

  app.post<{ Params: { id: string } }>('/bank/approvals/:id/decline', { schema: { params: Params } }, async (request, reply) => {
    const session = await sessionFor(request, reply);
    if (!session) return reply;
    const outcome = await stepUp.decline(session.subject_id, request.params.id);
    if (!outcome.ok) return render(reply, session, request.params.id, { error: MESSAGES[outcome.code] }, outcome.code === 'approval_not_found' ? 404 : 409);
    request.log.warn({ charge_id: request.params.id }, 'customer declined a step-up');
    return render(reply, session, request.params.id, { info: { ja: '拒否しました。お支払いは行われません。不正利用を防ぐため、このサービスとの口座連携を停止しました。当行からご連絡する場合があります。', en: 'Declined: no money moves. To protect you, we stopped this service\'s link to your account. We may contact you.' } });
  });
}
