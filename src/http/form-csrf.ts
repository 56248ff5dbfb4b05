/**
 * Form tokens against cross-site request forgery, by @fastify/csrf-protection: a random secret in an HttpOnly
 * cookie, and in every form a token that is an HMAC over that secret and the session cookie the form belongs to.
 * A forged form has neither the secret nor the session; a token lifted from one session fails in another; and a
 * secret planted from a sibling domain (cookie tossing) needs the server key to make a token. The key lives in the
 * app's database (src/shared/app-secret.ts): holding the database gives neither browser secrets nor session ids.
 */
import csrfProtection from '@fastify/csrf-protection';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyReply {
    /** This page's form token (one per response, however many forms it has), bound to the request's session cookie. */
    formToken(): string;
  }
}

/** What a visitor's forms (login, sign-up) are bound to: they have no session yet, only the secret cookie. */
export const VISITOR_SUBJECT = 'visitor';

/** Longest form token read from a form: the library's are under 100 characters (salt, session HMAC, token HMAC). */
export const FORM_TOKEN_CHARS_MAX = 200;

/** The name of the app secret (app_secrets) that keys form tokens. */
export const FORM_TOKEN_KEY_NAME = 'form_token_hmac_key';

/** The errors @fastify/csrf-protection refuses a form with: no secret cookie, or a token that does not match. */
const CSRF_ERROR_CODES = new Set(['FST_CSRF_MISSING_SECRET', 'FST_CSRF_INVALID_TOKEN']);

export interface FormCsrfOptions {
  /** The HMAC key for tokens: the same in every process (loadAppSecret(db, FORM_TOKEN_KEY_NAME)). */
  hmac_key: string;
  /** The secret's cookie: apps sharing a host (the demo's, on one loopback address) need names of their own. */
  cookie_name: string;
  /** The form field that carries the token. */
  field: string;
  /** Mark the cookie Secure: whenever the app is served over https. */
  secure_cookies: boolean;
  /** Session cookies a token is bound to, by name; paths keep them apart, so a request carries at most one. */
  session_cookies: readonly string[];
}

/** Registers form tokens on `app` (and every scope inside it): `reply.formToken()` makes them, `requireFormTokens` checks them. */
export async function registerFormCsrf(app: FastifyInstance, options: FormCsrfOptions): Promise<void> {
  const subject = (request: FastifyRequest): string => {
    for (const name of options.session_cookies) {
      const value = request.cookies[name];
      if (value) return value;
    }
    return VISITOR_SUBJECT;
  };
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: options.cookie_name,
    // Lax, not Strict: a customer arriving from a text message or an operator's redirect keeps the secret they had.
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: options.secure_cookies },
    getToken: (request) => {
      const value = (request.body as Record<string, unknown> | undefined)?.[options.field];
      return typeof value === 'string' ? value : undefined;
    },
    getUserInfo: subject,
    csrfOpts: { hmacKey: options.hmac_key, userInfo: true },
  });
  // generateCsrf sets a new secret cookie when the request had none, so a second call in one response would set
  // another and orphan the first page's tokens: one token per response.
  const tokens = new WeakMap<FastifyReply, string>();
  app.decorateReply('formToken', function formToken(this: FastifyReply): string {
    let token = tokens.get(this);
    if (token === undefined) {
      token = this.generateCsrf({ userInfo: subject(this.request) });
      tokens.set(this, token);
    }
    return token;
  });
}

/**
 * Checks the form token of every POST to the routes of `scope` before its body is validated, so a missing token
 * and a forged one are refused alike, by `refuse` (the page family's own refusal), and the handler never runs.
 */
export function requireFormTokens(scope: FastifyInstance, refuse: (request: FastifyRequest, reply: FastifyReply) => unknown): void {
  scope.addHook('preValidation', (request, reply, done) => {
    if (request.method !== 'POST') return done();
    scope.csrfProtection(request, reply, done);
  });
  scope.setErrorHandler(async (error: FastifyError, request, reply) => {
    // The plugin has logged the refusal (at warn) already.
    if (!CSRF_ERROR_CODES.has(error.code)) throw error;
    return refuse(request, reply);
  });
}
