import type { FastifyRequest } from 'fastify';
import { FurikaeError } from '../errors/furikae-error.ts';
import type { Operator } from '../operators/operator.ts';
import type { OperatorRegistry } from '../operators/operator-registry.ts';
import { unstorableReason } from './storable-text.ts';
import type { CredentialThrottle } from '../throttle/credential-throttle.ts';
import { operatorAccountKey, type CredentialAttempt } from '../throttle/credential-attempt.ts';

/** Longest client secret read from a Basic header: ours are 46 characters. */
const CREDENTIAL_CHARS_MAX = 200;
/**
 * What a client id may look like: printable ASCII, at most 64 characters (ours are `op_` and 16 hex digits, the
 * demo's under 30). Anything else names no operator and is refused before it reaches the database or the throttle.
 */
export const OPERATOR_CLIENT_ID = /^[\x21-\x7e]{1,64}$/;

/**
 * Reads `Authorization: Basic base64(client_id:client_secret)` and returns the operator, or 401. A failure goes
 * through the credential throttle: it counts towards its source's limit (past it, failures answer 429
 * too_many_attempts) and towards its operator's alert to staff. The right secret is checked first and never
 * refused: it is 256 random bits, so no one guesses it, and refusing it would let anyone who knows a client id
 * (it is in every authorization URL) stop an operator.
 */
export async function authenticateOperator(request: FastifyRequest, { operators, throttle }: { operators: OperatorRegistry; throttle: CredentialThrottle }): Promise<Operator> {
  const header = request.headers.authorization ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  // Base64 hides what the header guard sees: text PostgreSQL cannot store is refused like any other input.
  const unstorable = unstorableReason(decoded);
  if (unstorable) throw new FurikaeError('validation_failed', `headers/authorization: the Basic credentials ${unstorable}`);
  const separator = decoded.indexOf(':');
  const client_id = decoded.slice(0, separator);
  const client_secret = decoded.slice(separator + 1);
  if (separator < 1 || !OPERATOR_CLIENT_ID.test(client_id) || client_secret.length > CREDENTIAL_CHARS_MAX) {
    throw new FurikaeError('operator_unauthenticated', 'Send Authorization: Basic with the client id and secret');
  }
  const operator = await operators.authenticate(client_id, client_secret);
  if (operator) return operator;
  const known = await operators.clientRegistration(client_id);
  const attempt: CredentialAttempt = {
    credential: 'operator_secret', account_key: operatorAccountKey(client_id), source_ip: request.ip, secret: client_secret,
    ...(known ? { account_operator_id: known.id } : {}),
  };
  const decision = await throttle.check(attempt);
  if (!decision.ok) throw new FurikaeError('too_many_attempts', 'Too many failed operator authentications from here; try again later');
  await throttle.recordFailure(attempt);
  throw new FurikaeError('operator_unauthenticated', 'Unknown client or wrong secret');
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
