import { html, raw, type SafeHtml } from '../../web/html.ts';
import { loadStylesheet } from '../../http/stylesheet.ts';
import type { WalletFailure } from '../wallet-outcome.ts';

/** The wallet's stylesheet, linked from every page: the Content-Security-Policy allows no inline styles. */
export const WALLET_STYLESHEET = loadStylesheet('wallet', new URL('./wallet.css', import.meta.url));

export interface PageFrame {
  operator_name: string;
  title: string;
  /** The logged-in user's name; absent on the public pages. */
  user_name?: string;
  /** Needed for the logout button when logged in. */
  csrf_token?: string;
}

/** Wraps a page body in the wallet's header, navigation and stylesheet. */
export function renderPage(frame: PageFrame, body: SafeHtml): string {
  const nav = frame.user_name
    ? html`<nav>
        <a href="/">ホーム / Home</a><a href="/charge">チャージ / Top up</a><a href="/pay">支払う / Pay</a>
        <a href="/send">送る / Send</a><a href="/link">口座連携 / Bank link</a>
        <span class="muted user">${frame.user_name}</span>
        <form method="post" action="/logout"><input type="hidden" name="csrf_token" value="${frame.csrf_token}">
          <button type="submit" id="logout-submit">ログアウト / Log out</button></form>
      </nav>`
    : html`<nav><a href="/login">ログイン / Log in</a><a href="/signup">新規登録 / Sign up</a></nav>`;
  return html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} — ${frame.operator_name}</title>
<link rel="stylesheet" href="${WALLET_STYLESHEET.path}">
</head>
<body>
<header><a class="brand" href="/">${frame.operator_name}</a>${nav}</header>
<main>
<h1>${frame.title}</h1>
${body}
</main>
<footer>furikae reference wallet — デモ用 / for the demo and attack lab only</footer>
</body>
</html>
`.toString();
}

/** The error box above a form; carries the stable code for tests and the bank's code when it refused. */
export function renderFailure(failure: WalletFailure | undefined): SafeHtml {
  if (!failure) return html``;
  return html`<p class="error" role="alert" id="form-error" data-code="${failure.code}" data-bank-code="${failure.bank_code ?? ''}">${failure.detail}</p>`;
}

/** `aria-invalid` for the field a failure names, so the page shows which one to fix. */
export function invalidIf(failure: WalletFailure | undefined, field: string): SafeHtml {
  return failure?.field === field ? raw(' aria-invalid="true"') : html``;
}

/** Tokyo time, as a Japanese reader expects it: 2026/11/21 09:00. */
export function formatTokyoTime(at: Date): string {
  return new Intl.DateTimeFormat('ja-JP', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(at);
}

/** The hidden CSRF field every form carries. */
export function csrfField(csrf_token: string): SafeHtml {
  return html`<input type="hidden" name="csrf_token" value="${csrf_token}">`;
}
