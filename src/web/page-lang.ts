import type { FastifyReply, FastifyRequest } from 'fastify';

/** The languages of every customer-facing bank page: Japanese by default, English on request. */
export type Lang = 'ja' | 'en';

/** The cookie that remembers a customer's choice across pages and visits. */
export const LANG_COOKIE = 'furikae_lang';
/** A year: a language choice is a preference, not a secret, and should outlive sessions. */
const LANG_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** A text in both languages. */
export type Bilingual = { ja: string; en: string };

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
  const remembered = asLang(request.cookies?.[LANG_COOKIE]);
  if (asked && reply && asked !== remembered) {
    reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: LANG_COOKIE_MAX_AGE_SECONDS });
  }
  return asked ?? remembered ?? 'ja';
}

/** The same page in the other language: the current GET address with `lang` swapped (a POST's answer links to its form's page). */
export function langSwitchHref(request: FastifyRequest, lang: Lang, fallback_path: string): string {
  const url = new URL(request.url, 'http://bank.invalid');
  const path = request.method === 'GET' ? url.pathname : fallback_path;
  const params = request.method === 'GET' ? url.searchParams : new URLSearchParams();
  params.set('lang', otherLang(lang));
  return `${path}?${params.toString()}`;
}
