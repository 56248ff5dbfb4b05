/**
 * What a customer or staff member sees when a bank page request fails before (or instead of) its page: the same
 * problem the API would answer, as a readable page in the bank's frame, with its status and stable code, and a way
 * back. Details never carry secrets (src/http/problem-handler.ts), so the page may show them.
 */
import type { Problem } from '../errors/problem.ts';
import { html } from './html.ts';
import type { FastifyRequest } from 'fastify';
import { bankPage } from './layout.ts';
import { langSwitchHref, pageLang, sayFor } from './page-lang.ts';

/** Paths of the bank that always answer problem+json: the operator API, the authorization server's back channel, the API description and the probes. */
export const BANK_API_PATHS = /^\/(?:v1|oidc)(?:\/|$)|^\/(?:openapi\.json|health|metrics|docs\/json|docs\/yaml)$/;

/** The bank's error page for a problem. */
export function renderBankErrorPage(problem: Problem, request?: FastifyRequest): string {
  const lang = request ? pageLang(request) : 'ja';
  const say = sayFor(lang);
  const heading = problem.status >= 500 ? say('ただいま処理できません', 'We cannot do this just now') : say('このページは表示できません', 'This page cannot be shown');
  const body = html`<h1>${heading}</h1>
<div class="card"><p class="error" role="alert" data-code="${problem.code}">${problem.title}</p>
<p>${problem.detail}</p>
<p class="muted">HTTP ${problem.status} · ${say('エラーコード', 'code')}: <code>${problem.code}</code></p>
<p><a href="/bank/login">← ${say('インターネットバンキング', 'Internet banking')}</a></p></div>`;
  return bankPage(problem.title, body, html``, [], request ? { lang, switch_href: langSwitchHref(request, lang, '/bank/login') } : undefined);
}
