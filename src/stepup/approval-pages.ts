import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { bankPage } from '../web/layout.ts';
import { pageLang } from '../web/page-lang.ts';
import type { Session, SessionStore } from '../web/session-store.ts';
import { FORM_TOKEN_CHARS_MAX, requireFormTokens } from '../http/form-csrf.ts';
import { refuseCustomerForm } from '../web/form-expired-page.ts';
import { formatYen } from '../shared/yen.ts';
import { formatJapanDateTime, japanClock } from '../shared/japan-time.ts';
import { codeFields, detachedForms, methodChoice, secondFactorStage, sendCodeStep, type SecondFactorStep } from '../web/second-factor-step.ts';
import { verifyCustomerPassword } from '../bank/customer-login.ts';
import { SIGN_IN_REFUSAL_STATUS, signInRefusalBilingual } from '../bank/credential-lock-text.ts';
import type { SecondFactorKind } from '../mfa/second-factor.ts';
import type { ApprovalOutcome, ApprovalView } from './step-up-approvals.ts';

/** Longest form field read here. */
const FIELD_CHARS_MAX = 128;

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
const LoginBody = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: FORM_TOKEN_CHARS_MAX })), login_id: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: FIELD_CHARS_MAX }),
});
const ApproveBody = Type.Object({
  factor: Type.Union([Type.Literal('sms'), Type.Literal('totp')]),
  code: Type.String({ maxLength: 12 }),
  // What the page showed the customer: the approval is bound to it, and refused if it is not the charge's.
  // Form fields are text; whole yen up to 2^53 are at most 16 digits.
  amount_yen: Type.String({ pattern: '^[1-9][0-9]{0,15}$', maxLength: 16 }),
  payee_operator_id: Type.String({ format: 'uuid' }),
});

const MESSAGES: Record<Exclude<ApprovalOutcome, { ok: true }>['code'], string> = {
  approval_not_found: 'この承認依頼は見つかりません。 No such approval.',
  approval_not_waiting: 'この取引はすでに処理されています。 This charge is no longer waiting for you.',
  second_factor_failed: '認証コードが正しくありません。 The code was not accepted.',
  second_factor_locked: signInRefusalBilingual('second_factor_locked'),
  step_up_binding_mismatch: '表示された金額または支払先が取引と一致しません。承認していません。 The amount or payee does not match this charge; nothing was approved.',
  too_many_attempts: '回数の上限に達しました。しばらくしてからお試しください。 Too many attempts; try again later.',
};

/** An early resend refused: when the customer may ask again (the page's countdown says the same). */
const smsTooSoon = (at: string) => `新しいコードはまだ送れません。${at} 以降に再送できます。 You can ask for a new code from ${at}.`;

const STATUS_WORDS: Record<string, string> = {
  succeeded: '承認済み・お支払い完了 / Approved: the money moved',
  declined: '拒否済み・お支払いなし / Declined: no money moved',
  expired: '期限切れ・お支払いなし / Expired: no money moved',
  held: '当行で確認中 / Under review by the bank',
  pending_approval: '承認待ち / Waiting for your approval',
};

function loginForm(charge_id: string, form_token: string, error?: string): SafeHtml {
  return html`<h1>お取引の承認 / Approve a charge</h1>
<div class="card"><p>承認の前にインターネットバンキングにログインしてください。 Log in first.</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/bank/approvals/${charge_id}/login"><input type="hidden" name="csrf" value="${form_token}">
<label for="login_id">ログインID / Login ID</label><input id="login_id" name="login_id" autocomplete="username" required>
<label for="password">パスワード / Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">ログイン / Log in</button></form></div>`;
}

