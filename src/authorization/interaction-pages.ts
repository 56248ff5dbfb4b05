import { KYC_LEVELS, KYC_LEVEL_TEXT, type KycLevel } from '../operators/operator.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { bankPage } from '../web/layout.ts';
import { formatYen } from '../shared/yen.ts';
import { INTERACTION_TEXT, type Lang } from './interaction-text.ts';
import { codeFields, detachedForms, methodChoice, secondFactorStage, sendCodeStep, type SecondFactorStep } from '../web/second-factor-step.ts';

interface Frame {
  uid: string;
  lang: Lang;
  /** The page's form token (src/http/form-csrf.ts). */
  form_token: string;
}

function page(frame: Frame, title: string, body: SafeHtml): string {
  const other = frame.lang === 'ja' ? 'en' : 'ja';
  return bankPage(title, body, html``, [], { lang: frame.lang, switch_href: `/interaction/${frame.uid}?lang=${other}` });
}

const hidden = (frame: Frame) => html`<input type="hidden" name="csrf" value="${frame.form_token}"><input type="hidden" name="lang" value="${frame.lang}">`;

/** Internet-banking login (password, never the PIN). */
export function loginPage(frame: Frame, error?: string): string {
  const t = INTERACTION_TEXT[frame.lang];
  return page(frame, t.login_title, html`<h1>${t.login_title}</h1><p>${t.login_lead}</p>
<div class="card"><form method="post" action="/interaction/${frame.uid}/login">${hidden(frame)}
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<label for="login_id">${t.login_id}</label><input id="login_id" name="login_id" autocomplete="username" required>
<label for="password">${t.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p class="muted">${t.not_pin}</p><button type="submit" id="login-button">${t.login_button}</button></form></div>`);
}

/** The second-factor part of a form: the method cards, then the send step or the code with its primary button. */
function factorPart(step: SecondFactorStep, submit: SafeHtml, secondary: SafeHtml = html``): { choice: SafeHtml; controls: SafeHtml } {
  const stage = secondFactorStage(step);
  const controls = stage.kind === 'send' ? html`${sendCodeStep(step)}<div class="actions">${secondary}</div>`
    : stage.kind === 'code' ? html`${codeFields(step, stage.factor)}<div class="actions">${submit}${secondary}</div>` : html`<div class="actions">${secondary}</div>`;
  return { choice: methodChoice(step), controls };
}

/** The second factor after the password: choose the method, (for SMS) send the code, then type it. */
export function secondFactorPage(frame: Frame, step: SecondFactorStep, message?: { error?: string; info?: string }): string {
  const t = INTERACTION_TEXT[frame.lang];
  const part = factorPart(step, html`<button type="submit" class="primary" id="verify-button">${t.verify_button}</button>`);
  return page(frame, t.mfa_title, html`<h1>${t.mfa_title}</h1><p>${t.mfa_lead}</p>
<div class="card">${message?.error ? html`<p class="error" role="alert">${message.error}</p>` : ''}${message?.info ? html`<p role="status">${message.info}</p>` : ''}
${part.choice}<form method="post" action="/interaction/${frame.uid}/mfa" id="mfa-form">${hidden(frame)}${part.controls}</form>${detachedForms(step)}</div>`);
}

export interface ConsentModel {
  operator_name: string;
  accounts: Array<{ id: string; label: { ja: string; en: string } }>;
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  kyc: { level: string; name_kana: string } | undefined;
  consent_expires: string;
  /** Set when the operator asked to renew an existing link's consent: its current end (null: none recorded), and whether that has passed. */
  renewal?: { consent_ends: string | null; expired: boolean };
}

/** The consent: who, which account, what, the limits; approval needs the second factor again. */
export function consentPage(frame: Frame, model: ConsentModel, step: SecondFactorStep, message?: { error?: string; info?: string }): string {
  const t = INTERACTION_TEXT[frame.lang];
  const part = factorPart(step, html`<button type="submit" name="decision" value="approve" class="primary" id="approve-button">${t.approve}</button>`,
    html`<button type="submit" name="decision" value="deny" class="secondary" id="deny-button" formnovalidate>${model.renewal ? t.renew_deny : t.deny}</button>`);
  const title = model.renewal ? t.renew_title : t.consent_title;
  return page(frame, title, html`<h1>${title}</h1><p>${model.renewal ? t.renew_lead : t.consent_lead}</p>
<div class="card" id="consent"${model.renewal ? html` data-renewal="true"` : ''}>${message?.error ? html`<p class="error" role="alert">${message.error}</p>` : ''}${message?.info ? html`<p role="status">${message.info}</p>` : ''}
<form method="post" action="/interaction/${frame.uid}/consent">${hidden(frame)}
<table><tbody>
<tr><th>${t.operator}</th><td id="consent-operator"><strong>${model.operator_name}</strong></td></tr>
<tr><th>${t.account}</th><td>${model.accounts.map((account, index) => html`<label class="choice"><input type="radio" name="account_id" value="${account.id}" ${index === 0 ? html`checked` : ''}> ${account.label[frame.lang]}</label>`)}</td></tr>
<tr><th>${t.may_do}</th><td>${t.may_do_text}</td></tr>
<tr><th>${t.limits}</th><td id="consent-limits">${formatYen(model.charge_yen_max)} ${t.per_charge} · ${formatYen(model.charges_yen_per_month_max)} ${t.per_month}</td></tr>
<tr><th>${t.identity}</th><td>${model.kyc ? `${model.kyc.name_kana} (${kycLevelText(model.kyc.level, frame.lang)})` : '—'}</td></tr>
${model.renewal ? html`<tr><th>${t.renew_current_end}</th><td id="consent-current-end">${model.renewal.consent_ends ?? '—'}${model.renewal.expired ? html` <strong>${t.renew_expired}</strong>` : ''}</td></tr>` : ''}
<tr><th>${model.renewal ? t.renew_expires : t.consent_expires}</th><td id="consent-expires">${model.consent_expires}</td></tr>
</tbody></table>
<p class="muted">${t.approve_needs_factor}</p>${part.choice}${part.controls}</form>
${detachedForms(step)}</div>`);
}

/** A dead end inside the interaction (bad form token, no factor). */
export function interactionMessagePage(frame: Frame, title: string, message: string): string {
  return page(frame, title, html`<h1>${title}</h1><div class="card"><p class="error" role="alert">${message}</p></div>`);
}

/** A KYC level in the customer's words; a level this bank does not know (a newer operator) shows as its code. */
function kycLevelText(level: string, lang: 'ja' | 'en'): string {
  return (KYC_LEVELS as readonly string[]).includes(level) ? KYC_LEVEL_TEXT[level as KycLevel][lang] : level;
}
