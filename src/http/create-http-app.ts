import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { FurikaeError } from '../errors/furikae-error.ts';
import type { Logger } from '../shared/logger.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { HEADER_BYTES_MAX, PATH_PARAM_CHARS_MAX, SERVER_LIMITS, URL_CHARS_MAX, type ServerLimits } from './http-limits.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { clientErrorHandler, frameworkErrorHandler, installProblemHandler, type ErrorPages } from './problem-handler.ts';
import { recordRouteMethods } from './route-methods.ts';
import { installUnstorableInputGuard } from './unstorable-input-guard.ts';
import { OneLinePerRequest } from './one-line-per-request.ts';

// ajv-formats ships CommonJS; under ESM its function sits on `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

/** One of ajv-formats' full string formats: a validator and the comparison formatMinimum/formatMaximum use. */
type StringFormat = { validate: (text: string) => boolean; compare: (a: string, b: string) => number | undefined };
const storedDate = fullFormats.date as StringFormat;
const storedDateTime = fullFormats['date-time'] as StringFormat;

/** Largest JSON body any endpoint accepts: requests here are small, so anything bigger is an attack or a bug. */
export const BODY_BYTES_MAX = 16 * 1024;

/** How long a client is told to wait before retrying a request refused because the server is shutting down. */
const SHUTDOWN_RETRY_AFTER_SECONDS = 1;

/**
 * Formats as PostgreSQL stores them, replacing ajv-formats' looser ones:
 * - `uuid`: exactly the canonical lower-case 8-4-4-4-12 form PostgreSQL prints and the bank hands out. ajv-formats
 *   also takes `urn:uuid:…` (which PostgreSQL refuses) and upper case (which would name a different key in memory).
 * - `date`, `date-time`: as RFC 3339, with a year from 0001 (PostgreSQL has no year 0, and five-digit years are not
 *   RFC 3339).
 */
function addStorableFormats(ajv: Ajv): void {
  addFormats(ajv);
  ajv.addFormat('uuid', { type: 'string', validate: (text: string) => isUuid(text) });
  ajv.addFormat('date', { type: 'string', validate: (text: string) => storedDate.validate(text) && !text.startsWith('0000'), compare: storedDate.compare });
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => storedDateTime.validate(text) && !text.startsWith('0000'), compare: storedDateTime.compare });
}

/**
 * Bodies are validated strictly: no type coercion ("5000" is not a number) and no silent removal
 * of unknown fields (they are refused). Query strings and params arrive as text, so those coerce.
 */
function createValidators() {
  const strict = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
  const coercing = new Ajv({ allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false });
  addStorableFormats(strict);
  addStorableFormats(coercing);
  return { strict, coercing };
}

export interface HttpAppOptions {
  log: Logger;
  bodyLimit?: number;
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** Page routes answer browsers with an HTML page carrying the problem; without this, every answer is problem+json. */
  error_pages?: ErrorPages;
  /** SERVER_LIMITS unless a test shortens a timeout to see it fire. */
  limits?: Partial<ServerLimits>;
}

/**
 * A Fastify instance with furikae's validation and problem+json conventions, and the server limits of
 * src/http/http-limits.ts: every timeout set, a connection limit, and no error answered in any other format.
 */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const limits = { ...SERVER_LIMITS, ...options.limits };
  const app = Fastify({
    loggerInstance: options.log,
    logController: new OneLinePerRequest(),
    bodyLimit: options.bodyLimit ?? BODY_BYTES_MAX,
    trustProxy: options.trustProxy ?? false,
    requestTimeout: limits.request_timeout_ms,
    keepAliveTimeout: limits.keep_alive_timeout_ms,
    connectionTimeout: limits.socket_idle_timeout_ms,
    http: { headersTimeout: limits.headers_timeout_ms, connectionsCheckingInterval: limits.connections_checking_interval_ms, maxHeaderSize: HEADER_BYTES_MAX },
    routerOptions: { maxParamLength: PATH_PARAM_CHARS_MAX },
    frameworkErrors: frameworkErrorHandler(options.error_pages),
    clientErrorHandler: clientErrorHandler(options.log),
    // Fastify's own 503 while closing is plain JSON; the onRequest hook below answers it as a problem instead.
    return503OnClosing: false,
  }) as unknown as FastifyInstance;
  registerSecurityHeaders(app);
  app.server.maxConnections = limits.connections_max;
  const routes = recordRouteMethods(app);
  const { strict, coercing } = createValidators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );
  // Every body is JSON or, where a scope adds its parser, a form; plain text is nobody's format here, so it is 415.
  app.removeContentTypeParser('text/plain');

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (closing) {
      reply.header('connection', 'close').header('retry-after', String(SHUTDOWN_RETRY_AFTER_SECONDS));
      throw new FurikaeError('service_unavailable', 'The server is shutting down; retry in a moment');
    }
    if (request.url.length > URL_CHARS_MAX) throw new FurikaeError('uri_too_long', `A URL is at most ${URL_CHARS_MAX} characters`);
  });
  installUnstorableInputGuard(app);
  installProblemHandler(app, { ...(options.error_pages ? { pages: options.error_pages } : {}), routes });
  return app;
}