function approvalCard(view: ApprovalView, form_token: string, step: SecondFactorStep, message?: { error?: string; info?: string }): SafeHtml {
  const waiting = view.status === 'pending_approval';
  const stage = secondFactorStage(step);
  const decline = html`<button type="submit" form="decline-form" class="secondary danger-outline" id="decline-button">拒否 / Decline</button>`;
  return html`<h1>お取引の承認 / Approve a charge</h1>
${message?.error ? html`<p class="error" role="alert">${message.error}</p>` : ''}${message?.info ? html`<p role="status">${message.info}</p>` : ''}
<div class="card" id="approval" data-status="${view.status}">
<p>支払先 Payee: <strong id="payee">${view.payee_name}</strong> <span class="muted">(通帳の表示 passbook: ${view.passbook_label})</span></p>
<p>金額 Amount: <strong id="amount" class="amount-large">${formatYen(view.amount_yen)}</strong></p>
<p>口座 Account: ${view.account_masked}　依頼日時 Requested: ${formatJapanDateTime(view.created_at)}</p>
<p>状態 Status: <strong>${STATUS_WORDS[view.status] ?? view.status}</strong>${waiting && view.expires_at ? html` — 期限 until ${formatJapanDateTime(view.expires_at)}` : ''}</p>
${waiting ? html`<p class="banner-warn">ご自身で依頼したお取引でなければ、承認せず「拒否」を押してください。 If you did not ask for this, press Decline.</p>
${methodChoice(step)}
${stage.kind === 'send' ? html`${sendCodeStep(step)}<div class="actions">${decline}</div>` : ''}
${stage.kind === 'choose' ? html`<div class="actions">${decline}</div>` : ''}
${stage.kind === 'code' ? html`<form method="post" action="/bank/approvals/${view.charge_id}/approve" id="approve-form"><input type="hidden" name="csrf" value="${form_token}">
<input type="hidden" name="amount_yen" value="${view.amount_yen}"><input type="hidden" name="payee_operator_id" value="${view.payee_operator_id}">
${codeFields(step, stage.factor)}
<div class="actions"><button type="submit" class="primary" id="approve-button">${formatYen(view.amount_yen)} を承認 / Approve</button>${decline}</div></form>` : ''}
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
  const { stepUp, secondFactors, clock } = services;

  async function factorStep(reply: FastifyReply, session: Session, view: ApprovalView, form_token: string, asked: string | undefined): Promise<SecondFactorStep> {
    return {
      lang: pageLang(reply.request),
      factors: (await secondFactors.listFactors(session.subject_id)).filter((factor) => factor.status === 'active').map((factor) => ({ factor: factor.factor, phone_masked: factor.phone_masked })),
      asked,
      method_href: (factor) => `/bank/approvals/${view.charge_id}?method=${factor}`,
      sms_sent: await stepUp.codeSent(session.subject_id, view),
      now: clock.now(),
      send: { action: `/bank/approvals/${view.charge_id}/sms`, hidden: html`<input type="hidden" name="csrf" value="${form_token}">` },
    };
  }

  async function render(reply: FastifyReply, session: Session, charge_id: string, message?: { error?: string; info?: string }, status = 200, method?: string) {
    const view = await stepUp.view(session.subject_id, charge_id);
    if (!view) return reply.status(404).type('text/html').send(bankPage('Not found', html`<p class="error">${MESSAGES.approval_not_found}</p>`));
    const form_token = reply.formToken();
    return reply.status(status).type('text/html').send(bankPage('お取引の承認', approvalCard(view, form_token, await factorStep(reply, session, view, form_token, method), message)));
  }

  /** The session, or undefined after answering with the login form. (Every form's token was checked before this runs.) */
  async function sessionFor(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Session | undefined> {
    const session = await sessions.read(request, 'customer');
    if (!session) {
      await reply.status(401).type('text/html').send(bankPage('ログイン', loginForm(request.params.id, reply.formToken())));
      return undefined;
    }
    return session;
  }

  app.get<{ Params: { id: string }; Querystring: { method?: string } }>('/bank/approvals/:id', { schema: { params: Params } }, async (request, reply) => {
    const session = await sessions.read(request, 'customer');
    if (!session) return reply.type('text/html').send(bankPage('ログイン', loginForm(request.params.id, reply.formToken())));
    return render(reply, session, request.params.id, undefined, 200, request.query.method);
  });

  app.post<{ Params: { id: string }; Body: { login_id: string; password: string } }>('/bank/approvals/:id/login', { schema: { params: Params, body: LoginBody } }, async (request, reply) => {
    const login = await verifyCustomerPassword(services, { login_id: request.body.login_id, password: request.body.password, source_ip: request.ip });
    if (!login.ok) {
      return reply.status(SIGN_IN_REFUSAL_STATUS[login.code]).type('text/html').send(bankPage('ログイン', loginForm(request.params.id, reply.formToken(), signInRefusalBilingual(login.code))));
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
    return render(reply, session, request.params.id, { error: MESSAGES[sent.code] }, { approval_not_found: 404, approval_not_waiting: 409, second_factor_locked: 423 }[sent.code], 'sms');
  });

  app.post<{ Params: { id: string }; Body: { factor: SecondFactorKind; code: string; amount_yen: string; payee_operator_id: string } }>(
    '/bank/approvals/:id/approve', { schema: { params: Params, body: ApproveBody } }, async (request, reply) => {
      const session = await sessionFor(request, reply);
      if (!session) return reply;
      const { factor, code, payee_operator_id } = request.body;
      const amount_yen = Number(request.body.amount_yen);
      if (!Number.isSafeInteger(amount_yen)) return render(reply, session, request.params.id, { error: MESSAGES.step_up_binding_mismatch }, 422);
      const outcome = await stepUp.approve(session.subject_id, request.params.id, { factor, code, amount_yen, payee_operator_id });
      if (outcome.ok) {
        request.log.info({ charge_id: request.params.id, status: outcome.status }, 'step-up approval');
        return render(reply, session, request.params.id);
      }
      const status = { approval_not_found: 404, approval_not_waiting: 409, second_factor_locked: 423, step_up_binding_mismatch: 422, too_many_attempts: 429, second_factor_failed: 401 }[outcome.code];
      return render(reply, session, request.params.id, { error: MESSAGES[outcome.code] }, status, factor);
    });

  app.post<{ Params: { id: string } }>('/bank/approvals/:id/decline', { schema: { params: Params } }, async (request, reply) => {
    const session = await sessionFor(request, reply);
    if (!session) return reply;
    const outcome = await stepUp.decline(session.subject_id, request.params.id);
    if (!outcome.ok) return render(reply, session, request.params.id, { error: MESSAGES[outcome.code] }, outcome.code === 'approval_not_found' ? 404 : 409);
    request.log.warn({ charge_id: request.params.id }, 'customer declined a step-up');
    return render(reply, session, request.params.id, { info: '拒否しました。お支払いは行われません。当行からご連絡する場合があります。 Declined: no money moves. We may contact you.' });
  });
}
