import type { FastifyInstance } from 'fastify';

/**
 * Makes every request read as addressed to the bank's configured public origin, before any route sees it.
 * What a client says about where it sent a request (Host, X-Forwarded-Host and -Proto, Forwarded, an
 * absolute-form target such as `POST http://evil.example/oidc/token`) would otherwise become the expected DPoP
 * `htu`, the client-assertion audience and the discovery document's endpoints (oidc-provider builds its URLs
 * from the request). So the raw request's Host and X-Forwarded-Host/-Proto are overwritten with the configured
 * origin, its target is reduced to path and query, and X-Forwarded-For is set to the address Fastify itself took
 * as the client's (its own trustProxy setting decides that), so oidc-provider, which trusts these headers, sees
 * exactly what the bank decided.
 */
export function pinPublicOrigin(app: FastifyInstance, public_url: string): void {
  const origin = new URL(public_url);
  const protocol = origin.protocol.slice(0, -1);
  app.addHook('onRequest', async (request) => {
    const raw = request.raw;
    const client_ip = request.ip;
    if (raw.url && !raw.url.startsWith('/')) {
      const target = URL.parse(raw.url);
      raw.url = target ? `${target.pathname}${target.search}` : '/';
    }
    raw.headers.host = origin.host;
    raw.headers['x-forwarded-host'] = origin.host;
    raw.headers['x-forwarded-proto'] = protocol;
    raw.headers['x-forwarded-for'] = client_ip;
    delete raw.headers.forwarded;
  });
}
