import { html } from '../../web/html.ts';
import { EMAIL_CHARS_MAX, NAME_CHARS_MAX } from '../form-fields.ts';
import { PASSWORD_CHARS_MAX, PASSWORD_CHARS_MIN } from '../password-hash.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { renderIdentitySteps } from './identity-steps.ts';
import { csrfField, invalidIf, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** The hardened sign-up form: the 2020 fields plus a mobile number, which is verified next. */
export function renderHardenedSignUpPage(
  frame: PageFrame,
  model: { csrf_token: string; name?: string; email?: string; phone?: string; failure?: WalletFailure },
): string {
  const { failure } = model;
  return renderPage(frame, html`
${renderIdentitySteps('phone')}
${renderFailure(failure)}
<form method="post" action="/signup" class="card" id="sign-up-form">
  ${csrfField(model.csrf_token)}
  <label for="name">お名前 <small>/ Name</small></label>
  <input id="name" name="name" required maxlength="${NAME_CHARS_MAX}" autocomplete="name" value="${model.name ?? ''}"${invalidIf(failure, 'name')}>
  <label for="email">メールアドレス <small>/ E-mail</small></label>
  <input id="email" name="email" type="email" required maxlength="${EMAIL_CHARS_MAX}" autocomplete="email" value="${model.email ?? ''}"${invalidIf(failure, 'email')}>
  <label for="phone">携帯電話番号 <small>/ Mobile phone (070, 080 or 090); we text you a code</small></label>
  <input id="phone" name="phone" type="tel" required maxlength="20" autocomplete="tel" placeholder="090-1234-5678" value="${model.phone ?? ''}"${invalidIf(failure, 'phone')}>
  <label for="password">パスワード <small>/ Password (${PASSWORD_CHARS_MIN}–${PASSWORD_CHARS_MAX} characters)</small></label>
  <input id="password" name="password" type="password" required minlength="${PASSWORD_CHARS_MIN}" maxlength="${PASSWORD_CHARS_MAX}" autocomplete="new-password"${invalidIf(failure, 'password')}>
  <button type="submit" class="primary" id="sign-up-submit">登録してコードを受け取る / Sign up and get a code</button>
</form>
<p class="muted">このウォレットは電話番号の確認と本人確認（eKYC）の後でだけ銀行口座と連携できます。<br>
This wallet links a bank account only after your phone and your identity (eKYC) are verified.</p>
<p><a href="/login">ログインはこちら / Already have a wallet? Log in</a></p>
`);
}
