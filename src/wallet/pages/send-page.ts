import { formatYen } from '../../shared/yen.ts';
import { html } from '../../web/html.ts';
import { EMAIL_CHARS_MAX } from '../form-fields.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { csrfField, invalidIf, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** The send-to-a-user form; `send_id` rides along hidden so a double submit sends once. */
export function renderSendPage(
  frame: PageFrame,
  model: { csrf_token: string; send_id: string; recipient_email?: string; amount_text?: string; balance_yen: number; failure?: WalletFailure },
): string {
  const { failure } = model;
  return renderPage(frame, html`
${renderFailure(failure)}
<p class="muted">残高 / Balance: <span id="balance">${formatYen(model.balance_yen)}</span></p>
<form method="post" action="/send" class="card" id="send-form">
  ${csrfField(model.csrf_token)}
  <input type="hidden" name="send_id" value="${model.send_id}">
  <label for="recipient_email">送り先のメールアドレス <small>/ Recipient's e-mail</small></label>
  <input id="recipient_email" name="recipient_email" type="email" required maxlength="${EMAIL_CHARS_MAX}" value="${model.recipient_email ?? ''}"${invalidIf(failure, 'recipient_email')}>
  <label for="amount_yen">金額（円） <small>/ Amount (yen)</small></label>
  <input id="amount_yen" name="amount_yen" required inputmode="numeric" autocomplete="off" maxlength="12" value="${model.amount_text ?? ''}"${invalidIf(failure, 'amount_yen')}>
  <button type="submit" class="primary" id="send-submit">送る / Send</button>
</form>
`);
}
