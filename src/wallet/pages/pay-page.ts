import { formatYen } from '../../shared/yen.ts';
import { html } from '../../web/html.ts';
import type { WalletMerchant } from '../wallet-merchants.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { csrfField, invalidIf, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** The pay-a-shop form; `payment_id` rides along hidden so a double submit pays once. */
export function renderPayPage(
  frame: PageFrame,
  model: { csrf_token: string; payment_id: string; merchants: WalletMerchant[]; merchant_id?: string; amount_text?: string; balance_yen: number; failure?: WalletFailure },
): string {
  const { failure } = model;
  const options = model.merchants.map(
    (merchant) => html`<option value="${merchant.id}"${merchant.id === model.merchant_id ? html` selected` : ''}>${merchant.name}</option>`,
  );
  return renderPage(frame, html`
${renderFailure(failure)}
<p class="muted">残高 / Balance: <span id="balance">${formatYen(model.balance_yen)}</span></p>
<form method="post" action="/pay" class="card" id="pay-form">
  ${csrfField(model.csrf_token)}
  <input type="hidden" name="payment_id" value="${model.payment_id}">
  <label for="merchant_id">お店 <small>/ Shop</small></label>
  <select id="merchant_id" name="merchant_id" required${invalidIf(failure, 'merchant_id')}>${options}</select>
  <label for="amount_yen">金額（円） <small>/ Amount (yen)</small></label>
  <input id="amount_yen" name="amount_yen" required inputmode="numeric" autocomplete="off" maxlength="12" value="${model.amount_text ?? ''}"${invalidIf(failure, 'amount_yen')}>
  <button type="submit" class="primary" id="pay-submit">支払う / Pay</button>
</form>
`);
}
