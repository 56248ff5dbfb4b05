/**
 * The security page's passkey cards: the customer's passkeys with a "remove" link each, the form that creates one
 * (a name, a code from a factor the customer already holds, then the browser's own passkey prompt), and the form
 * that removes one (a code again). Rendering only; src/web/security-pages.ts owns the routes.
 */
import { japanDate } from '../shared/japan-time.ts';
import type { PasskeyView } from '../mfa/passkey.ts';
import { PASSKEY_NAME_CHARS_MAX, PASSKEYS_PER_CUSTOMER_MAX } from '../mfa/passkeys.ts';
import { html, type SafeHtml } from './html.ts';
import type { Lang } from './page-lang.ts';
import { passkeyFields, resendControl, type SmsSent } from './second-factor-step.ts';

/** A factor that may vouch for adding or removing a passkey: the codes the customer types. */
export type VouchingFactor = 'totp' | 'sms';

/** What a passkey card needs to know besides the passkeys. */
export interface PasskeyCardContext {
  lang: Lang;
  /** The page's hidden form-token field. */
  csrf: SafeHtml;
  /** The code factors the customer holds and may use now, SMS with its masked phone. */
  vouching: ReadonlyArray<{ factor: VouchingFactor; phone_masked?: string | undefined }>;
  /** The live SMS code for this step, if one was sent. */
  sms_sent: SmsSent | undefined;
}

const TEXT = {
  ja: {
    title: 'パスキー', lead: 'パスキーは、この端末の指紋・顔認証・画面ロックで本人確認をします。偽サイトでは使えないため、SMSより安全です。',
    none: 'パスキーは登録されていません。', name: '名前', since: '登録日', last_used: '最終利用', remove: '削除',
    add: 'パスキーを追加する', add_title: 'パスキーの追加', name_label: 'このパスキーの名前 (例: 私のiPhone)',
    vouch_lead: '登録済みの認証方法で本人確認をしてください。', totp_label: '認証アプリの6桁のコード', sms_label: 'SMSで届いた6桁のコード',
    send: (phone: string) => `${phone} にコードを送る`, create: 'パスキーを作成して登録', create_lead: 'ボタンを押すと、ブラウザがパスキーの作成を求めます。',
    remove_title: (name: string) => `パスキー「${name}」の削除`, remove_button: '削除する', cancel: 'やめる', full: `パスキーは${PASSKEYS_PER_CUSTOMER_MAX}個まで登録できます。`,
    factor: '認証方法', totp: '認証アプリ', sms: 'SMS',
  },
  en: {
    title: 'Passkeys', lead: 'A passkey confirms it is you with this device\'s fingerprint, face or screen lock. It does not work on fake sites, so it is safer than SMS.',
    none: 'No passkey registered.', name: 'Name', since: 'Since', last_used: 'Last used', remove: 'Remove',
    add: 'Add a passkey', add_title: 'Add a passkey', name_label: 'A name for this passkey (e.g. My iPhone)',
    vouch_lead: 'Confirm it is you with a method you already have.', totp_label: 'The 6-digit code in your authenticator app', sms_label: 'The 6-digit code in the text message',
    send: (phone: string) => `Text a code to ${phone}`, create: 'Create and register the passkey', create_lead: 'Press the button and your browser asks you to create a passkey.',
    remove_title: (name: string) => `Remove the passkey "${name}"`, remove_button: 'Remove', cancel: 'Cancel', full: `You can register up to ${PASSKEYS_PER_CUSTOMER_MAX} passkeys.`,
    factor: 'Method', totp: 'Authenticator app', sms: 'SMS',
  },
} as const;

