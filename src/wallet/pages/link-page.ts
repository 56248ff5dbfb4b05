import { formatYen } from '../../shared/yen.ts';
import { html, type SafeHtml } from '../../web/html.ts';
import { NAME_KANA_CHARS_MAX } from '../link-bank-account.ts';
import type { WalletBankLink } from '../wallet-bank-links.ts';
import { renderLinkStatus, renderRenewalOffer } from './bank-link-status.ts';
import type { ConsentRenewalOffer, ShownLinkState } from '../bank-link-state.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { csrfField, formatTokyoTime, invalidIf, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** Values to show again after a refusal. Never the PIN: it is not echoed back into the page. */
export interface LinkFormValues {
  branch_code?: string;
  account_number?: string;
  name_kana?: string;
  birth_date?: string;
}

/** The bank link page: the active link with a revoke button, or the 2020 legacy link form under a red warning. */
export function renderLinkPage(
  frame: PageFrame,
  model: { csrf_token: string; link: WalletBankLink | null; link_state?: ShownLinkState; values?: LinkFormValues; failure?: WalletFailure; notice?: string },
): string {
  const { link, failure } = model;
  const values = model.values ?? {};
  if (link) return renderPage(frame, html`${renderFailure(failure)}${renderLinkedAccount(link, model.link_state ?? 'active', model.csrf_token)}`);
  return renderPage(frame, html`
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
<div class="warning" role="alert" id="legacy-link-warning">
  ⚠ 2020年方式の口座連携（二要素認証なし）
  <p>This wallet uses the 2020 LEGACY link: account number + 4-digit PIN, no second factor.
  Anyone who knows these details can link the account. For the demo and attack lab only.</p>
</div>
${renderFailure(failure)}
<form method="post" action="/link" class="card" id="link-form" autocomplete="off">
  ${csrfField(model.csrf_token)}
  <label for="branch_code">支店番号 <small>/ Branch code (3 digits)</small></label>
  <input id="branch_code" name="branch_code" required inputmode="numeric" maxlength="3" value="${values.branch_code ?? ''}"${invalidIf(failure, 'branch_code')}>
  <label for="account_number">口座番号 <small>/ Account number (7 digits)</small></label>
  <input id="account_number" name="account_number" required inputmode="numeric" maxlength="7" value="${values.account_number ?? ''}"${invalidIf(failure, 'account_number')}>
  <label for="pin">キャッシュカード暗証番号 <small>/ Cash-card PIN (4 digits)</small></label>
  <input id="pin" name="pin" type="password" required inputmode="numeric" maxlength="4" autocomplete="off"${invalidIf(failure, 'pin')}>
  <label for="name_kana">お名前（カタカナ） <small>/ Name in katakana, e.g. ヤマダ タロウ</small></label>
  <input id="name_kana" name="name_kana" required maxlength="${NAME_KANA_CHARS_MAX}" value="${values.name_kana ?? ''}"${invalidIf(failure, 'name_kana')}>
  <label for="birth_date">生年月日 <small>/ Date of birth (YYYY-MM-DD)</small></label>
  <input id="birth_date" name="birth_date" required placeholder="1955-04-01" value="${values.birth_date ?? ''}"${invalidIf(failure, 'birth_date')}>
  <button type="submit" class="primary" id="link-submit">連携する / Link account</button>
</form>
`);
}

/** The link, its state at the bank, its limits and a button to remove it: the same for 2020 and FAPI 2.0 links. */
export function renderLinkedAccount(link: WalletBankLink, state: ShownLinkState, csrf_token: string, renewal?: ConsentRenewalOffer): SafeHtml {
  return html`
<section class="card" id="bank-link" data-link-status="${state}" data-link-method="${link.method}">
  ${renderLinkStatus(link, state)}
  ${renderRenewalOffer(renewal, csrf_token)}
  <p class="muted">方式 / Method: ${link.method} · 連携日 / Since: ${formatTokyoTime(link.created_at)}<br>
  上限 / Limits: 1回 ${formatYen(link.charge_yen_max)} · 月 ${formatYen(link.charges_yen_per_month_max)}</p>
  <form method="post" action="/link/revoke">
    ${csrfField(csrf_token)}
    <button type="submit" class="secondary" id="revoke-submit">連携を解除 / Remove bank link</button>
  </form>
</section>
`;
}
