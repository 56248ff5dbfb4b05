import { formatYen } from '../../shared/yen.ts';
import { html } from '../../web/html.ts';
import type { WalletBankLink } from '../wallet-bank-links.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { csrfField, invalidIf, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/**
 * The top-up form. `top_up_id` is minted when the form is drawn and rides along hidden: it is the
 * bank's Idempotency-Key, so submitting the same form twice (or again after a timeout) charges once.
 */
export function renderChargePage(
  frame: PageFrame,
  model: { csrf_token: string; top_up_id: string; amount_text?: string; link: WalletBankLink | null; balance_yen: number; failure?: WalletFailure },
): string {
  const { link, failure } = model;
  if (!link) {
    return renderPage(frame, html`
${renderFailure(failure)}
<p class="card" id="no-bank-link">先に銀行口座と連携してください / Link a bank account first. <a href="/link">口座連携 / Bank link</a></p>
`);
  }
  return renderPage(frame, html`
${renderFailure(failure)}
<p class="muted">残高 / Balance: <span id="balance">${formatYen(model.balance_yen)}</span> ·
銀行口座 / From: 支店 ${link.branch_code} 口座 ${link.account_number_masked} ·
上限 / Limits: 1回 ${formatYen(link.charge_yen_max)}, 月 ${formatYen(link.charges_yen_per_month_max)}</p>
<form method="post" action="/charge" class="card" id="charge-form">
  ${csrfField(model.csrf_token)}
  <input type="hidden" name="top_up_id" value="${model.top_up_id}">
  <label for="amount_yen">チャージ金額（円） <small>/ Amount (yen)</small></label>
  <input id="amount_yen" name="amount_yen" required inputmode="numeric" autocomplete="off" maxlength="12" value="${model.amount_text ?? ''}"${invalidIf(failure, 'amount_yen')}>
  <button type="submit" class="primary" id="charge-submit">チャージ / Top up</button>
</form>
`);
}
