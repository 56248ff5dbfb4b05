import { html, raw, type SafeHtml } from '../../web/html.ts';
import type { WalletFailure } from '../wallet-outcome.ts';

/** The wallet's whole stylesheet: small enough to inline, so pages need no second request and CSP stays strict. */
const STYLESHEET = raw(`
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;color:#1d2433;background:#f4f6fa}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.75rem 1.25rem;background:#0b5cad;color:#fff}
header a{color:#fff;text-decoration:none}
.brand{font-weight:700;font-size:1.1rem;margin-right:auto}
nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem;align-items:center}
nav form{margin:0}
nav button{background:none;border:1px solid #fff8;color:#fff;padding:.15rem .6rem;border-radius:4px;cursor:pointer;font:inherit}
main{max-width:40rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
.card{background:#fff;border:1px solid #d8dde6;border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem}
.balance{font-size:2rem;font-weight:700;margin:.2rem 0}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}
label small{font-weight:400;color:#5b6577}
input,select{width:100%;padding:.5rem;border:1px solid #aab3c2;border-radius:4px;font:inherit}
input[aria-invalid=true],select[aria-invalid=true]{border-color:#c62828;background:#fff5f5}
button.primary{margin-top:1.2rem;padding:.6rem 1.4rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;font:inherit;font-weight:600;cursor:pointer}
button.secondary{padding:.35rem .9rem;background:#fff;color:#0b5cad;border:1px solid #0b5cad;border-radius:4px;font:inherit;cursor:pointer}
.error{background:#fdecea;border:1px solid #c62828;color:#8e1c1c;padding:.6rem .9rem;border-radius:6px}
.notice{background:#e8f5e9;border:1px solid #2e7d32;color:#1b5e20;padding:.6rem .9rem;border-radius:6px}
.warning{background:#c62828;color:#fff;padding:.8rem 1rem;border-radius:6px;font-weight:600;margin:0 0 1rem}
.warning p{margin:.2rem 0;font-weight:400}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{text-align:left;padding:.4rem .3rem;border-bottom:1px solid #e3e7ee}
td.amount{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.in{color:#1b5e20}.out{color:#8e1c1c}
.muted{color:#5b6577;font-size:.9rem}
footer{text-align:center;color:#5b6577;font-size:.8rem;margin:2rem 0}
ol.steps{display:flex;gap:.4rem;list-style:none;padding:0;margin:0 0 1rem;font-size:.85rem}
ol.steps li{flex:1;padding:.35rem .5rem;border-radius:4px;background:#e3e7ee;color:#5b6577;text-align:center;line-height:1.35}
ol.steps small{display:block;font-size:.75rem;opacity:.85}
ol.steps li.done{background:#e8f5e9;color:#1b5e20}
ol.steps li.current{background:#0b5cad;color:#fff;font-weight:600}
.secure{background:#e8f0fb;border:1px solid #0b5cad;color:#0b3d73;padding:.8rem 1rem;border-radius:6px;margin:0 0 1rem}
.secure p{margin:.2rem 0}
fieldset{border:1px solid #d8dde6;border-radius:6px;margin:.8rem 0 0;padding:.4rem .9rem .7rem}
fieldset label{display:inline-flex;align-items:center;gap:.35rem;font-weight:400;margin:.3rem 1.2rem 0 0}
fieldset input{width:auto}
legend{font-weight:600;padding:0 .3rem}
input[type=file]{padding:.35rem;background:#fff}
`);

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
        <span class="muted" style="color:#fff">${frame.user_name}</span>
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
<style>${STYLESHEET}</style>
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
