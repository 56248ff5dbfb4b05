import { html, type SafeHtml } from '../../web/html.ts';
import { BANK_CODE_MESSAGES } from '../bank-code-messages.ts';
import type { ShownLinkState } from '../bank-link-state.ts';
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
