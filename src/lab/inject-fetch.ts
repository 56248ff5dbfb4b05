import type { FastifyInstance } from 'fastify';

/** A fetch function, as openid-client's customFetch and the lab's browsers take one. */
export type FetchFunction = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Statuses whose responses may not carry a body (the Fetch standard's "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function bodyOf(body: RequestInit['body']): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError(`the lab sends string, form or byte bodies only, got ${Object.prototype.toString.call(body)}`);
}

/**
 * fetch() over Fastify's inject: the full HTTP pipeline of the bank (routing, parsing, schemas, hooks, the mounted
 * authorization server) without a socket, from `remoteAddress` as the bank sees it. The lab's operators and
 * customers' browsers reach the bank through this, so three simulated years cost no TCP handshakes.
 */
export function createInjectFetch(app: FastifyInstance, { remoteAddress }: { remoteAddress: string }): FetchFunction {
  return async (url, init = {}) => {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const payload = bodyOf(init.body);
    const response = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: `${target.pathname}${target.search}`,
      authority: target.host,
      headers,
      remoteAddress,
      ...(payload === undefined ? {} : { payload }),
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) out.append(name, String(one));
    }
    return new Response(NULL_BODY_STATUSES.has(response.statusCode) ? null : new Uint8Array(response.rawPayload), { status: response.statusCode, headers: out });
  };
}
