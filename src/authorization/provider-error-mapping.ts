import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../shared/logger.ts';
import { toProblem } from '../errors/problem.ts';
import { authorizationErrorPage } from './authorization-error-page.ts';
import { DatabaseUnavailableError } from '../storage/database-unavailable-error.ts';

/** PostgreSQL's codes for a value it cannot store or compare: a NUL or invalid UTF-8 in a parameter, or an oversized key. */
const UNSTORABLE_INPUT_CODES = new Set(['22021', '22P05', '54000']);

/**
 * Why an error oidc-provider met while handling a request was caused by the request itself, or undefined for a
 * fault of the bank's own. Found by fuzzing its endpoints: a client assertion (or any JWT it reads) nested a few
 * thousand levels deep overflows the stack when oidc-provider copies the claims (structuredClone); a NUL in a
 * parameter such as client_id reaches PostgreSQL, which cannot store it.
 */
export function requestFault(error: unknown): string | undefined {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'a JWT or parameter in the request is nested too deeply';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNSTORABLE_INPUT_CODES.has(code)) return 'a parameter holds a NUL or other character, or a length, that is not accepted';
  return undefined;
}

/**
 * Every answer of the authorization server is a page, an OAuth error or problem+json, never an unexplained 500:
 * errors the request caused (requestFault) become `400 invalid_request`, on the page or in JSON as the request
 * was answered; a path it does not serve is `404 route_not_found` in problem+json, like the rest of the bank.
 * While the database is away (DatabaseUnavailableError, already logged once by the storage layer) the answer is a
 * retryable `503 temporarily_unavailable` with `Retry-After`, as the rest of the bank answers 503.
 * Faults of the bank's own stay 500 server_error and are logged at error level.
 */
export function mapProviderErrors(provider: Provider, log: Logger): void {
  const faults = new WeakMap<object, unknown>();
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    faults.set(ctx, error);
    if (!requestFault(error) && !(error instanceof DatabaseUnavailableError)) log.error({ err: error, path: ctx.path }, 'authorization server error');
  });
  provider.use(async (ctx, next) => {
    try {
      await next();
    } catch (escaped) {
      // oidc-provider's own error handler covers its routes; what a middleware outside them throws (a session or
      // interaction lookup while the database is away) would reach Koa's plain-text onerror. Answer it here instead.
      if (!(escaped instanceof DatabaseUnavailableError) && !requestFault(escaped)) throw escaped;
      faults.set(ctx, escaped);
    }
    const error = faults.get(ctx);
    if (error instanceof DatabaseUnavailableError) {
      const description = 'The bank cannot reach its database for a moment; retry after the time given';
      ctx.status = 503;
      ctx.set('Retry-After', String(error.retry_after_seconds));
      if (ctx.response.is('html')) ctx.body = authorizationErrorPage('temporarily_unavailable', description);
      else ctx.body = { error: 'temporarily_unavailable', error_description: description };
      return;
    }
    const fault = error === undefined ? undefined : requestFault(error);
    if (fault) {
      log.info({ err: error, path: ctx.path }, 'authorization server refused a malformed request');
      ctx.status = 400;
      if (ctx.response.is('html')) ctx.body = authorizationErrorPage('invalid_request', fault);
      else ctx.body = { error: 'invalid_request', error_description: fault };
      return;
    }
    if (ctx.status === 404 && ctx.body == null) {
      ctx.status = 404;
      ctx.type = 'application/problem+json';
      ctx.body = JSON.stringify(toProblem('route_not_found', `${ctx.method} ${ctx.originalUrl} does not exist`));
    }
  });
}
