/**
 * Walks every route an app registered (taken from the app, src/http/route-methods.ts, not a hand list) with
 * malformed input in every place input enters: path parameters, query strings, headers, cookies, and JSON and form
 * bodies. Reports each answer that is a 500, or an error in any format but problem+json (or, on page routes, an
 * HTML page). The values are the classes an outside review tries: NUL and lone surrogates, ids in non-canonical
 * forms, bad percent-encoding, broken JSON, wrong types, and numbers, dates and strings past what PostgreSQL holds.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { RegisteredRoute } from '../http/route-methods.ts';

const CANONICAL_ID = '0190e0e0-0000-7000-8000-00000000abcd';

/** Path parameter values, already percent-encoded as they would appear in a URL. */
const PATH_VALUES = [
  'a%00b', `urn:uuid:${CANONICAL_ID}`, `%7B${CANONICAL_ID}%7D`, CANONICAL_ID.toUpperCase(), '%E0%A4%A', '%ED%A0%80', '9223372036854775808', 'x'.repeat(101),
];

/** Query values, percent-encoded. */
const QUERY_VALUES = ['a%00b', '%ED%A0%80', '%E0%A4%A', '99999999999999999999999', `urn:uuid:${CANONICAL_ID}`];

/** Text values for body fields, raw (JSON-encoded or form-encoded by the walker). */
const TEXT_VALUES = ['a\u0000b', '\ud800', 'x'.repeat(5000), '9223372036854775808', '0000-01-01', `urn:uuid:${CANONICAL_ID}`, ''];

/** Values of other JSON types for body fields. */
const JSON_VALUES: unknown[] = [1e308, -1, 4.5, true, null, ['\u0000'], { a: { 'k\u0000': 1 } }];

/** Values tried one field at a time: each gets past a loose schema and reaches the handler and the database. */
const DEEP_TEXT_VALUES = ['x'.repeat(5000), '9223372036854775808'];

/** Whole JSON bodies that are broken or of the wrong shape. */
const RAW_JSON_BODIES = ['{', '[]', '"\\u0000"', `${'['.repeat(3000)}${']'.repeat(3000)}`, '{"__proto__":{"x":1}}'];

/** Field names pages read without a schema, tried on every route that takes a body. */
const COMMON_FIELDS = ['csrf', 'csrf_token', 'login_id', 'password', 'code', 'factor', 'reason', 'text', 'name', 'on', 'amount_yen', 'client_id', 'state', 'request_uri'];

/** Who is asking: headers and cookies sent with every request, and form fields put in every body (a CSRF token). */
export interface WalkIdentity {
  name: string;
  headers: Record<string, string>;
  cookies: Record<string, string>;
  fields: Record<string, string>;
  /** `surface`: only the path and query variants (enough to see how errors are answered); `full`: every variant. */
  depth: 'full' | 'surface';
  /** The routes this identity walks; all of them if absent. */
  applies?: (route: RegisteredRoute) => boolean;
}

export interface RouteWalkOptions {
  identities: WalkIdentity[];
  /** Paths whose errors must be problem+json strictly; elsewhere an HTML page is also accepted. */
  api_paths: RegExp;
  /** Paths whose errors another protocol's format governs (OAuth's JSON `error`, or its error page), accepted beside problem+json. */
  oauth_paths?: RegExp;
  /** What a trailing `*` stands for in wildcard routes. */
  wildcard_values?: string[];
  /** The routes walked; all of them if absent (a large app is walked in parts, one test file each, to stay within a file's time). */
  routes?: (route: RegisteredRoute) => boolean;
}

export interface RouteWalkResult {
  requests: number;
  routes: number;
  /** One line per bad answer: the request and what came back. */
  failures: string[];
}

interface WalkRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  cookies: Record<string, string>;
  payload?: string;
  what: string;
}

/** Names of an object schema's properties, if it is one. */
function propertiesOf(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

/** The route's path with each parameter filled, for every value in turn (the others canonical). */
function paths(route: RegisteredRoute, wildcard_values: string[]): Array<{ url: string; what: string }> {
  const url = route.url;
  const wildcards = url.endsWith('*') ? wildcard_values.map((value) => url.slice(0, -1) + value) : [url];
  const out: Array<{ url: string; what: string }> = [];
  for (const base of wildcards) {
    const params = [...base.matchAll(/:([A-Za-z_]+)/g)].map((match) => match[1]!);
    const fill = (values: Record<string, string>) => base.replace(/:([A-Za-z_]+)/g, (_, name: string) => values[name] ?? CANONICAL_ID);
    out.push({ url: fill({}), what: 'canonical' });
    for (const param of params) for (const value of PATH_VALUES) out.push({ url: fill({ [param]: value }), what: `:${param}=${value.slice(0, 40)}` });
  }
  return out;
}

/** Percent-encodes like a careless client: a lone surrogate goes as its three WTF-8 bytes, which is not UTF-8. */
function percentEncode(text: string): string {
  return text.replace(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g, (char) => {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    }
    return encodeURIComponent(char);
  });
}

