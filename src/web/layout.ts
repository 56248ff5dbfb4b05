import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from './html.ts';
import { langSwitchHref, otherLang, pageLang, type Bilingual, type Lang, type Say } from './page-lang.ts';
import { loadStylesheet, type Stylesheet } from '../http/stylesheet.ts';
import { resendCountdownCss } from './second-factor-step.ts';

/** The bank pages' stylesheet, linked from every page. */
export const BANK_STYLESHEET = loadStylesheet('bank', new URL('./bank.css', import.meta.url), resendCountdownCss());
/** The staff console's additions (wider tables, switches, roles). */
export const CONSOLE_STYLESHEET = loadStylesheet('console', new URL('./console.css', import.meta.url));

/** A customer page's language and the address of the same page in the other one. */
export interface PageLanguage {
  lang: Lang;
  switch_href: string;
}

/**
 * The bank's page frame; `stylesheets` are linked after the bank's own. A customer page passes its language: the
 * document is marked with it and the header offers the other (staff pages, without one, stay as they are).
 */
export function bankPage(title: string, body: SafeHtml, nav: SafeHtml = html``, stylesheets: readonly Stylesheet[] = [], language?: PageLanguage): string {
  const lang = language?.lang ?? 'ja';
  const brand = !language ? 'ふりかえ銀行 Furikae Bank' : lang === 'ja' ? 'ふりかえ銀行' : 'Furikae Bank';
  const other = language ? otherLang(lang) : undefined;
  return html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${lang === 'en' ? 'Furikae Bank' : 'ふりかえ銀行'}</title>${[BANK_STYLESHEET, ...stylesheets].map((sheet) => html`<link rel="stylesheet" href="${sheet.path}">`)}</head>
<body><header><strong>${brand}</strong><nav>${nav}${language && other ? html`<a href="${language.switch_href}" id="lang-switch" class="lang-switch" lang="${other}" hreflang="${other}">${other === 'en' ? 'English' : '日本語'}</a>` : ''}</nav></header><main>${body}</main></body></html>`.toString();
}

/** A customer page in the request's language (src/web/page-lang.ts), with the switch to the other. */
export function customerPage(request: FastifyRequest, reply: FastifyReply, title: Bilingual, body: (say: Say) => SafeHtml, options: { nav?: (say: Say) => SafeHtml; fallback_path?: string } = {}): string {
  const lang = pageLang(request, reply);
  const say: Say = (ja, en) => (lang === 'ja' ? ja : en);
  return bankPage(title[lang], body(say), options.nav?.(say) ?? html``, [], { lang, switch_href: langSwitchHref(request, lang, options.fallback_path ?? '/bank/login') });
}
