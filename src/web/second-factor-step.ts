/**
 * The one way every bank page asks for a second factor (internet banking, charge approvals, the sign-in and consent
 * for linking): the customer picks a method from a card per method; for SMS the page first offers to send the code
 * to the masked number and only then asks for it, saying where and when it went, with a resend control that stays
 * disabled, counting down, until the server would send again (SMS_RESEND_INTERVAL_MS); for the authenticator app
 * it asks at once for the code in the app; for a passkey the page's own submit button opens the browser's passkey
 * prompt (the one script customer pages load, src/web/scripts/passkey-prompt.js). The countdown is CSS (customer pages run no script): without it the
 * resend button shows at once, and the server refuses an early resend with the time it may be asked again.
 */
import type { SecondFactorKind } from '../mfa/second-factor.ts';
import { SMS_CODE_TTL_MS, SMS_RESEND_INTERVAL_MS } from '../mfa/second-factors.ts';
import { japanClock } from '../shared/japan-time.ts';
import { html, type SafeHtml } from './html.ts';
import type { Lang } from './page-lang.ts';
import { passkeyScriptTags } from './passkey-scripts.ts';

/** The countdown's longest wait the stylesheet has a step for; a longer wait (the hourly cap) shows its time only. */
export const RESEND_COUNTDOWN_SECONDS_MAX = SMS_RESEND_INTERVAL_MS / 1000;
const CODE_TTL_MINUTES = SMS_CODE_TTL_MS / 60_000;

/** A factor the customer may use now, as the choice shows it. */
export interface FactorChoice {
  factor: SecondFactorKind;
  /** For SMS: the registered phone, last four digits only. */
  phone_masked?: string | undefined;
}

/** A live SMS code: when it went out and when another may be sent. */
export interface SmsSent {
  sent_at: Date;
  resend_at: Date;
  /** How long until `resend_at`, measured by the bank's clock when the page was made. */
  resend_in_ms: number;
}

/** Everything a page knows about its second-factor step. */
export interface SecondFactorStep {
  lang: Lang;
  factors: readonly FactorChoice[];
  /** The method asked for (`?method=`), if any; ignored unless it is one of `factors`. */
  asked: string | undefined;
  /** The address of this page with `method` set. */
  method_href: (factor: SecondFactorKind) => string;
  sms_sent: SmsSent | undefined;
  /** The form that sends (and resends) the SMS code: its action and hidden fields (form token, purpose, ...). */
  send: { action: string; hidden: SafeHtml };
  /** The WebAuthn request options (with a challenge issued for this page) when the passkey is the chosen method. */
  passkey_options?: unknown;
}

/** Where the customer is: choosing a method, about to send an SMS, or typing a code. */
export type Stage = { kind: 'choose' } | { kind: 'send'; factor: 'sms' } | { kind: 'code'; factor: SecondFactorKind };

const TEXT = {
  ja: {
    choose: '認証方法を選んでください',
    chosen: '選択中',
    sms_title: 'SMSでコードを受け取る',
    sms_sub: (phone: string) => `${phone} 宛てに6桁のコードを送ります`,
    totp_title: '認証アプリ',
    totp_sub: '認証アプリに表示される6桁のコードを使います',
    send_lead: (phone: string) => `ボタンを押すと、${phone} 宛てにSMSで6桁のコードを送ります。`,
    send_button: (phone: string) => `${phone} にコードを送る`,
    sent: (phone: string, at: string) => `${at} に ${phone} 宛てにSMSでコードを送りました。${CODE_TTL_MINUTES}分間有効です。`,
    sms_label: 'SMSで届いた6桁のコード',
    totp_label: '認証アプリに表示されている6桁のコード',
    totp_lead: '認証アプリを開き、ふりかえ銀行の6桁のコードを入力してください。',
    resend: 'コードを再送する',
    resend_waiting: '再送まで',
    seconds: '秒',
    resend_at: (at: string) => `${at} 以降に再送できます。`,
    other: '別の方法にする',
    passkey_title: 'パスキーを使う',
    passkey_sub: '指紋・顔認証・画面ロックで確認します',
    passkey_lead: 'ボタンを押すと、この端末またはスマートフォンのパスキーで確認します。',
    passkey_waiting: 'パスキーの確認を待っています…',
    passkey_failed: 'パスキーで確認できませんでした。もう一度お試しいただくか、別の方法を選んでください。',
    passkey_unsupported: 'このブラウザではパスキーを使えません。別の方法を選んでください。',
    passkey_noscript: 'パスキーにはJavaScriptが必要です。別の方法を選んでください。',
  },
  en: {
    choose: 'Choose how to confirm it is you',
    chosen: 'Selected',
    sms_title: 'Text me a code (SMS)',
    sms_sub: (phone: string) => `We text a 6-digit code to ${phone}`,
    totp_title: 'Authenticator app',
    totp_sub: 'Use the 6-digit code your authenticator app shows',
    send_lead: (phone: string) => `Press the button and we text a 6-digit code to ${phone}.`,
    send_button: (phone: string) => `Text a code to ${phone}`,
    sent: (phone: string, at: string) => `We texted a code to ${phone} at ${at}. It works for ${CODE_TTL_MINUTES} minutes.`,
    sms_label: 'The 6-digit code in the text message',
    totp_label: 'The 6-digit code in your authenticator app',
    totp_lead: 'Open your authenticator app and type the 6-digit code it shows for Furikae Bank.',
    resend: 'Send a new code',
    resend_waiting: 'New code in',
    seconds: 's',
    resend_at: (at: string) => `You can ask for a new code from ${at}.`,
    other: 'Use another method',
    passkey_title: 'Use a passkey',
    passkey_sub: 'Confirm with your fingerprint, face or screen lock',
    passkey_lead: 'Press the button and confirm with the passkey on this device or your phone.',
    passkey_waiting: 'Waiting for your passkey…',
    passkey_failed: 'The passkey did not confirm it. Try again, or choose another method.',
    passkey_unsupported: 'This browser cannot use passkeys. Choose another method.',
    passkey_noscript: 'Passkeys need JavaScript. Choose another method.',
  },
} as const;