function formEncode(fields: Record<string, string>): string {
  return Object.entries(fields).map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&');
}

/** Every malformed request for one route and identity. */
function requestsFor(route: RegisteredRoute, identity: WalkIdentity, options: RouteWalkOptions): WalkRequest[] {
  const schema = route.schema as { querystring?: unknown; body?: unknown; headers?: unknown } | undefined;
  const base = { method: route.method, headers: identity.headers, cookies: identity.cookies };
  const requests: WalkRequest[] = [];
  const routePaths = paths(route, options.wildcard_values ?? ['x']);
  const url = routePaths[0]!.url;
  if (identity.depth === 'surface') {
    // How errors are answered to this client: a bad path, a bad query, an unknown method.
    return [routePaths[0]!, routePaths[2], routePaths[5]].filter((path) => path !== undefined).map((path) => ({ ...base, url: path.url, what: `path ${path.what}` }))
      .concat({ ...base, url: `${url}?status=%ED%A0%80`, what: 'query bad encoding' }, { ...base, method: 'PATCH', url, what: 'method PATCH' });
  }
  for (const { url, what } of routePaths) requests.push({ ...base, url, what: `path ${what}` });
  for (const name of [...propertiesOf(schema?.querystring), 'status']) {
    for (const value of QUERY_VALUES) requests.push({ ...base, url: `${url}?${name}=${value}`, what: `query ${name}=${value.slice(0, 30)}` });
    requests.push({ ...base, url: `${url}?${name}=1&${name}=2`, what: `query ${name} repeated` });
  }

  for (const name of [...propertiesOf(schema?.headers), 'idempotency-key', 'x-device-id']) {
    for (const value of ['a\u0000b', 'x'.repeat(300)]) {
      requests.push({ ...base, url, headers: { ...base.headers, [name]: value }, what: `header ${name}=${JSON.stringify(value.slice(0, 20))}` });
    }
  }
  const basic = (text: string) => `Basic ${Buffer.from(text, 'latin1').toString('base64')}`;
  for (const authorization of [basic('id:se\u0000cret'), basic('x'.repeat(500)), 'Basic !!!', 'DPoP x']) {
    requests.push({ ...base, url, headers: { ...base.headers, authorization, dpop: 'x.y.z' }, what: `authorization ${JSON.stringify(authorization.slice(0, 24))}` });
  }
  for (const name of Object.keys(identity.cookies)) {
    requests.push({ ...base, url, cookies: { ...base.cookies, [name]: '%00' }, what: `cookie ${name}=%00` });
    requests.push({ ...base, url, cookies: { ...base.cookies, [name]: 'x'.repeat(4000) }, what: `cookie ${name} long` });
  }

  if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH' || route.method === 'DELETE') {
    const json = { ...base.headers, 'content-type': 'application/json' };
    const form = { ...base.headers, 'content-type': 'application/x-www-form-urlencoded' };
    for (const payload of RAW_JSON_BODIES) requests.push({ ...base, url, headers: json, payload, what: `json body ${payload.slice(0, 20)}` });
    requests.push({ ...base, url, headers: form, payload: 'a=%00&b=%ED%A0%80&%00=1', what: 'form body raw' });
    requests.push({ ...base, url, headers: form, payload: '%E0%A4%A=%E0%A4%A', what: 'form body bad encoding' });
    // The schema's fields where it has one (it refuses any other); else the names pages read without one.
    const fields = schema?.body ? propertiesOf(schema.body) : COMMON_FIELDS;
    const valid = Object.fromEntries(fields.map((field) => [field, identity.fields[field] ?? '1']));
    // Every value in every field at once (the CSRF token kept, so a session gets past it) ...
    const everywhere = (value: unknown) => ({ ...Object.fromEntries(fields.map((field) => [field, value])), ...identity.fields });
    for (const value of TEXT_VALUES) {
      requests.push({ ...base, url, headers: json, payload: JSON.stringify(everywhere(value)), what: `json every field ${JSON.stringify(value.slice(0, 16))}` });
      requests.push({ ...base, url, headers: form, payload: formEncode(everywhere(value) as Record<string, string>), what: `form every field ${JSON.stringify(value.slice(0, 16))}` });
    }
    for (const value of JSON_VALUES) requests.push({ ...base, url, headers: json, payload: JSON.stringify(everywhere(value)), what: `json every field ${JSON.stringify(value)}` });
    // ... and the values a schema passes but a handler or a column may not, one field at a time, the others plausible.
    // In the route's own encoding only: the other one is refused at the parser or reaches the same handler.
    const own_json = options.api_paths.test(url) && !options.oauth_paths?.test(url);
    for (const field of fields) {
      for (const value of DEEP_TEXT_VALUES) {
        const body = { ...valid, [field]: value };
        if (own_json) requests.push({ ...base, url, headers: json, payload: JSON.stringify(body), what: `json ${field}=${JSON.stringify(value.slice(0, 16))}` });
        else requests.push({ ...base, url, headers: form, payload: formEncode(body), what: `form ${field}=${JSON.stringify(value.slice(0, 16))}` });
      }
      requests.push({ ...base, url, headers: json, payload: JSON.stringify({ ...valid, [field]: 9223372036854775807 }), what: `json ${field}=2^63` });
      requests.push({ ...base, url, headers: form, payload: `${formEncode(valid)}&${percentEncode(field)}=again`, what: `form ${field} repeated` });
    }
  }
  return requests;
}

