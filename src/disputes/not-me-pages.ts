import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { errorCodes } from '../errors/error-codes.ts';
import { formatYen } from '../shared/yen.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { bankPage } from '../web/layout.ts';
import { BANK_FRAUD_DESK_PHONE } from '../notify/bank-contact.ts';
import { formatJapanDateTime } from '../shared/japan-time.ts';
import type { NotMeOutcome, NotMeRefusal, NotMeReports } from './not-me-reports.ts';

/** Longest token accepted in the query: a notice's token is a few hundred characters; more is not one of ours. */
export const NOT_ME_TOKEN_CHARS_MAX = 2048;

/** Where notices send the customer. */
export const NOT_ME_PATH = '/notices/not-me';

const REFUSALS: Record<NotMeRefusal, { ja: string; en: string }> = {
  not_me_token_used: {
    ja: 'このリンクはすでに使われています。お届けは受け付け済みで、連携は停止されています。',
    en: 'This link was already used. We have your report and the link is stopped.',
  },
  not_me_token_expired: {
    ja: 'このリンクは有効期限が切れています。お手数ですが、お電話でお知らせください。',
    en: 'This link has expired. Please call us instead.',
  },
  not_me_token_invalid: {
    ja: 'このリンクは正しくありません。メールのリンクを途中で切らずに開くか、お電話でお知らせください。',
    en: 'This link is not valid. Open the whole link from the e-mail, or call us.',
  },
};

const callUs = html`<div class="card"><p><strong>ふりかえ銀行 不正利用ダイヤル ${BANK_FRAUD_DESK_PHONE}</strong> (24時間 / 24 hours)</p>
<p class="muted">当行が暗証番号・パスワード・認証コードをお尋ねすることはありません。 We never ask for your PIN, password or codes.</p></div>`;

function donePage(outcome: Extract<NotMeOutcome, { ok: true }>): string {
  const account = `${outcome.branch_code} 普通 ${outcome.account_masked}`;
  const state: SafeHtml = outcome.frozen_now
    ? html`<p class="banner-warn" id="not-me-result" data-result="frozen">「${outcome.operator_name}」との口座連携を停止しました。このサービスからの引き落としはできません。<br>
We stopped the link to ${outcome.operator_name}. It can no longer charge your account.</p>`
    : html`<p class="banner-warn" id="not-me-result" data-result="already-${outcome.link_status_before}">「${outcome.operator_name}」との口座連携は、すでに停止されています。ご報告を追加で受け付けました。<br>
The link to ${outcome.operator_name} was already stopped. We have added your report.</p>`;
  const charge = outcome.charge
    ? html`<p>ご報告の引き落とし / The charge you reported: <strong>${formatYen(outcome.charge.amount_yen)}</strong> (${formatJapanDateTime(outcome.charge.charged_at)})</p>`
    : '';
  return bankPage('ご報告を受け付けました / Report received', html`<h1>ご報告を受け付けました / We have your report</h1>
${state}
<div class="card"><p>口座 / Account: ${account}</p>${charge}
<p>受付番号 / Case number: <strong id="case-number">${outcome.case_id.slice(-12).toUpperCase()}</strong></p>
<p>担当者が調査し、ご登録の電話番号にご連絡します。すでに引き落とされたお金は、調査のうえ補償の対象になります。
ほかの引き落としやサービスにもお心当たりがない場合は、下記までお電話ください。</p>
<p>Our staff will look into it and call you at the number on your record. Money already charged is reviewed for compensation.
If you see other charges or services you do not know, call us.</p></div>
${callUs}`);
}

function refusedPage(code: NotMeRefusal): string {
  const text = REFUSALS[code];
  return bankPage('リンクを確認できません / Link not accepted', html`<h1>リンクを確認できません / This link did not work</h1>
<p class="error" id="not-me-result" data-code="${code}">${text.ja}<br>${text.en}</p>
<p class="muted">コード / Code: <code>${code}</code>。何も変更していません。 Nothing was changed.</p>
${callUs}`);
}

/**
 * GET /notices/not-me?token=…: the one-click "this wasn't me" page. A GET, because the customer clicks it in a mail;
 * if a mail scanner follows it first, the worst case is a frozen link and a phone call, never money moved.
 * The token never reaches the request log (route log level) or another site (Referrer-Policy).
 */
export async function notMePages(app: FastifyInstance, { notMe }: { notMe: NotMeReports }): Promise<void> {
  app.get<{ Querystring: { token?: string } }>(NOT_ME_PATH, {
    logLevel: 'warn',
    schema: { hide: true, querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: NOT_ME_TOKEN_CHARS_MAX })) }) },
    // A token too long or missing is simply not valid: show the page rather than a problem+json.
    attachValidation: true,
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
    const token = request.validationError ? undefined : request.query.token;
    const outcome: NotMeOutcome = token ? await notMe.report(token) : { ok: false, code: 'not_me_token_invalid' };
    if (!outcome.ok) return reply.status(errorCodes[outcome.code].status).send(refusedPage(outcome.code));
    return reply.status(200).send(donePage(outcome));
  });
}
