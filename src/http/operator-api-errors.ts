import { errorCodes } from '../errors/error-codes.ts';
import type { OperatorErrorCode } from '../errors/operator-error-codes.ts';

/** What any route of the operator API can answer, whatever it does: the request's shape and size, throttling, the bank's state. */
const ANY_ROUTE: readonly OperatorErrorCode[] = [
  'validation_failed', 'request_malformed', 'request_timeout', 'uri_too_long', 'headers_too_large', 'too_many_requests',
  'service_unavailable', 'internal_error',
];
/** What a route with a JSON body can answer besides. */
const WITH_BODY: readonly OperatorErrorCode[] = ['body_too_large', 'unsupported_media_type'];
/** What a route authenticated with the operator's client credentials can answer. */
const OPERATOR_AUTH: readonly OperatorErrorCode[] = ['operator_unauthenticated'];
/** What a request that moves money can answer about its Idempotency-Key. */
const IDEMPOTENT: readonly OperatorErrorCode[] = ['idempotency_key_required', 'idempotency_key_reused'];

/**
 * The error codes each operation of the operator API can answer, by `METHOD /openapi/path`: /docs lists them on the
 * operation, grouped by status with an example each, and a test checks every operation is here.
 */
export const OPERATION_ERROR_CODES: Record<string, readonly OperatorErrorCode[]> = {
  'post /v1/links/legacy': [...ANY_ROUTE, ...WITH_BODY, ...OPERATOR_AUTH, 'link_method_not_allowed', 'new_links_suspended',
    'link_credentials_mismatch', 'credential_attempts_locked', 'too_many_attempts', 'link_denied', 'end_user_address_invalid'],
  'get /v1/links/{id}': [...ANY_ROUTE, ...OPERATOR_AUTH, 'link_not_found'],
  'post /v1/links/{id}/revoke': [...ANY_ROUTE, ...OPERATOR_AUTH, 'link_not_found'],
  'post /v1/charges': [...ANY_ROUTE, ...WITH_BODY, ...IDEMPOTENT, 'link_token_invalid', 'access_token_invalid', 'dpop_proof_invalid',
    'dpop_proof_replayed', 'link_mismatch', 'link_revoked', 'link_frozen', 'consent_expired', 'charges_suspended',
    'operator_source_not_registered', 'charge_yen_max_exceeded', 'charges_yen_per_month_max_exceeded', 'insufficient_funds', 'charge_denied',
    'end_user_address_invalid'],
  'get /v1/charges': [...ANY_ROUTE, ...OPERATOR_AUTH],
  'get /v1/charges/{id}': [...ANY_ROUTE, ...OPERATOR_AUTH, 'charge_not_found'],
  'post /v1/charges/{id}/refunds': [...ANY_ROUTE, ...WITH_BODY, ...OPERATOR_AUTH, ...IDEMPOTENT, 'charge_not_found', 'charge_not_settled',
    'refund_exceeds_charge', 'operator_funds_insufficient'],
  'put /v1/webhook': [...ANY_ROUTE, ...WITH_BODY, ...OPERATOR_AUTH, 'webhook_url_invalid'],
  'get /v1/webhook': [...ANY_ROUTE, ...OPERATOR_AUTH, 'route_not_found'],
  'delete /v1/webhook': [...ANY_ROUTE, ...OPERATOR_AUTH],
};

/**
 * Codes an operator meets outside these operations: the authorization server (/oidc) ends a FAPI 2.0 link with them
 * (the KYC attestation and the identity match are checked there), and any path answers route_not_found or
 * method_not_allowed. The API's description lists them.
 */
export const AUTHORIZATION_ERROR_CODES: readonly OperatorErrorCode[] = [
  'kyc_attestation_invalid', 'kyc_attestation_expired', 'kyc_attestation_replayed', 'kyc_level_too_low', 'identity_mismatch',
  'link_denied', 'link_method_not_allowed', 'new_links_suspended', 'route_not_found', 'method_not_allowed',
  // A renewal (link_id in the pushed request) naming a link that cannot be renewed.
  'link_not_renewable',
];

/** An operation's error responses for OpenAPI: one per status, listing its codes, with an example problem+json for each. */
export function errorResponses(codes: readonly OperatorErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, OperatorErrorCode[]>();
  for (const code of codes) {
    const { status } = errorCodes[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, group]) => [String(status), {
    description: group.map((code) => `\`${code}\`: ${errorCodes[code].title}`).join('\n\n'),
    content: {
      'application/problem+json': {
        schema: { $ref: '#/components/schemas/Problem' },
        examples: Object.fromEntries(group.map((code) => [code, {
          summary: errorCodes[code].title,
          value: { type: `https://furikae.example/errors/${code}`, title: errorCodes[code].title, status, code, detail: errorCodes[code].title },
        }])),
      },
    },
  }]));
}