/** The list of passkeys, with the way to add one. */
export function passkeyListCard(context: PasskeyCardContext, passkeys: readonly PasskeyView[]): SafeHtml {
  const t = TEXT[context.lang];
  const rows = passkeys.map((passkey) => html`<tr data-passkey="${passkey.id}"><td class="passkey-name">${passkey.name}</td><td>${japanDate(passkey.created_at)}</td>
<td>${passkey.last_used_at ? japanDate(passkey.last_used_at) : '—'}</td><td><a href="/bank/security?remove_passkey=${passkey.id}#passkey-remove" id="remove-${passkey.id}">${t.remove}</a></td></tr>`);
  return html`<div class="card" id="passkeys"><h2>${t.title}</h2><p>${t.lead}</p>
${passkeys.length === 0 ? html`<p class="muted" id="no-passkeys">${t.none}</p>`
    : html`<table id="passkey-list"><thead><tr><th>${t.name}</th><th>${t.since}</th><th>${t.last_used}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}
${passkeys.length < PASSKEYS_PER_CUSTOMER_MAX ? html`<form method="get" action="/bank/security#passkey-enrolment"><input type="hidden" name="add" value="passkey"><button type="submit" class="primary" id="add-passkey">${t.add}</button></form>` : html`<p class="muted">${t.full}</p>`}</div>`;
}

/** The code fields that vouch for the change: one radio per factor the customer can use, the code, and the SMS send button. */
function vouchingFields(context: PasskeyCardContext, send_form_id: string): SafeHtml {
  const t = TEXT[context.lang];
  const sms = context.vouching.find((choice) => choice.factor === 'sms');
  const first = context.vouching[0]?.factor;
  return html`<fieldset id="vouching"><legend>${t.vouch_lead}</legend>
${context.vouching.map((choice) => html`<label class="choice"><input type="radio" name="factor" value="${choice.factor}" ${choice.factor === (context.sms_sent ? 'sms' : first) ? html`checked` : ''}> ${t[choice.factor]}</label>`)}
<label for="vouch_code">${context.vouching.length === 1 && first === 'totp' ? t.totp_label : context.vouching.length === 1 ? t.sms_label : `${t.totp_label} / ${t.sms_label}`}</label>
<input id="vouch_code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required>
${sms ? (context.sms_sent ? resendControl(context.lang, context.sms_sent, send_form_id) : html`<button type="submit" form="${send_form_id}" class="secondary" id="send-sms">${t.send(sms.phone_masked ?? '')}</button>`) : ''}</fieldset>`;
}

/** The form that creates a passkey: name, vouching code, then the browser's prompt when the button is pressed. */
export function passkeyEnrolmentCard(context: PasskeyCardContext, registration_options: unknown): SafeHtml {
  const t = TEXT[context.lang];
  return html`<div class="card" id="passkey-enrolment"><h2>${t.add_title}</h2>
<form method="post" action="/bank/security/passkeys" id="passkey-enrol-form">${context.csrf}
<label for="passkey_name">${t.name_label}</label><input id="passkey_name" name="name" maxlength="${PASSKEY_NAME_CHARS_MAX}" required>
${vouchingFields(context, 'send-enrol-code-form')}
${passkeyFields(context.lang, registration_options, 'register', t.create_lead)}
<div class="actions"><button type="submit" class="primary" id="create-passkey">${t.create}</button><a href="/bank/security">${t.cancel}</a></div></form>
<form method="post" action="/bank/security/passkeys/sms" id="send-enrol-code-form" class="detached">${context.csrf}<input type="hidden" name="purpose" value="enrol_passkey"></form></div>`;
}

/** The form that removes a passkey, vouched for by a code. */
export function passkeyRemovalCard(context: PasskeyCardContext, passkey: PasskeyView): SafeHtml {
  const t = TEXT[context.lang];
  return html`<div class="card" id="passkey-remove"><h2>${t.remove_title(passkey.name)}</h2>
<form method="post" action="/bank/security/passkeys/${passkey.id}/remove" id="passkey-remove-form">${context.csrf}
${vouchingFields(context, 'send-remove-code-form')}
<div class="actions"><button type="submit" class="primary danger" id="remove-passkey">${t.remove_button}</button><a href="/bank/security">${t.cancel}</a></div></form>
<form method="post" action="/bank/security/passkeys/sms" id="send-remove-code-form" class="detached">${context.csrf}<input type="hidden" name="purpose" value="remove_passkey"><input type="hidden" name="passkey_id" value="${passkey.id}"></form></div>`;
}