/** Whether an error answer is in a format this path may use. */
function acceptableError(response: LightMyRequestResponse, path: string, options: RouteWalkOptions): boolean {
  const type = String(response.headers['content-type'] ?? '');
  if (type.startsWith('application/problem+json')) return true;
  if (options.oauth_paths?.test(path)) {
    // The authorization server's own errors: OAuth's JSON, or its error page for a browser's front-channel request.
    if (type.startsWith('text/html')) return true;
    try {
      return type.startsWith('application/json') && typeof (response.json() as { error?: unknown }).error === 'string';
    } catch {
      return false;
    }
  }
  return !options.api_paths.test(path) && type.startsWith('text/html');
}

/** Sends every malformed request to every route and reports the answers that break the rules. */
export async function walkRoutes(app: FastifyInstance, options: RouteWalkOptions): Promise<RouteWalkResult> {
  const routes = app.routeMethods.list().filter((route) => options.routes?.(route) ?? true);
  // Logouts last, so the sessions the walk carries live through every other route.
  routes.sort((a, b) => Number(a.url.includes('logout')) - Number(b.url.includes('logout')));
  const failures: string[] = [];
  let requests = 0;
  for (const route of routes) {
    for (const identity of options.identities.filter((candidate) => candidate.applies?.(route) ?? true)) {
      // A HEAD route runs its GET twin's handler, which the walk feeds in full.
      const walked = route.method === 'HEAD' ? { ...identity, depth: 'surface' as const } : identity;
      for (const request of requestsFor(route, walked, options)) {
        requests++;
        // The Cookie header as written, not re-encoded: `%00` must reach the cookie parser, which decodes it.
        const cookie = Object.entries(request.cookies).map(([name, value]) => `${name}=${value}`).join('; ');
        const response = await app.inject({
          method: request.method as 'GET', url: request.url, headers: { ...request.headers, ...(cookie ? { cookie } : {}) },
          ...(request.payload === undefined ? {} : { payload: request.payload }),
        });
        const path = request.url.split('?')[0]!;
        const label = `${request.method} ${route.url} [${identity.name}] ${request.what}`;
        // 502–504 are real answers when a dependency is down (the wallet's bank, say); 500 never is.
        if (response.statusCode === 500) failures.push(`${label} → 500 ${response.body.slice(0, 200)}`);
        else if (response.statusCode >= 400 && !acceptableError(response, path, options)) {
          failures.push(`${label} → ${response.statusCode} ${String(response.headers['content-type'])} ${response.body.slice(0, 120)}`);
        }
      }
    }
  }
  return { requests, routes: routes.length, failures };
}

/** Formats whose text has a fixed greatest length, so they bound a string on their own. */
const BOUNDED_FORMATS = new Set(['uuid', 'date', 'date-time']);

/**
 * Every string a route's schemas take without a greatest length, and every number without both bounds: the input
 * PostgreSQL may not hold (a string past a column's CHECK, a number past int8). One line per field.
 */
export function unboundedInputs(routes: readonly RegisteredRoute[]): string[] {
  const found: string[] = [];
  const visit = (schema: unknown, where: string) => {
    if (typeof schema !== 'object' || schema === null) return;
    const node = schema as Record<string, unknown>;
    const fixed = node.enum !== undefined || node.const !== undefined;
    if (node.type === 'string' && node.maxLength === undefined && !fixed && !BOUNDED_FORMATS.has(String(node.format))) found.push(`${where}: a string without maxLength`);
    if ((node.type === 'integer' || node.type === 'number') && (node.maximum === undefined || node.minimum === undefined) && !fixed) found.push(`${where}: a number without minimum and maximum`);
    for (const [name, child] of Object.entries((node.properties as Record<string, unknown> | undefined) ?? {})) visit(child, `${where}/${name}`);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) ((node[key] as unknown[] | undefined) ?? []).forEach((child, index) => visit(child, `${where}|${index}`));
    if (node.items) visit(node.items, `${where}[]`);
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, `${where}/*`);
  };
  for (const route of routes) {
    const schema = route.schema as Record<string, unknown> | undefined;
    for (const part of ['params', 'querystring', 'headers', 'body']) visit(schema?.[part], `${route.method} ${route.url} ${part}`);
  }
  return found;
}
