import { formatYen } from '../../shared/yen.ts';
import { html } from '../../web/html.ts';
import type { WalletPayment } from '../pay-merchant.ts';
import type { WalletSend } from '../send-to-user.ts';
import type { WalletTopUp } from '../top-up.ts';
import { csrfField, formatTokyoTime, renderPage, type PageFrame } from './page-layout.ts';

const TOP_UP_STATUS_TEXT: Record<WalletTopUp['status'], string> = {
  pending: '銀行の確認待ち / Waiting for the bank',
  succeeded: 'チャージ完了 / Topped up',
  failed: 'チャージできませんでした / Top-up failed',
};

/** A top-up's receipt; a pending one offers to ask the bank again with the same key. */
export function renderTopUpReceipt(frame: PageFrame, model: { top_up: WalletTopUp; csrf_token: string; notice?: string }): string {
  const { top_up } = model;
  return renderPage(frame, html`
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
<section class="card" id="receipt" data-kind="top_up" data-status="${top_up.status}" data-id="${top_up.id}">
  <p class="balance" id="receipt-amount">${formatYen(top_up.amount_yen)}</p>
  <p id="receipt-status">${TOP_UP_STATUS_TEXT[top_up.status]}</p>
  ${top_up.failure_detail ? html`<p class="error" data-bank-code="${top_up.failure_code ?? ''}">${top_up.failure_detail}</p>` : ''}
  <p class="muted">${formatTokyoTime(top_up.created_at)} · 受付番号 / Reference ${top_up.id}</p>
  ${top_up.status === 'pending'
    ? html`<form method="post" action="/charge">${csrfField(model.csrf_token)}
        <input type="hidden" name="top_up_id" value="${top_up.id}"><input type="hidden" name="amount_yen" value="${top_up.amount_yen}">
        <button type="submit" class="secondary" id="retry-submit">もう一度確認 / Ask the bank again</button></form>`
    : ''}
</section>
<p><a href="/">ホームへ / Home</a></p>
`);
}

/** A payment's receipt. */
export function renderPaymentReceipt(frame: PageFrame, model: { payment: WalletPayment; notice?: string }): string {
  const { payment } = model;
  return renderPage(frame, html`
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
<section class="card" id="receipt" data-kind="payment" data-id="${payment.id}">
  <p class="balance" id="receipt-amount">${formatYen(payment.amount_yen)}</p>
  <p>お支払い先 / Paid to: <strong id="receipt-counterparty">${payment.merchant_name}</strong></p>
  <p class="muted">${formatTokyoTime(payment.created_at)} · 受付番号 / Reference ${payment.id}</p>
</section>
<p><a href="/">ホームへ / Home</a></p>
`);
}

/** A send's receipt. */
export function renderSendReceipt(frame: PageFrame, model: { send: WalletSend; notice?: string }): string {
  const { send } = model;
  return renderPage(frame, html`
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
<section class="card" id="receipt" data-kind="send" data-id="${send.id}">
  <p class="balance" id="receipt-amount">${formatYen(send.amount_yen)}</p>
  <p>送り先 / Sent to: <strong id="receipt-counterparty">${send.target_name}</strong> <span class="muted">${send.target_email}</span></p>
  <p class="muted">${formatTokyoTime(send.created_at)} · 受付番号 / Reference ${send.id}</p>
</section>
<p><a href="/">ホームへ / Home</a></p>
`);
}
