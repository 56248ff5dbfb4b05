import type { FastifyRequest } from 'fastify';
import { FurikaeError } from '../errors/furikae-error.ts';
import type { Operator } from '../operators/operator.ts';
import type { OperatorRegistry } from '../operators/operator-registry.ts';
import { unstorableReason } from './storable-text.ts';

/** Longest client id or secret read from a Basic header: real ones are under 100 characters. */
const CREDENTIAL_CHARS_MAX = 200;

/** Reads `Authorization: Basic base64(client_id:client_secret)` and returns the operator, or 401. */
export async function authenticateOperator(request: FastifyRequest, operators: OperatorRegistry): Promise<Operator> {
  const header = request.headers.authorization ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  // Base64 hides what the header guard sees: text PostgreSQL cannot store is refused like any other input.
  const unstorable = unstorableReason(decoded);
  if (unstorable) throw new FurikaeError('validation_failed', `headers/authorization: the Basic credentials ${unstorable}`);
  const separator = decoded.indexOf(':');
  const client_id = decoded.slice(0, separator);
  const client_secret = decoded.slice(separator + 1);
  if (separator < 1 || client_id.length > CREDENTIAL_CHARS_MAX || client_secret.length > CREDENTIAL_CHARS_MAX) {
    throw new FurikaeError('operator_unauthenticated', 'Send Authorization: Basic with the client id and secret');
  }
  const operator = await operators.authenticate(client_id, client_secret);
  if (!operator) throw new FurikaeError('operator_unauthenticated', 'Unknown client or wrong secret');
  return operator;
}

/** Reads `Authorization: Bearer <link credential>`, or 401. */
export function bearerToken(request: FastifyRequest): string {
  const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(request.headers.authorization ?? '');
  if (!match?.[1]) throw new FurikaeError('link_token_invalid', 'Send Authorization: Bearer with the link credential');
  return match[1];
}

/** The Idempotency-Key header, required on every request that moves money. */
export function idempotencyKey(request: FastifyRequest): string {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) throw new FurikaeError('idempotency_key_required', 'Send an Idempotency-Key header');
  return key;
}
