import { html, type SafeHtml } from '../../web/html.ts';
import { BANK_CODE_MESSAGES } from '../bank-code-messages.ts';
import type { ConsentRenewalOffer, ShownLinkState } from '../bank-link-state.ts';
import { csrfField, formatTokyoTime } from './page-layout.ts';
import type { WalletBankLink } from '../wallet-bank-links.ts';

const STATE_LABELS: Record<ShownLinkState, string> = {
  active: '連携中 / Linked',
  frozen: '停止中 / Frozen by the bank',
  unknown: '状態を確認できません / Could not check with the bank',
};

/** Why the state is what it is, where the user must know: a frozen link's reason, or that the bank did not answer. */
function explanation(state: ShownLinkState): SafeHtml {
  if (state === 'frozen') {
    const { ja, en } = BANK_CODE_MESSAGES.link_frozen;
    return html`<p class="warning" role="alert" id="link-frozen">${ja}<br><span class="muted-on-warning">${en}</span></p>`;
  }
  if (state === 'unknown') {
    return html`<p class="muted" id="link-state-unknown">銀行から応答がなかったため、連携の状態を確認できませんでした。しばらくしてから再読み込みしてください。
The bank did not answer, so the link’s state could not be checked; reload in a moment.</p>`;
  }
  return html``;
}

/** The link's state, as the bank reported it just now, with the account it links. */
export function renderLinkStatus(link: WalletBankLink, state: ShownLinkState): SafeHtml {
  return html`<p><span class="link-state link-state-${state}" id="link-state">${STATE_LABELS[state]}</span>: 支店 <span id="link-branch-code">${link.branch_code}</span> 口座 <span id="link-account">${link.account_number_masked}</span></p>
${explanation(state)}`;
}

/**
 * The consent's end and the way on, where a user would otherwise meet a dead end (charges refused consent_expired):
 * with the form's CSRF token, a "renew" button that goes to the bank; without (the home page), a link to that button.
 */
export function renderRenewalOffer(offer: ConsentRenewalOffer | undefined, csrf_token?: string): SafeHtml {
  if (!offer) return html``;
  const ends = formatTokyoTime(offer.consent_expires_at);
  const text = offer.kind === 'expired'
    ? html`銀行口座連携への同意の有効期限 (${ends}) が過ぎたため、チャージできません。銀行で同意を更新すると、同じ連携のまま再びチャージできます。<br>
<span class="muted-on-warning">Your consent to the bank link ended on ${ends}, so top-ups stop. Renew it at the bank to keep the same link.</span>`
    : html`銀行口座連携への同意は ${ends} に期限を迎えます。期限までに銀行で更新してください。<br>
<span class="muted-on-warning">Your consent to the bank link ends on ${ends}. Renew it at the bank before then.</span>`;
  const action = csrf_token
    ? html`<form method="post" action="/link/renew">${csrfField(csrf_token)}<button type="submit" class="primary" id="link-renew">同意を更新する / Renew at the bank</button></form>`
    : html`<p><a href="/link" id="link-renew-page">更新する / Renew</a></p>`;
  return html`<div class="warning" role="${offer.kind === 'expired' ? 'alert' : 'status'}" id="consent-renewal" data-renewal="${offer.kind}"><p>${text}</p>${action}</div>`;
}
