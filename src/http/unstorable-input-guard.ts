/**
 * Refuses, on every route, input PostgreSQL cannot store (src/http/storable-text.ts): in the path parameters, the
 * query string, the headers, the cookies and the body (JSON at any depth, forms, multipart text fields). It runs
 * as part of validation, before the route's own schema, so routes without a schema for a part are covered too.
 * The refusal is a schema refusal like any other: 400 `validation_failed`, or, on a form route that takes its
 * refusals itself (attachValidation), the form's own error.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { findUnstorableText, type UnstorableText } from './storable-text.ts';

type Part = 'params' | 'querystring' | 'headers' | 'cookies' | 'body';

/** The parts a route that answers in another protocol's error format (OAuth's, under /oidc) checks itself. */
const ROUTE_CHECKED_PARTS: ReadonlySet<Part> = new Set(['params', 'querystring', 'body']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** True on a route that refuses unstorable text in its path, query and body itself, in its own error format. */
    checks_storable_input?: boolean;
  }
}

/** The parts in the order they are checked, and where each sits on the request. */
const parts: ReadonlyArray<[Part, (request: FastifyRequest) => unknown]> = [
  ['params', (request) => request.params],
  ['querystring', (request) => request.query],
  ['headers', (request) => request.headers],
  // Parsed and percent-decoded by @fastify/cookie where a scope registers it; undefined elsewhere.
  ['cookies', (request) => (request as FastifyRequest & { cookies?: unknown }).cookies],
  ['body', (request) => request.body],
];

/** Fastify's validation error, with the part it was found in (cookies too, which Fastify's own never names). */
type InputValidationError = Omit<FastifyError, 'validationContext'> & Required<Pick<FastifyError, 'validation'>> & { validationContext: string };

/** A validation error shaped as Fastify's own, so it is answered, logged and shown exactly as a schema refusal. */
function validationError(part: Part, found: UnstorableText): InputValidationError {
  const error = new Error(`${part}${found.path} ${found.reason}`) as InputValidationError;
  error.code = 'FST_ERR_VALIDATION';
  error.statusCode = 400;
  error.validation = [{ keyword: 'storable', instancePath: found.path, schemaPath: '#/storable', params: {}, message: found.reason }];
  error.validationContext = part;
  return error;
}

/** Where `request` carries text PostgreSQL cannot store, as a validation error; undefined if it carries none. */
export function unstorableInputError(request: FastifyRequest): InputValidationError | undefined {
  const route_checks = request.routeOptions.config?.checks_storable_input === true;
  for (const [part, read] of parts) {
    if (route_checks && ROUTE_CHECKED_PARTS.has(part)) continue;
    const found = findUnstorableText(read(request));
    if (found) return validationError(part, found);
  }
  return undefined;
}

/** Installs the guard on `app` and every plugin inside it. */
export function installUnstorableInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const error = unstorableInputError(request);
    if (!error) return;
    if (!request.routeOptions.attachValidation) throw error;
    // The route reads request.validationError and shows the refusal on its form; its schema check comes after.
    request.validationError = error;
  });
}
