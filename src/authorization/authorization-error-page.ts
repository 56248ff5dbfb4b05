import type { KoaContextWithOIDC } from 'oidc-provider';
import { html } from '../web/html.ts';
import { bankPage } from '../web/layout.ts';

/**
 * The page a customer sees when the bank cannot send them back to the operator (an unknown client,
 * an unregistered redirect URI, an expired request): never the operator's site, since it may be a phishing one.
 */
export async function renderAuthorizationError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void> {
  ctx.type = 'html';
  ctx.body = bankPage('エラー / Error', html`<h1>この連携は続けられません / This link cannot continue</h1>
<div class="card"><p class="error" id="oauth-error">${out.error}</p><p>${out.error_description ?? ''}</p>
<p class="muted">決済アプリに戻ってやり直してください。 Go back to the payment app and start again.</p></div>`);
}
