/**
 * The one place where failures become HTTP answers, for everything a furikae server can send: errors thrown by
 * handlers, schema refusals, Fastify's own FST_* errors (before and after routing), unknown paths and methods, and
 * what Node's HTTP parser meets before Fastify sees a request (malformed HTTP, oversized headers, timeouts).
 * Every answer is RFC 9457 problem+json with a code from the registry; a browser on a page route gets the same
 * problem as a readable HTML page instead (see ErrorPages).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, type ErrorCode } from '../errors/error-codes.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { toProblem, type Problem } from '../errors/problem.ts';
import type { Logger } from '../shared/logger.ts';
import type { RouteMethods } from './route-methods.ts';

/** Longest piece of the request URL echoed back in a detail: enough to recognise it, never the whole of a huge one. */
const DETAIL_URL_CHARS_MAX = 200;

/**
 * Fastify's error codes that a client can cause, mapped onto the registry. Every other FST_* code is a programming
 * or start-up error and answers 500 `internal_error` (src/http/problem-handler.test.ts checks all of them).
 */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_VALIDATION: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: 'validation_failed',
  FST_ERR_ROUTE_MISSING_CONTENT: 'validation_failed',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request_malformed',
  FST_ERR_BAD_URL: 'request_malformed',
  FST_ERR_INVALID_URL: 'request_malformed',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
  FST_ERR_NOT_FOUND: 'route_not_found',
  FST_ERR_HANDLER_TIMEOUT: 'service_unavailable',
};

/** Node's HTTP parser and server errors (the `clientError` event), mapped onto the registry. */
function clientErrorCode(error: { code?: string }): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  return 'request_malformed';
}

/** Node's codes for a peer that went away; an aborted request body is an ECONNRESET with the message "aborted". */
const CLIENT_DISCONNECT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** What a failure answers: a registry code, a detail for the client (never a secret), and extensions. */
export interface ProblemAnswer {
  code: ErrorCode;
  detail: string;
  extensions?: Record<string, unknown>;
}

/** Maps any failure onto the registry. Unknown errors are `internal_error`, with a detail that tells nothing. */
export function problemFor(error: unknown): ProblemAnswer {
  if (error instanceof FurikaeError) return { code: error.code, detail: error.message, extensions: error.details ?? {} };
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const where = `${fastifyError.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
    const params = first?.params as Record<string, unknown> | undefined;
    const extra = params?.additionalProperty ? ` (${String(params.additionalProperty)})` : '';
    return { code: 'validation_failed', detail: `${where} ${first?.message ?? 'is invalid'}${extra}` };
  }
  const mapped = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (mapped) return { code: mapped, detail: fastifyError.message ?? errorCodes[mapped].title };
  if (typeof fastifyError.code === 'string' && fastifyError.code.startsWith('HPE_')) {
    const code = clientErrorCode(fastifyError);
    return { code, detail: errorCodes[code].title };
  }
  return { code: 'internal_error', detail: 'Something went wrong on our side' };
}

/**
 * The client went away (reset, aborted upload, closed before its body arrived): nobody is left to answer, and it
 * is the client's doing, so it is logged below error level.
 */
export function isClientDisconnect(error: unknown): boolean {
  return CLIENT_DISCONNECT_CODES.has(String((error as { code?: unknown } | null)?.code));
}

/** How a browser on a page route is answered instead of with problem+json. */
export interface ErrorPages {
  /** Paths that always answer problem+json, whatever the client accepts: the operator API and the back channels. */
  api_paths?: RegExp;
  /** The problem as a readable page in the app's own frame, carrying the same code (and the request, for its language). */
  render(problem: Problem, request: FastifyRequest): string;
}

/** True when the answer should be an HTML page: a page route, asked for by a client that accepts HTML. */
function answersWithPage(request: FastifyRequest, pages: ErrorPages | undefined): pages is ErrorPages {
  if (!pages) return false;
  const path = request.url.split('?')[0] ?? '/';
  if (pages.api_paths?.test(path)) return false;
  return /\btext\/html\b/.test(String(request.headers.accept ?? ''));
}

/** Sends `answer` as problem+json, or as a page to a browser on a page route. */
function sendProblem(request: FastifyRequest, reply: FastifyReply, answer: ProblemAnswer, pages: ErrorPages | undefined) {
  const problem = toProblem(answer.code, answer.detail, answer.extensions);
  reply.status(problem.status);
  // A problem that says when to come back (service_unavailable) says it in the header clients and proxies read too.
  const retry_after_seconds = answer.extensions?.retry_after_seconds;
  if (typeof retry_after_seconds === 'number') reply.header('retry-after', String(retry_after_seconds));
  if (answersWithPage(request, pages)) return reply.type('text/html; charset=utf-8').send(pages.render(problem, request));
  return reply.type('application/problem+json').send(problem);
}

/** The request's method and path, cut short, for a detail. */
function describe(request: FastifyRequest): string {
  const url = request.url.length > DETAIL_URL_CHARS_MAX ? `${request.url.slice(0, DETAIL_URL_CHARS_MAX)}…` : request.url;
  return `${request.method} ${url}`;
}

/** Answers one failure: logs it at the level it deserves and sends its problem. */
function answerFailure(error: unknown, request: FastifyRequest, reply: FastifyReply, pages: ErrorPages | undefined) {
  if (isClientDisconnect(error)) {
    request.log.info({ err: error }, 'the client closed the connection before it was answered');
    return sendProblem(request, reply, { code: 'request_malformed', detail: 'The connection closed before the request arrived' }, pages);
  }
  const answer = problemFor(error);
  if (answer.code === 'internal_error') request.log.error({ err: error }, 'unhandled error');
  return sendProblem(request, reply, answer, pages);
}

/** Fastify's `frameworkErrors` option: errors met before a route is found (a bad URL, a too-long path parameter). */
export function frameworkErrorHandler(pages: ErrorPages | undefined) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => answerFailure(error, request, reply, pages);
}

/**
 * Fastify's `clientErrorHandler` option: what Node's parser refuses before any request exists (malformed HTTP,
 * headers past the limit) and requests that did not arrive in time. Answered in problem+json straight on the socket,
 * unless an answer has already begun there, and the connection is closed: its byte stream can no longer be trusted.
 */
export function clientErrorHandler(log: Logger) {
  return (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) {
      log.debug({ err: error }, 'client connection reset');
      return;
    }
    const code = clientErrorCode(error);
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const { status, title } = errorCodes[code];
      const body = JSON.stringify(toProblem(code, title));
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    log.info({ err: { code: error.code, message: error.message }, answered: code }, 'client error');
    socket.destroy();
  };
}

/** Installs the error handler and the answers for unknown paths (404) and unknown methods on known paths (405). */
export function installProblemHandler(app: FastifyInstance, options: { pages?: ErrorPages; routes: RouteMethods }): void {
  const { pages, routes } = options;
  app.setErrorHandler((error, request, reply) => answerFailure(error, request, reply, pages));
  app.setNotFoundHandler((request, reply) => {
    const allowed = routes.allowed(request.url);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(request, reply, { code: 'method_not_allowed', detail: `${describe(request)}: this path takes ${allowed.join(', ')}` }, pages);
    }
    return sendProblem(request, reply, { code: 'route_not_found', detail: `${describe(request)} does not exist` }, pages);
  });
}