const phoneOf = (step: SecondFactorStep) => step.factors.find((choice) => choice.factor === 'sms')?.phone_masked ?? '';

/** The stage a page is at: a method is chosen when asked for, or when it is the only one; SMS needs a live code to take one. */
export function secondFactorStage(step: SecondFactorStep): Stage {
  const methods = step.factors.map((choice) => choice.factor);
  const chosen = methods.find((factor) => factor === step.asked) ?? (methods.length === 1 ? methods[0] : undefined);
  if (!chosen) return { kind: 'choose' };
  if (chosen === 'sms' && !step.sms_sent) return { kind: 'send', factor: 'sms' };
  return { kind: 'code', factor: chosen };
}

/** Whether the page shows the passkey step, and so must issue a challenge for it (only then: each one is a row). */
export function needsPasskeyOptions(step: SecondFactorStep): boolean {
  const stage = secondFactorStage(step);
  return stage.kind === 'code' && stage.factor === 'passkey';
}

/** One card per method; the chosen one is marked. Nothing to choose with a single method. */
export function methodChoice(step: SecondFactorStep): SafeHtml {
  if (step.factors.length < 2) return html``;
  const t = TEXT[step.lang];
  const stage = secondFactorStage(step);
  const chosen = stage.kind === 'choose' ? undefined : stage.factor;
  return html`<nav aria-label="${t.choose}" id="factor-methods">${stage.kind === 'choose' ? html`<p class="methods-lead"><strong>${t.choose}</strong></p>` : ''}
<div class="methods">${step.factors.map((choice) => html`<a class="method${choice.factor === chosen ? ' chosen' : ''}" id="method-${choice.factor}" href="${step.method_href(choice.factor)}"${choice.factor === chosen ? html` aria-current="true"` : ''}>
<span class="method-title">${{ sms: t.sms_title, totp: t.totp_title, passkey: t.passkey_title }[choice.factor]}</span>
<span class="method-sub">${{ sms: t.sms_sub(choice.phone_masked ?? ''), totp: t.totp_sub, passkey: t.passkey_sub }[choice.factor]}</span>${choice.factor === chosen ? html`<span class="method-chosen">${t.chosen}</span>` : ''}</a>`)}</div></nav>`;
}

/** The forms that live outside a page's main form (HTML forms do not nest); buttons elsewhere point at them by id. */
export function detachedForms(step: SecondFactorStep): SafeHtml {
  if (!step.factors.some((choice) => choice.factor === 'sms')) return html``;
  return html`<form method="post" action="${step.send.action}" id="send-code-form" class="detached">${step.send.hidden}</form>`;
}

/** The SMS "send" step: what will happen, and the one primary button. */
export function sendCodeStep(step: SecondFactorStep): SafeHtml {
  const t = TEXT[step.lang];
  const phone = phoneOf(step);
  return html`<div class="factor-step" id="sms-send-step"><p>${t.send_lead(phone)}</p>
<button type="submit" form="send-code-form" class="primary" id="send-sms">${t.send_button(phone)}</button></div>`;
}

/** Whole seconds of a wait, never negative. */
function wholeSeconds(wait_ms: number): number {
  return Math.max(0, Math.ceil(wait_ms / 1000));
}

