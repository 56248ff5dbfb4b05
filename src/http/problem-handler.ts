import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { FurikaeError } from '../errors/furikae-error.ts';
import { toProblem } from '../errors/problem.ts';
import type { ErrorCode } from '../errors/error-codes.ts';
import { DatabaseUnavailableError } from '../storage/database-unavailable-error.ts';

/** Fastify's own error codes for malformed requests, mapped onto the registry. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

/** Sends a problem+json answer. */
export function sendProblem(reply: FastifyReply, code: ErrorCode, detail: string, extensions: Record<string, unknown> = {}) {
  const problem = toProblem(code, detail, extensions);
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/** The one place where failures become HTTP answers. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | FurikaeError | Error, request, reply) => {
    // RFC 9110 §10.2.3: a 503 says when to come back; nothing was acknowledged, so the retry is safe.
    if (error instanceof DatabaseUnavailableError) reply.header('retry-after', String(error.retry_after_seconds));
    if (error instanceof FurikaeError) return sendProblem(reply, error.code, error.message, error.details ?? {});
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const first = fastifyError.validation[0];
      const where = `${fastifyError.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
      const params = first?.params as Record<string, unknown> | undefined;
      const extra = params?.additionalProperty ? ` (${String(params.additionalProperty)})` : '';
      return sendProblem(reply, 'validation_failed', `${where} ${first?.message ?? 'is invalid'}${extra}`);
    }
    const mapped = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
    if (mapped) return sendProblem(reply, mapped, fastifyError.message);
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, 'internal_error', 'Something went wrong on our side');
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 'route_not_found', `${request.method} ${request.url} does not exist`));
}
