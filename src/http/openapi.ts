import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** OpenAPI 3.1 generated from the route schemas, at /openapi.json, with browsable docs at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'furikae instant-transfer API',
        version: '1',
        description: 'The bank-side API that payment apps (operators) use to link accounts, charge, refund and revoke. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          operatorBasic: { type: 'http', scheme: 'basic', description: 'client_id:client_secret issued at registration' },
          linkBearer: { type: 'http', scheme: 'bearer', description: 'The 2020 path: the credential issued for one legacy link' },
          linkDpop: { type: 'http', scheme: 'DPoP', description: 'A DPoP-bound access token for one link from the bank’s FAPI 2.0 authorization server, with a DPoP proof header' },
        },
      },
    },
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
