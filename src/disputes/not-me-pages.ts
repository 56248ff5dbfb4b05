import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { errorCodes } from '../errors/error-codes.ts';
import { formatYen } from '../shared/yen.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { customerPage } from '../web/layout.ts';
import type { Bilingual, Say } from '../web/page-lang.ts';
import { BANK_FRAUD_DESK_PHONE } from '../notify/bank-contact.ts';
import { formatJapanDateTime } from '../shared/japan-time.ts';
import { customerAccountLabel } from '../linking/link.ts';
import { FORM_TOKEN_CHARS_MAX, requireFormTokens } from '../http/form-csrf.ts';
import type { NotMeFacts, NotMeOutcome, NotMePreview, NotMeRefusal, NotMeReports } from './not-me-reports.ts';

/** Longest token accepted in the query or form: a notice's token is a few hundred characters; more is not one of ours. */
export const NOT_ME_TOKEN_CHARS_MAX = 2048;

/** Where notices send the customer. */
export const NOT_ME_PATH = '/notices/not-me';

const REFUSALS: Record<NotMeRefusal, { ja: string; en: string }> = {
  not_me_token_expired: {
    ja: 'このリンクは有効期限が切れています。お手数ですが、お電話でお知らせください。',
    en: 'This link has expired. Please call us instead.',
  },
  not_me_token_invalid: {
    ja: 'このリンクは正しくありません。メールのリンクを途中で切らずに開くか、お電話でお知らせください。',
    en: 'This link is not valid. Open the whole link from the e-mail, or call us.',
  },
};

const callUs = (say: Say) => html`<div class="card"><p><strong>${say('ふりかえ銀行 不正利用ダイヤル', 'Furikae Bank fraud desk')} <a href="tel:${BANK_FRAUD_DESK_PHONE}">${BANK_FRAUD_DESK_PHONE}</a></strong> (${say('24時間', '24 hours')})</p>
<p class="muted">${say('当行が暗証番号・パスワード・認証コードをお尋ねすることはありません。', 'We never ask for your PIN, password or codes.')}</p></div>`;

/** The case number customers read out on the phone: the id's random tail, which staff search by. */
const caseNumber = (case_id: string) => case_id.slice(-12).toUpperCase();

/** What the notice was about, as the customer's passbook and the e-mail said it. */
function factsCard(say: Say, facts: NotMeFacts): SafeHtml {
  const what = facts.charge
    ? html`<tr><th>${say('内容', 'What')}</th><td>${say('引き落とし', 'Charge')}</td></tr>
<tr><th>${say('金額', 'Amount')}</th><td><strong id="not-me-amount">${formatYen(facts.charge.amount_yen)}</strong></td></tr>
<tr><th>${say('日時', 'When')}</th><td>${formatJapanDateTime(facts.charge.charged_at)}</td></tr>`
    : html`<tr><th>${say('内容', 'What')}</th><td>${say('口座連携', 'A link to your account')}</td></tr>
${facts.linked_at ? html`<tr><th>${say('日時', 'When')}</th><td>${formatJapanDateTime(facts.linked_at)}</td></tr>` : ''}`;
  return html`<table class="facts" id="not-me-facts"><tbody>
<tr><th>${say('サービス', 'Service')}</th><td><strong id="not-me-operator">${facts.operator_name}</strong></td></tr>
${what}
<tr><th>${say('口座', 'Account')}</th><td id="not-me-account">${say(customerAccountLabel(facts.branch_code, facts.account_masked), `branch ${facts.branch_code}, ordinary ${facts.account_masked}`)}</td></tr>
</tbody></table>`;
}

/** A not-me page in the customer's language; a POST's answer switches to the GET of its token. */
function notMePage(request: FastifyRequest, reply: FastifyReply, token: string | undefined, title: Bilingual, body: (say: Say) => SafeHtml): string {
  const fallback = token ? `${NOT_ME_PATH}?token=${encodeURIComponent(token)}` : NOT_ME_PATH;
  return customerPage(request, reply, title, body, { fallback_path: fallback });
}

function confirmPage(say: Say, token: string, form_token: string, facts: NotMeFacts): SafeHtml {
  return html`<h1>${say('お心当たりのないお取引のご報告', 'Report something you did not do')}</h1>
<div class="card">${factsCard(say, facts)}
<p>${say(`お心当たりがない場合は、下のボタンを押してください。「${facts.operator_name}」との口座連携を直ちに停止し、担当者が調査します。`, `If you did not do this, press the button. We stop the link to ${facts.operator_name} at once and our staff look into it.`)}</p>
<form method="post" action="${NOT_ME_PATH}" id="not-me-confirm"><input type="hidden" name="csrf" value="${form_token}"><input type="hidden" name="token" value="${token}">
<button type="submit" class="danger" id="not-me-submit">${say('心当たりがないので連携を停止する', 'It was not me: stop the link')}</button></form>
<p class="muted">${say('お心当たりがある場合は、このページを閉じてください。何も変更されません。', 'If this was you, close this page: nothing changes.')}</p></div>
${callUs(say)}`;
}

function reportedPage(say: Say, facts: NotMeFacts, outcome: { case_id: string; state: SafeHtml }): SafeHtml {
  return html`<h1>${say('ご報告を受け付けました', 'We have your report')}</h1>
${outcome.state}
<div class="card">${factsCard(say, facts)}
<p>${say('受付番号', 'Case number')}: <strong id="case-number">${caseNumber(outcome.case_id)}</strong></p>
<p>${say('担当者が調査し、ご登録の電話番号にご連絡します。すでに引き落とされたお金は、調査のうえ補償の対象になります。ほかの引き落としやサービスにもお心当たりがない場合は、下記までお電話ください。',
    'Our staff will look into it and call you at the number on your record. Money already charged is reviewed for compensation. If you see other charges or services you do not know, call us.')}</p></div>
${callUs(say)}`;
}

