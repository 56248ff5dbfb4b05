import { formatYen } from '../../shared/yen.ts';
import { html, type SafeHtml } from '../../web/html.ts';
import type { WalletBankLink } from '../wallet-bank-links.ts';
import { renderLinkStatus, renderRenewalOffer } from './bank-link-status.ts';
import type { ConsentRenewalOffer, ShownLinkState } from '../bank-link-state.ts';
import type { WalletHistoryEntry } from '../wallet-history.ts';
import { NEXT_STEP, renderIdentitySteps, type IdentityStep } from './identity-steps.ts';
import { formatTokyoTime, renderPage, type PageFrame } from './page-layout.ts';

const KIND_LABELS: Record<WalletHistoryEntry['kind'], string> = {
  top_up: 'チャージ / Top-up',
  payment: '支払い / Payment',
  send_out: '送金 / Sent',
  send_in: '受取 / Received',
};

const TOP_UP_STATUS_LABELS: Record<string, string> = {
  pending: '確認中 / pending',
  succeeded: '完了 / done',
  failed: '失敗 / failed',
};

function receiptHref(entry: WalletHistoryEntry): string {
  if (entry.kind === 'top_up') return `/top-ups/${entry.id}`;
  if (entry.kind === 'payment') return `/payments/${entry.id}`;
  return entry.kind === 'send_out' ? `/sends/${entry.id}` : '';
}

function historyRow(entry: WalletHistoryEntry): SafeHtml {
  const moved = entry.kind !== 'top_up' || entry.status === 'succeeded';
  const sign = entry.amount_yen > 0 ? '+' : '−';
  const amount = moved ? `${sign}${formatYen(Math.abs(entry.amount_yen))}` : `(${formatYen(Math.abs(entry.amount_yen))})`;
  const what = entry.counterparty ?? (entry.status ? TOP_UP_STATUS_LABELS[entry.status] ?? entry.status : '');
  const href = receiptHref(entry);
  return html`<tr data-kind="${entry.kind}" data-id="${entry.id}">
    <td>${formatTokyoTime(entry.created_at)}</td>
    <td>${href ? html`<a href="${href}">${KIND_LABELS[entry.kind]}</a>` : KIND_LABELS[entry.kind]}</td>
    <td>${what}</td>
    <td class="amount ${moved ? (entry.amount_yen > 0 ? 'in' : 'out') : 'muted'}">${amount}</td>
  </tr>`;
}

/** The signed-in home: balance, bank link, what to do next, and recent history; in hardened mode, the sign-up steps too. */
export function renderHomePage(
  frame: PageFrame,
  model: { balance_yen: number; link: WalletBankLink | null; link_state?: ShownLinkState; renewal?: ConsentRenewalOffer; history: WalletHistoryEntry[]; notice?: string; identity_step?: IdentityStep },
): string {
  const { link, identity_step } = model;
  return renderPage(frame, html`
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
${identity_step !== undefined && identity_step !== 'done'
    ? html`<section class="card" id="identity">${renderIdentitySteps(identity_step)}<p>次のステップ / Next: ${NEXT_STEP[identity_step]}</p></section>`
    : ''}
<section class="card">
  <div class="muted">残高 / Balance</div>
  <div class="balance" id="balance" data-balance-yen="${model.balance_yen}">${formatYen(model.balance_yen)}</div>
  <p><a href="/charge">チャージ / Top up</a> · <a href="/pay">支払う / Pay</a> · <a href="/send">送る / Send</a></p>
</section>
<section class="card" id="bank-link" data-link-status="${link ? model.link_state ?? 'active' : 'none'}">
  <div class="muted">銀行口座 / Bank account</div>
  ${link
    ? html`${renderLinkStatus(link, model.link_state ?? 'active')}${renderRenewalOffer(model.renewal)}
        <p class="muted">上限 / Limits: 1回 ${formatYen(link.charge_yen_max)} · 月 ${formatYen(link.charges_yen_per_month_max)}</p>`
    : html`<p>未連携 / Not linked. <a href="/link">銀行口座と連携する / Link a bank account</a></p>`}
</section>
<section class="card">
  <h2 class="history">履歴 / History</h2>
  ${model.history.length === 0
    ? html`<p class="muted" id="history-empty">まだ取引はありません / Nothing yet.</p>`
    : html`<table id="history"><thead><tr><th>日時 / When</th><th>種類 / What</th><th>相手 / With</th><th class="amount">金額 / Amount</th></tr></thead>
        <tbody>${model.history.map(historyRow)}</tbody></table>`}
</section>
`);
}

/** The page for visitors who are not logged in. */
export function renderWelcomePage(frame: PageFrame): string {
  return renderPage(frame, html`
<section class="card">
  <p>銀行口座からチャージして、お店で支払い、友だちに送れるウォレットです。<br>
  <span class="muted">A wallet: top up from your bank account, pay shops, send to friends.</span></p>
  <p><a href="/signup" id="sign-up-link">新規登録 / Sign up</a> · <a href="/login" id="login-link">ログイン / Log in</a></p>
</section>
`);
}
