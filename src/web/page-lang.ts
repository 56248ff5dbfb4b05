import type { FastifyReply, FastifyRequest } from 'fastify';

/** The languages of every customer-facing bank page: Japanese by default, English on request. */
export type Lang = 'ja' | 'en';

/** The cookie that remembers a customer's choice across pages and visits. */
export const LANG_COOKIE = 'furikae_lang';
/** A year: a language choice is a preference, not a secret, and should outlive sessions. */
const LANG_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** A text in both languages. */
export type Bilingual = { ja: string; en: string };

/** Picks the words of the page's language. */
export type Say = (ja: string, en: string) => string;

/** The `say` of a language. */
export function sayFor(lang: Lang): Say {
  return (ja, en) => (lang === 'ja' ? ja : en);
}

/** `en` or `ja`; anything else is not a choice. */
export function asLang(value: unknown): Lang | undefined {
  return value === 'en' || value === 'ja' ? value : undefined;
}

/** The other language, for the switch. */
export function otherLang(lang: Lang): Lang {
  return lang === 'ja' ? 'en' : 'ja';
}

/**
 * The page language of a request: `?lang=` (or a form's `lang` field) wins and is remembered in a cookie; otherwise
 * the cookie; otherwise Japanese. Every customer page asks this, so one choice holds across the whole bank.
 */
export function pageLang(request: FastifyRequest, reply?: FastifyReply): Lang {
  const asked = asLang((request.query as { lang?: unknown } | undefined)?.lang) ?? asLang((request.body as { lang?: unknown } | undefined)?.lang);
  // Outside the page scopes (an error page for an unknown path) the cookie plugin has not parsed the header.
  const remembered = asLang(request.cookies?.[LANG_COOKIE] ?? new RegExp(`(?:^|;\\s*)${LANG_COOKIE}=(ja|en)(?:;|$)`).exec(String(request.headers.cookie ?? ''))?.[1]);
  if (asked && reply && asked !== remembered && reply.setCookie) {
    reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: LANG_COOKIE_MAX_AGE_SECONDS });
  }
  return asked ?? remembered ?? 'ja';
}

/** The same page in the other language: the current GET address with `lang` swapped (a POST's answer links to its form's page). */
export function langSwitchHref(request: FastifyRequest, lang: Lang, fallback_path: string): string {
  const here = new URL(request.url, 'http://bank.invalid');
  // A POST's answer cannot be fetched again: the switch leads to the page its form came from (same origin only).
  const referer = request.method === 'GET' ? undefined : URL.parse(String(request.headers.referer ?? ''));
  const target = request.method === 'GET' ? here
    : referer && referer.host === request.headers.host ? referer : new URL(fallback_path, 'http://bank.invalid');
  target.searchParams.set('lang', otherLang(lang));
  return `${target.pathname}${target.search}`;
}
