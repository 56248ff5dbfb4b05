import { html, type SafeHtml } from './html.ts';
import { loadStylesheet, type Stylesheet } from '../http/stylesheet.ts';
import { resendCountdownCss } from './second-factor-step.ts';

/** The bank pages' stylesheet, linked from every page. */
export const BANK_STYLESHEET = loadStylesheet('bank', new URL('./bank.css', import.meta.url), resendCountdownCss());
/** The staff console's additions (wider tables, switches, roles). */
export const CONSOLE_STYLESHEET = loadStylesheet('console', new URL('./console.css', import.meta.url));

/** The bank's page frame; `stylesheets` are linked after the bank's own. */
export function bankPage(title: string, body: SafeHtml, nav: SafeHtml = html``, stylesheets: readonly Stylesheet[] = []): string {
  return html`<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ふりかえ銀行</title>${[BANK_STYLESHEET, ...stylesheets].map((sheet) => html`<link rel="stylesheet" href="${sheet.path}">`)}</head>
<body><header><strong>ふりかえ銀行 Furikae Bank</strong><nav>${nav}</nav></header><main>${body}</main></body></html>`.toString();
}
