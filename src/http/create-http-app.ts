import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { Logger } from '../shared/logger.ts';
import { installProblemHandler } from './problem-handler.ts';
import { registerSecurityHeaders } from './security-headers.ts';

// ajv-formats ships CommonJS; under ESM its function sits on `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

/** Largest JSON body any endpoint accepts: requests here are small, so anything bigger is an attack or a bug. */
export const BODY_BYTES_MAX = 16 * 1024;

/**
 * Bodies are validated strictly: no type coercion ("5000" is not a number) and no silent removal
 * of unknown fields (they are refused). Query strings and params arrive as text, so those coerce.
 */
function createValidators() {
  const strict = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
  const coercing = new Ajv({ allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false });
  addFormats(strict);
  addFormats(coercing);
  return { strict, coercing };
}

export interface HttpAppOptions {
  log: Logger;
  bodyLimit?: number;
  trustProxy?: FastifyServerOptions['trustProxy'];
}

/** A Fastify instance with furikae's validation and problem+json conventions. */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.log,
    bodyLimit: options.bodyLimit ?? BODY_BYTES_MAX,
    trustProxy: options.trustProxy ?? false,
  }) as unknown as FastifyInstance;
  registerSecurityHeaders(app);
  const { strict, coercing } = createValidators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );
  installProblemHandler(app);
  return app;
}
