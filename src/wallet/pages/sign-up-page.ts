import { html } from '../../web/html.ts';
import { EMAIL_CHARS_MAX, NAME_CHARS_MAX } from '../form-fields.ts';
import { PASSWORD_CHARS_MAX, PASSWORD_CHARS_MIN } from '../password-hash.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { csrfField, invalidIf, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** The sign-up form: name, e-mail, password. No identity check, on purpose (see sign-up.ts). */
export function renderSignUpPage(
  frame: PageFrame,
  model: { csrf_token: string; name?: string; email?: string; failure?: WalletFailure },
): string {
  const { failure } = model;
  return renderPage(frame, html`
${renderFailure(failure)}
<form method="post" action="/signup" class="card" id="sign-up-form">
  ${csrfField(model.csrf_token)}
  <label for="name">お名前 <small>/ Name</small></label>
  <input id="name" name="name" required maxlength="${NAME_CHARS_MAX}" autocomplete="name" value="${model.name ?? ''}"${invalidIf(failure, 'name')}>
  <label for="email">メールアドレス <small>/ E-mail</small></label>
  <input id="email" name="email" type="email" required maxlength="${EMAIL_CHARS_MAX}" autocomplete="email" value="${model.email ?? ''}"${invalidIf(failure, 'email')}>
  <label for="password">パスワード <small>/ Password (${PASSWORD_CHARS_MIN}–${PASSWORD_CHARS_MAX} characters)</small></label>
  <input id="password" name="password" type="password" required minlength="${PASSWORD_CHARS_MIN}" maxlength="${PASSWORD_CHARS_MAX}" autocomplete="new-password"${invalidIf(failure, 'password')}>
  <button type="submit" class="primary" id="sign-up-submit">登録 / Sign up</button>
</form>
<p class="muted">本人確認はありません（2020年当時の弱点の再現）/ No identity check: this reproduces the 2020 weakness.</p>
<p><a href="/login">ログインはこちら / Already have a wallet? Log in</a></p>
`);
}