/** The resend control: disabled and counting down until the server would send again, then a plain secondary button. */
export function resendControl(lang: Lang, sms_sent: SmsSent, form_id = 'send-code-form'): SafeHtml {
  const t = TEXT[lang];
  const wait_s = wholeSeconds(sms_sent.resend_in_ms);
  const ready = html`<button type="submit" form="${form_id}" class="secondary resend-ready" id="resend-sms">${t.resend}</button>`;
  if (wait_s === 0) return html`<div class="resend">${ready}</div>`;
  const counted = wait_s <= RESEND_COUNTDOWN_SECONDS_MAX;
  return html`<div class="resend${counted ? ` counting wait-${wait_s}` : ''}" data-resend-in-seconds="${wait_s}">
<span class="resend-stack"><button type="button" class="secondary resend-waiting" id="resend-sms-waiting" disabled>${t.resend_waiting} ${counted ? html`<span class="countdown" aria-hidden="true"></span>` : ''}${counted ? t.seconds : ''}</button>${counted ? ready : ''}</span>
<span class="muted resend-note">${t.resend_at(japanClock(sms_sent.resend_at))}</span></div>`;
}

/**
 * The passkey step inside a form: what will happen, the hidden field the prompt fills, and the options with their
 * challenge for the script to read. `mode` is 'register' on the security page, else 'authenticate'.
 */
export function passkeyFields(lang: Lang, options: unknown, mode: 'register' | 'authenticate' = 'authenticate', lead?: string): SafeHtml {
  const t = TEXT[lang];
  return html`<div class="factor-step" id="passkey-step" data-factor="passkey" data-passkey-mode="${mode}" data-passkey-options="${JSON.stringify(options)}"
 data-passkey-waiting="${t.passkey_waiting}" data-passkey-failed="${t.passkey_failed}" data-passkey-unsupported="${t.passkey_unsupported}">
<p id="passkey-lead">${lead ?? t.passkey_lead}</p><input type="hidden" name="passkey_response" value="">
<p class="muted" id="passkey-status" data-passkey-status role="status"></p><noscript><p class="error">${t.passkey_noscript}</p></noscript></div>
${passkeyScriptTags()}`;
}

/** The code field for the chosen method, with what the customer needs to know about it; `factor` rides along hidden. */
export function codeFields(step: SecondFactorStep, factor: SecondFactorKind, input_id = 'code'): SafeHtml {
  const t = TEXT[step.lang];
  if (factor === 'passkey') return html`<input type="hidden" name="factor" value="passkey">${passkeyFields(step.lang, step.passkey_options)}`;
  const lead = factor === 'sms' && step.sms_sent
    ? html`<p class="banner-info" role="status" id="sms-sent">${t.sent(phoneOf(step), japanClock(step.sms_sent.sent_at))}</p>`
    : html`<p id="totp-lead">${t.totp_lead}</p>`;
  return html`<div class="factor-step" id="code-step" data-factor="${factor}">${lead}<input type="hidden" name="factor" value="${factor}">
<label for="${input_id}">${factor === 'sms' ? t.sms_label : t.totp_label}</label>
<input id="${input_id}" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required>
${factor === 'sms' && step.sms_sent ? resendControl(step.lang, step.sms_sent) : ''}</div>`;
}

/**
 * The stylesheet rules for the countdown, one per second it can show: the disabled button counts down from its
 * wait (a registered integer property animated to zero, shown by a counter), then gives way to the real button.
 */
export function resendCountdownCss(): string {
  const rules = [
    `@property --resend-s { syntax: '<integer>'; inherits: false; initial-value: 0; }`,
    `@keyframes resend-count { from { --resend-s: ${RESEND_COUNTDOWN_SECONDS_MAX}; } to { --resend-s: 0; } }`,
    `@keyframes resend-vanish { from { visibility: visible; } to { visibility: hidden; } }`,
    `@keyframes resend-appear { from { visibility: hidden; } to { visibility: visible; } }`,
    `.resend .countdown::after { counter-reset: resend var(--resend-s); content: counter(resend); animation: resend-count ${RESEND_COUNTDOWN_SECONDS_MAX}s steps(${RESEND_COUNTDOWN_SECONDS_MAX}, end) forwards; }`,
    `.resend .resend-waiting, .resend .resend-ready { animation-duration: 1ms; animation-timing-function: step-end; animation-fill-mode: both; }`,
    `.resend.counting .resend-waiting { animation-name: resend-vanish; }`,
    `.resend.counting .resend-ready { animation-name: resend-appear; }`,
  ];
  for (let wait_s = 1; wait_s <= RESEND_COUNTDOWN_SECONDS_MAX; wait_s++) {
    // The count starts part-way through its minute; the buttons swap when it reaches zero.
    rules.push(`.resend.wait-${wait_s} .countdown::after { animation-delay: -${RESEND_COUNTDOWN_SECONDS_MAX - wait_s}s; } .resend.wait-${wait_s} .resend-waiting, .resend.wait-${wait_s} .resend-ready { animation-delay: ${wait_s}s; }`);
  }
  return rules.join('\n');
}
