import { assert } from '../../shared/assert.ts';
import { html } from '../../web/html.ts';
import type { WalletBankLink } from '../wallet-bank-links.ts';
import type { WalletIdentity } from '../wallet-identity.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { NEXT_STEP, identityStepOf, renderIdentitySteps } from './identity-steps.ts';
import { renderLinkedAccount } from './link-page.ts';
import type { ConsentRenewalOffer, ShownLinkState } from '../bank-link-state.ts';
import { csrfField, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/**
 * The hardened wallet's bank link page: no account number, no PIN, no form fields at all. One button sends the
 * user to the bank, which authenticates its own customer with two factors and asks for consent.
 */
export function renderBankAuthorizationPage(
  frame: PageFrame,
  model: { csrf_token: string; link: WalletBankLink | null; link_state?: ShownLinkState; renewal?: ConsentRenewalOffer; identity: WalletIdentity; bank_name: string; failure?: WalletFailure; notice?: string },
): string {
  const { link, identity, failure } = model;
  if (link) return renderPage(frame, html`${renderIdentitySteps('done')}${renderFailure(failure)}${renderLinkedAccount(link, model.link_state ?? 'active', model.csrf_token, model.renewal)}`);
  const step = identityStepOf(identity, false);
  if (step === 'phone' || step === 'ekyc') {
    return renderPage(frame, html`
${renderIdentitySteps(step)}
${renderFailure(failure)}
<p class="card" id="ekyc-required">銀行口座の連携には、電話番号の確認と本人確認（eKYC）が必要です。 ${NEXT_STEP[step]}<br>
<span class="muted">A bank link needs a verified phone and a passed identity check (eKYC) first.</span></p>
`);
  }
  const { ekyc } = identity;
  assert(ekyc, 'past the eKYC step, the identity has an eKYC record');
  return renderPage(frame, html`
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
${renderIdentitySteps('link')}
${renderFailure(failure)}
<div class="secure" id="hardened-link-info">
  <p><strong>銀行のページで認証します / You sign in at the bank, not here</strong></p>
  <p>このあと${model.bank_name}のページに移動します。銀行のログインと二段階認証（認証アプリまたはSMS）のあと、
  連携先・口座・上限を確認して承認してください。ウォレットは口座番号や暗証番号、パスワードを受け取りません。</p>
  <p class="muted">Next you go to ${model.bank_name}. Log in there with your internet-banking password and a second factor,
  check who is asking, which account and the limits, and approve. The wallet never sees your bank credentials.</p>
</div>
<section class="card">
  <p>本人確認済み / Verified: <strong id="verified-name">${ekyc.name_kana}</strong> (${ekyc.birth_date})<br>
  <span class="muted">${ekyc.level} · ${ekyc.method}</span></p>
  <form method="post" action="/link/start" id="link-start-form">
    ${csrfField(model.csrf_token)}
    <button type="submit" class="primary" id="link-start">銀行口座を連携する / Link bank account</button>
  </form>
</section>
`);
}
