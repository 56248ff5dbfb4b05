import { request } from 'node:http';

/** What a raw request got back. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends one HTTP/1.1 request with exactly the headers given, Host included, and any request target, absolute-form
 * too (`POST http://evil.example/v1/charges`): what an attacker's client can send and fetch() will not.
 */
export function rawHttp(base_url: string, options: { method?: string; target: string; headers?: Record<string, string>; body?: string }): Promise<RawAnswer> {
  const base = new URL(base_url);
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: base.hostname, port: base.port, method: options.method ?? 'GET', path: options.target, setHost: false, agent: false,
      headers: { ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }), ...options.headers },
    }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
