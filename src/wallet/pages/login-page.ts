import { html } from '../../web/html.ts';
import { EMAIL_CHARS_MAX } from '../form-fields.ts';
import { PASSWORD_CHARS_MAX } from '../password-hash.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { csrfField, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** The login form. */
export function renderLoginPage(frame: PageFrame, model: { csrf_token: string; email?: string; failure?: WalletFailure; notice?: string }): string {
  return renderPage(frame, html`
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
${renderFailure(model.failure)}
<form method="post" action="/login" class="card" id="login-form">
  ${csrfField(model.csrf_token)}
  <label for="email">メールアドレス <small>/ E-mail</small></label>
  <input id="email" name="email" type="email" required maxlength="${EMAIL_CHARS_MAX}" autocomplete="username" value="${model.email ?? ''}">
  <label for="password">パスワード <small>/ Password</small></label>
  <input id="password" name="password" type="password" required maxlength="${PASSWORD_CHARS_MAX}" autocomplete="current-password">
  <button type="submit" class="primary" id="login-submit">ログイン / Log in</button>
</form>
<p><a href="/signup">新規登録 / Open a wallet</a></p>
`);
}
