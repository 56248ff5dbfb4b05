import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';

/** Where the authorization server lives under the bank's origin; the issuer ends with it. */
export const OIDC_PATH = '/oidc';

/**
 * Hands every request under /oidc to oidc-provider untouched: its own body parsing, cookies and errors.
 * The prefix is stripped as an Express mount would, since the issuer already carries it.
 */
export async function mountProvider(app: FastifyInstance, provider: Provider): Promise<void> {
  const callback = provider.callback();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Leave the body stream unread: oidc-provider reads and validates it itself.
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = async (request: { raw: import('node:http').IncomingMessage }, reply: { hijack(): void; raw: import('node:http').ServerResponse }) => {
      reply.hijack();
      // oidc-provider finds its mount path by comparing originalUrl with url, as under Express.
      (request.raw as { originalUrl?: string }).originalUrl = request.raw.url;
      request.raw.url = request.raw.url!.slice(OIDC_PATH.length) || '/';
      callback(request.raw, reply.raw);
    };
    scope.all(OIDC_PATH, { schema: { hide: true } }, handler);
    scope.all(`${OIDC_PATH}/*`, { schema: { hide: true } }, handler);
  });
}
