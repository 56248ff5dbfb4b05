import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Problem } from './api-schemas.ts';
import { AUTHORIZATION_ERROR_CODES, OPERATION_ERROR_CODES, errorResponses } from './operator-api-errors.ts';

/** The operator API's paths: /docs documents these and nothing else (the bank's, staff and demo pages are HTML for people). */
const OPERATOR_API_PATH = /^\/v1\//;

/** The problem+json schema, without the $id the app registers it under. */
const { $id: _problem_id, ...PROBLEM_SCHEMA_FIELDS } = Problem;
const PROBLEM_SCHEMA = PROBLEM_SCHEMA_FIELDS as never;

/** The operator API's groups, in the order /docs shows them. */
const OPERATOR_API_TAGS = [
  { name: 'links', description: "A customer's bank account linked to the operator: read it, revoke it, or (2020 path, lab only) create it with a PIN. FAPI 2.0 links are made at the authorization server (/oidc) with the customer present." },
  { name: 'charges', description: "Pull money from a linked account into the operator's settlement account, read and list charges. Every charge passes the bank's limits and risk rules." },
  { name: 'refunds', description: "Give part or all of a settled charge back to the customer from the operator's settlement account; idempotent like a charge." },
  { name: 'webhooks', description: 'Where the bank tells the operator how a waiting charge ended (charge.succeeded, charge.declined, charge.expired) and that a link\'s consent ends soon or was renewed (link.consent_expiring, link.consent_renewed), signed with HMAC-SHA256.' },
];

/** Error codes by their status, as the description lists those the authorization server answers. */
const AUTHORIZATION_ERRORS_TEXT = AUTHORIZATION_ERROR_CODES.map((code) => `\`${code}\``).join(', ');

/** OpenAPI 3.1 generated from the route schemas, at /openapi.json, with browsable docs at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'furikae instant-transfer API',
        version: '1',
        description:
          'The bank-side API that payment apps (operators) use to link accounts, charge, refund and revoke. Errors are RFC 9457 ' +
          '`application/problem+json` with a stable `code`: each operation lists every code it can answer, by status, with an example.\n\n' +
          'FAPI 2.0 links are made at the OAuth authorization server under `/oidc` (discovery at `/oidc/.well-known/openid-configuration`: ' +
          'PAR, authorization, token, all DPoP-bound), which answers in OAuth\'s own error format. When the bank refuses a link there, ' +
          `the redirect back carries \`error=access_denied\` and an \`error_description\` that starts with one of: ${AUTHORIZATION_ERRORS_TEXT}.`,
      },
      tags: OPERATOR_API_TAGS,
      components: {
        // The error responses refer to it (operator-api-errors.ts); without its $id, which is the app's own.
        schemas: { Problem: PROBLEM_SCHEMA },
        securitySchemes: {
          operatorBasic: { type: 'http', scheme: 'basic', description: 'client_id:client_secret issued at registration' },
          linkBearer: { type: 'http', scheme: 'bearer', description: 'The 2020 path: the credential issued for one legacy link' },
          linkDpop: { type: 'http', scheme: 'DPoP', description: 'A DPoP-bound access token for one link from the bank’s FAPI 2.0 authorization server, with a DPoP proof header' },
        },
      },
    },
    // Only the operator API: every other route (customer, staff, interaction and demo pages, health) is hidden, so a
    // new page never shows up as an API operation.
    transform: ({ schema, url }) => ({ schema: OPERATOR_API_PATH.test(url) ? schema : { ...schema, hide: true }, url }),
    transformObject: (documents) => withErrorResponses((documents as { openapiObject: OpenApiDocument }).openapiObject) as never,
  });
  // Swagger UI runs its own scripts and styles, served from /docs/static: the app's policy, widened to 'self', plus the
  // hash of the one style element Swagger UI 5 writes at run time (seen in Chromium as a CSP report; nothing else inline).
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: {
      'default-src': ["'none'"], 'script-src': ["'self'"], 'style-src': ["'self'", "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"], 'img-src': ["'self'", 'data:'], 'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
}

/** Replaces each operation's generic problem responses with the codes it can answer, grouped by status, with examples. */
function withErrorResponses(document: OpenApiDocument): OpenApiDocument {
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const codes = OPERATION_ERROR_CODES[`${method} ${path}`];
      if (!codes) continue;
      const successes = Object.fromEntries(Object.entries(operation.responses ?? {}).filter(([status]) => Number(status) < 400));
      operation.responses = { ...successes, ...errorResponses(codes) };
    }
  }
  return document;
}