const alreadyReported = (say: Say) => html`<p class="banner-info" id="not-me-result" data-result="already-reported">${say('すでにご報告いただいています。下記の受付番号で担当者が対応しています。', 'You already reported this. Our staff are handling it under the case number below.')}</p>`;

function outcomeState(say: Say, outcome: Extract<NotMeOutcome, { ok: true }>): SafeHtml {
  const name = outcome.facts.operator_name;
  if (outcome.already_reported) return alreadyReported(say);
  return outcome.frozen_now
    ? html`<p class="banner-warn" id="not-me-result" data-result="frozen">${say(`「${name}」との口座連携を停止しました。このサービスからの引き落としはできません。`, `We stopped the link to ${name}. It can no longer charge your account.`)}</p>`
    : html`<p class="banner-warn" id="not-me-result" data-result="already-${outcome.link_status_before}">${say(`「${name}」との口座連携は、すでに停止されています。ご報告を受け付けました。`, `The link to ${name} was already stopped. We have your report.`)}</p>`;
}

function refusedPage(say: Say, code: NotMeRefusal): SafeHtml {
  const text = REFUSALS[code];
  return html`<h1>${say('リンクを確認できません', 'This link did not work')}</h1>
<p class="error" id="not-me-result" data-code="${code}">${say(text.ja, text.en)}</p>
<p class="muted">${say('コード', 'Code')}: <code>${code}</code> ${say('何も変更していません。', 'Nothing was changed.')}</p>
${callUs(say)}`;
}

/** A confirmation whose form token is missing or wrong (forged, or the page was left open past its cookie): nothing done. */
function refuseNotMeForm(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const token = (request.body as { token?: unknown } | undefined)?.token;
  return page(reply, 403, notMePage(request, reply, typeof token === 'string' && token.length <= NOT_ME_TOKEN_CHARS_MAX ? token : undefined,
    { ja: 'もう一度お試しください', en: 'Please try again' }, (say) => html`<h1>${say('もう一度お試しください', 'Please try again')}</h1>
<p class="error" role="alert" id="not-me-result" data-result="form-expired">${say('このページの有効期限が切れました。何も変更していません。メールのリンクをもう一度開いてください。', 'This page expired and nothing was changed. Open the link in the e-mail again.')}</p>
${callUs(say)}`));
}

/** Every not-me page: never cached, and the token in its URL reaches no other site (Referrer-Policy). */
function page(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(body);
}

const refused = (request: FastifyRequest, reply: FastifyReply, token: string | undefined, code: NotMeRefusal) =>
  page(reply, errorCodes[code].status, notMePage(request, reply, token, { ja: 'リンクを確認できません', en: 'Link not accepted' }, (say) => refusedPage(say, code)));

/**
 * The "this wasn't me" link of a notice. GET /notices/not-me?token=… shows what the notice was about and asks the
 * customer to confirm; it writes nothing, because mail scanners and link previews open links before people do.
 * POST freezes the link and opens a case, with the bank's form token (bound to the form-token cookie: the customer
 * is not signed in) and the signed notice token. A second confirmation, or the link opened after reporting, shows
 * "already reported" with the case number. Must be registered in the scope that has cookies, form bodies and form
 * tokens (src/http/form-csrf.ts). Tokens never reach the request log (route log level).
 */
export async function notMePages(app: FastifyInstance, { notMe }: { notMe: NotMeReports }): Promise<void> {
  requireFormTokens(app, refuseNotMeForm);
  const tokenField = Type.String({ maxLength: NOT_ME_TOKEN_CHARS_MAX });

  app.get<{ Querystring: { token?: string } }>(NOT_ME_PATH, {
    logLevel: 'warn',
    schema: { hide: true, querystring: Type.Object({ token: Type.Optional(tokenField) }) },
    // A token too long or missing is simply not valid: show the page rather than a problem+json.
    attachValidation: true,
  }, async (request, reply) => {
    const token = request.validationError ? undefined : request.query.token;
    const preview: NotMePreview = token ? await notMe.preview(token) : { ok: false, code: 'not_me_token_invalid' };
    if (!preview.ok) return refused(request, reply, undefined, preview.code);
    const { reported, facts } = preview;
    if (reported) return page(reply, 200, notMePage(request, reply, token, { ja: 'ご報告を受け付けました', en: 'Report received' }, (say) => reportedPage(say, facts, { case_id: reported.case_id, state: alreadyReported(say) })));
    return page(reply, 200, notMePage(request, reply, token, { ja: 'お心当たりのないお取引', en: 'Not you?' }, (say) => confirmPage(say, token!, reply.formToken(), facts)));
  });

  app.post<{ Body: { csrf?: string; token?: string } }>(NOT_ME_PATH, {
    logLevel: 'warn',
    schema: { hide: true, body: Type.Object({ csrf: Type.Optional(Type.String({ maxLength: FORM_TOKEN_CHARS_MAX })), token: Type.Optional(tokenField) }) },
    attachValidation: true,
  }, async (request, reply) => {
    const token = request.validationError ? undefined : request.body.token;
    const outcome: NotMeOutcome = token ? await notMe.report(token) : { ok: false, code: 'not_me_token_invalid' };
    if (!outcome.ok) return refused(request, reply, undefined, outcome.code);
    return page(reply, 200, notMePage(request, reply, token, { ja: 'ご報告を受け付けました', en: 'Report received' }, (say) => reportedPage(say, outcome.facts, { case_id: outcome.case_id, state: outcomeState(say, outcome) })));
  });
}
