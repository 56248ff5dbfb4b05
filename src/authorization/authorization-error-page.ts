import type { KoaContextWithOIDC } from 'oidc-provider';
import { html } from '../web/html.ts';
import { bankPage } from '../web/layout.ts';
import { asLang, LANG_COOKIE, otherLang, sayFor, type Lang } from '../web/page-lang.ts';

/**
 * The page a customer sees when the bank cannot send them back to the operator (an unknown client, an
 * unregistered redirect URI, an expired request, a login opened in another browser): never the operator's site,
 * since it may be a phishing one. `error` is the OAuth error code, shown for support; the description is the
 * authorization server's own text.
 */
export function authorizationErrorPage(error: string, description: string | undefined, lang: Lang = 'ja'): string {
  const say = sayFor(lang);
  return bankPage(say('エラー', 'Error'), html`<h1>${say('この連携は続けられません', 'This link cannot continue')}</h1>
<div class="card"><p class="error" id="oauth-error">${error}</p><p>${description ?? ''}</p>
<p class="muted">${say('時間切れ（10分）か、別のブラウザで開かれた可能性があります。決済アプリに戻ってやり直してください。',
    'It may have expired (after 10 minutes) or been opened in another browser. Go back to the payment app and start again.')}</p></div>`,
  html``, [], { lang, switch_href: `?lang=${otherLang(lang)}` });
}

/** oidc-provider's renderError: its errors on browser routes (/oidc/auth…) as the bank's page. */
export async function renderAuthorizationError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void> {
  ctx.type = 'html';
  ctx.body = authorizationErrorPage(out.error, out.error_description, asLang(ctx.query.lang) ?? asLang(ctx.cookies.get(LANG_COOKIE)) ?? 'ja');
}
