import { parse as parseForm } from 'node:querystring';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { findUnstorableText, type UnstorableText } from '../http/storable-text.ts';
import { authorizationErrorPage } from './authorization-error-page.ts';

/** Where the authorization server lives under the bank's origin; the issuer ends with it. */
export const OIDC_PATH = '/oidc';
/** oidc-provider's cookie that ties a browser to one interaction (its default name), path /interaction/{uid}. */
export const OIDC_INTERACTION_COOKIE = '_interaction';

/** Largest body an authorization-server endpoint takes: oidc-provider's own limit, so nothing it accepts is refused here. */
const PROVIDER_BODY_BYTES_MAX = 56 * 1024;

/** The body's parameters as oidc-provider will read them: a form or JSON; undefined when it cannot parse them either. */
function providerParameters(request: FastifyRequest, body: Buffer): unknown {
  if (String(request.headers['content-type']).startsWith('application/json')) {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  return parseForm(body.toString('utf8'));
}

/** The first path, query or body parameter PostgreSQL could not store, named by where it is; undefined if none. */
function unstorableParameter(request: FastifyRequest): UnstorableText | undefined {
  const parts: Array<[string, unknown]> = [
    ['path', request.params], ['query', request.query],
    ['body', Buffer.isBuffer(request.body) ? providerParameters(request, request.body) : undefined],
  ];
  for (const [part, value] of parts) {
    const found = findUnstorableText(value);
    if (found) return { ...found, path: `${part}${found.path}` };
  }
  return undefined;
}

/**
 * Hands every request under /oidc to oidc-provider: its own cookies, protocol and errors. The prefix is stripped as
 * an Express mount would, since the issuer already carries it. Form and JSON bodies are read here first, so that text
 * PostgreSQL cannot store (NUL, unpaired surrogates; the header and query guard covers the rest of the request) is
 * refused with OAuth's `invalid_request` before the provider looks a client or a grant up by it; the provider then
 * takes the body already read (it says so once in the log, as it does for any mount with a body parser in front).
 */
export async function mountProvider(app: FastifyInstance, provider: Provider): Promise<void> {
  const callback = provider.callback();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['application/x-www-form-urlencoded', 'application/json'], { parseAs: 'buffer', bodyLimit: PROVIDER_BODY_BYTES_MAX },
      (_request, body, done) => done(null, body));
    // Any other body is left unread: oidc-provider refuses it itself.
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const unstorable = unstorableParameter(request);
      if (unstorable) {
        reply.status(400).header('cache-control', 'no-store');
        const error_description = `${unstorable.path} ${unstorable.reason}`;
        // A browser on the front channel (/oidc/auth) gets the bank's page, as for the provider's own errors there.
        if (/\btext\/html\b/.test(String(request.headers.accept ?? ''))) {
          return reply.type('text/html; charset=utf-8').send(authorizationErrorPage('invalid_request', error_description));
        }
        return reply.send({ error: 'invalid_request', error_description });
      }
      if (Buffer.isBuffer(request.body)) (request.raw as IncomingMessage & { body?: Buffer }).body = request.body;
      reply.hijack();
      // oidc-provider finds its mount path by comparing originalUrl with url, as under Express.
      (request.raw as { originalUrl?: string }).originalUrl = request.raw.url;
      // `/oidc?x` must become `/?x`: a URL without its leading slash has no path, and the provider's router fails on it.
      const rest = request.raw.url!.slice(OIDC_PATH.length);
      request.raw.url = rest.startsWith('/') ? rest : `/${rest}`;
      callback(request.raw, reply.raw as ServerResponse);
    };
    // The path, query and body are checked above and refused in OAuth's format; the shared guard checks the rest.
    const options = { schema: { hide: true }, config: { checks_storable_input: true } };
    scope.all(OIDC_PATH, options, handler);
    scope.all(`${OIDC_PATH}/*`, options, handler);
  });
}
