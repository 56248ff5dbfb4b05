import { html } from '../../web/html.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { renderIdentitySteps } from './identity-steps.ts';
import { csrfField, invalidIf, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** The code form after sign-up, with a button to send a new code. */
export function renderVerifyPhonePage(
  frame: PageFrame,
  model: { csrf_token: string; phone_masked: string; failure?: WalletFailure; notice?: string; simulator_href?: string },
): string {
  const { failure } = model;
  return renderPage(frame, html`
${renderIdentitySteps('phone')}
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
${renderFailure(failure)}
<form method="post" action="/verify-phone" class="card" id="verify-phone-form" autocomplete="off">
  ${csrfField(model.csrf_token)}
  <p><span id="phone-masked">${model.phone_masked}</span> に6桁の確認コードを送りました。<br>
  <span class="muted">We texted a 6-digit code to ${model.phone_masked}. It works for 10 minutes.</span></p>
  <label for="code">確認コード <small>/ Code</small></label>
  <input id="code" name="code" required inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}"${invalidIf(failure, 'code')}>
  <button type="submit" class="primary" id="verify-phone-submit">確認 / Verify</button>
</form>
<form method="post" action="/verify-phone/resend">
  ${csrfField(model.csrf_token)}
  <button type="submit" class="secondary" id="resend-code">コードを再送 / Send a new code</button>
</form>
${model.simulator_href
    ? html`<p class="muted">デモ: SMSは送られません。<a href="${model.simulator_href}" id="sms-simulator-link">SMSシミュレーター</a>でコードを確認できます。 / Demo: no real SMS is sent; read the code in the SMS simulator.</p>`
    : ''}
`);
}
