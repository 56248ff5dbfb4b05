import type { FastifyInstance, FastifyReply } from 'fastify';
import helmet from '@fastify/helmet';
import { createHash } from 'node:crypto';

/**
 * The Content-Security-Policy of every response: nothing loads but the app's own stylesheets, scripts and images,
 * served as files (nothing inline: no <script> body, no style attribute, no event handler), scripts may only call
 * back to the app, forms post only to the app (see allowFormTargets), and no other site may frame a page
 * (clickjacking of consent, approval and staff pages). Customer-facing pages have no script at all.
 */
const CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'connect-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
};

/** helmet's settings for the bank and the wallets; everything not named keeps helmet's default. */
const HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  // DENY, not helmet's SAMEORIGIN: no page of ours is ever framed, not even by ourselves.
  xFrameOptions: { action: 'deny' as const },
  // Codes, tokens and ids ride in URLs here (the authorization code, the "not me" token): never to another origin.
  // Same-origin requests keep it, so the console can send staff back to the filtered list they acted from.
  referrerPolicy: { policy: 'same-origin' as const },
};

/** Responses that may be kept by caches (public, identical for everyone) set their own Cache-Control; all others get this. */
const CACHE_CONTROL_DEFAULT = 'no-store';

const routeTables = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/**
 * Security headers on every response of an app, through @fastify/helmet: CSP with frame-ancestors 'none',
 * X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy same-origin, HSTS (ignored by browsers
 * over the demo's plain http), Cross-Origin-Opener/Resource-Policy same-origin. Every response also defaults to
 * `Cache-Control: no-store`: pages show balances, passbooks, names, codes and CSRF tokens, and the API answers
 * with account data, so nothing is kept by a browser or a shared cache unless a route says it is public. The
 * headers are set as the request arrives, so they are on errors, redirects and oidc-provider's own answers too.
 * Call it right after creating the app, before any route: it also records every route for the header test.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const routes: Array<{ method: string; url: string }> = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.register(helmet, HELMET_OPTIONS);
  app.addHook('onRequest', async (_request, reply) => {
    reply.raw.setHeader('cache-control', CACHE_CONTROL_DEFAULT);
  });
}

/** Every route the app registered (method and URL pattern), for tests that must cover all of them. */
export function registeredRoutes(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  const routes = routeTables.get(app);
  if (!routes) throw new Error('registerSecurityHeaders was not called on this app');
  return routes;
}

/**
 * Lets this response's forms post to other origins as well as to the app: a form whose answer redirects there
 * (the wallet's "link" form leads to the bank; the bank's consent form leads back to the operator's redirect URI)
 * is otherwise stopped by the browser, since form-action applies to every redirect after the submission.
 */
export function allowFormTargets(reply: FastifyReply, origins: readonly string[]): void {
  if (origins.length === 0) return;
  reply.helmet({ contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES, 'form-action': ["'self'", ...origins] } } });
}

/** Marks a response as public and the same for everyone, so caches may keep it for `max_age_seconds`. */
export function cachePublicly(reply: FastifyReply, max_age_seconds: number): void {
  reply.header('cache-control', `public, max-age=${max_age_seconds}`);
}

/**
 * Serves a self-contained document (a report saved to disk, opened offline, printed) whose one <style> element is
 * `css`: no script, no other source, and only that style element allowed, by its hash, so nothing injected into the
 * document could run or restyle it.
 */
export function allowDocumentStyle(reply: FastifyReply, css: string): void {
  const hash = createHash('sha256').update(css).digest('base64');
  reply.helmet({ contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES, 'script-src': ["'none'"], 'connect-src': ["'none'"], 'style-src': [`'sha256-${hash}'`], 'img-src': ['data:'] } } });
}
