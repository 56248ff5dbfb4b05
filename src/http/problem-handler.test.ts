import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { errorCodes as fastifyErrorCodes, type FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { errorCodes } from '../errors/error-codes.ts';
import { createHttpApp } from './create-http-app.ts';
import { problemFor } from './problem-handler.ts';

/** Fastify's codes that a client's request can raise yet are not the client's fault: they stay 500 internal_error. */
const PROGRAMMER_CODES_WITH_4XX = new Set(['FST_ERR_CTP_INSTANCE_ALREADY_STARTED']);

test('every Fastify FST_* error maps onto the registry: the client-caused ones to their own status, the rest to internal_error', () => {
  for (const [name, FastifyErrorClass] of Object.entries(fastifyErrorCodes)) {
    const error = new (FastifyErrorClass as unknown as new (...args: string[]) => Error & { statusCode?: number })('a', 'b', 'c');
    const { code } = problemFor(error);
    const status = error.statusCode ?? 500;
    if (status < 500 && !PROGRAMMER_CODES_WITH_4XX.has(name)) assert.equal(errorCodes[code].status, status, `${name} (${status}) answered ${code}`);
    else if (name === 'FST_ERR_HANDLER_TIMEOUT') assert.equal(code, 'service_unavailable');
    else assert.equal(code, 'internal_error', name);
  }
});

test("Node's parser errors map to 431 headers_too_large and otherwise 400 request_malformed; anything else is internal_error", () => {
  const codeOf = (code: string) => problemFor(Object.assign(new Error('x'), { code })).code;
  assert.equal(codeOf('HPE_HEADER_OVERFLOW'), 'headers_too_large');
  assert.equal(codeOf('HPE_INVALID_METHOD'), 'request_malformed');
  assert.equal(codeOf('HPE_INVALID_CONTENT_LENGTH'), 'request_malformed');
  assert.equal(codeOf('EACCES'), 'internal_error');
  assert.equal(problemFor(new Error('boom')).code, 'internal_error');
});

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { lines, log: pino({ level: 'debug' }, stream) };
}

describe('answers from a furikae HTTP app', () => {
  let app: FastifyInstance;
  let pages: FastifyInstance;
  const { lines, log } = capture();
  const problemType = 'application/problem+json; charset=utf-8';

  before(async () => {
    app = createHttpApp({ log });
    app.post('/v1/things', { schema: { body: Type.Object({ name: Type.String({ maxLength: 20 }), when: Type.Optional(Type.String({ format: 'date' })) }, { additionalProperties: false }) } }, async () => ({ ok: true }));
    app.get('/v1/things/:id', { schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } }, async (request) => request.params);
    app.get('/v1/fail', async () => {
      throw new Error('a bug');
    });
    pages = createHttpApp({ log, error_pages: { api_paths: /^\/v1\//, render: (problem) => `<!doctype html><p data-code="${problem.code}">${problem.title}</p>` } });
    pages.get('/page', async () => 'ok');
    pages.get('/v1/api', async () => ({ ok: true }));
  });
  after(async () => {
    await app.close();
    await pages.close();
  });

  test('an unknown path is 404 route_not_found and a known path with another method is 405 with Allow', async () => {
    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['content-type'], problemType);
    assert.equal(missing.json().code, 'route_not_found');
    const wrong = await app.inject({ method: 'DELETE', url: '/v1/things/0190e0e0-0000-7000-8000-000000000000' });
    assert.equal(wrong.statusCode, 405);
    assert.equal(wrong.headers.allow, 'GET, HEAD');
    assert.equal(wrong.json().code, 'method_not_allowed');
  });

  test('malformed percent-encoding in the path is 400 request_malformed in problem+json', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/things/%E0%A4%A' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers['content-type'], problemType);
    assert.equal(response.json().code, 'request_malformed');
  });

  test('a path parameter past its limit is 414 uri_too_long, and so is a URL past URL_CHARS_MAX', async () => {
    const param = await app.inject({ method: 'GET', url: `/v1/things/${'a'.repeat(101)}` });
    assert.equal(param.statusCode, 414);
    assert.equal(param.json().code, 'uri_too_long');
    const url = await app.inject({ method: 'GET', url: `/v1/things/x?q=${'a'.repeat(5000)}` });
    assert.equal(url.statusCode, 414);
    assert.equal(url.json().code, 'uri_too_long');
  });

  const uuidForms = ['urn:uuid:0190e0e0-0000-7000-8000-000000000000', '{0190e0e0-0000-7000-8000-000000000000}', '0190E0E0-0000-7000-8000-000000000000', '0190e0e000007000800000000000000', '0190e0e0-0000-7000-8000-00000000000'];
  for (const id of uuidForms) {
    test(`an id written ${id} is not the canonical form and is refused with validation_failed`, async () => {
      const response = await app.inject({ method: 'GET', url: `/v1/things/${encodeURIComponent(id)}` });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'validation_failed');
    });
  }

  test('the canonical lower-case id passes', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/things/0190e0e0-0000-7000-8000-000000000000' });
    assert.equal(response.statusCode, 200);
  });

  for (const when of ['0000-01-01', '99999-01-01', '2026-02-30', '+02026-01-01']) {
    test(`the date ${when} is refused; PostgreSQL has no year 0 and RFC 3339 no five-digit year`, async () => {
      const response = await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'x', when } });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'validation_failed');
    });
  }

  test('a real date, from year 0001 to 9999, passes and says why if not', async () => {
    for (const when of ['0001-01-01', '2024-02-29', '9999-12-31']) {
      const response = await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'x', when } });
      assert.equal(response.statusCode, 200, `${when}: ${response.body}`);
    }
    const refused = await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'x', when: '2026-02-30' } });
    assert.match(refused.json().detail, /^body\/when must match format "date"$/);
  });

  test('bad JSON, an empty JSON body, plain text and a form are refused in problem+json', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['application/json', '{"name": ', 400, 'validation_failed'],
      ['application/json', '', 400, 'validation_failed'],
      ['text/plain', 'name=x', 415, 'unsupported_media_type'],
      ['application/x-www-form-urlencoded', 'name=x', 415, 'unsupported_media_type'],
    ];
    for (const [type, payload, status, code] of cases) {
      const response = await app.inject({ method: 'POST', url: '/v1/things', headers: { 'content-type': type }, payload });
      assert.equal(response.statusCode, status, `${type} ${payload}`);
      assert.equal(response.headers['content-type'], problemType);
      assert.equal(response.json().code, code);
    }
  });

  test('an unexpected error is 500 internal_error, logged at error level, with a detail that tells nothing', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/fail' });
    assert.equal(response.statusCode, 500);
    assert.equal(response.json().detail, 'Something went wrong on our side');
    assert.ok(lines.some((line) => line.level === 50 && line.msg === 'unhandled error'));
  });

  test('on page routes a browser gets the problem as a page with its code; scripts and API paths get problem+json', async () => {
    const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const page = await pages.inject({ method: 'GET', url: '/nowhere', headers: browser });
    assert.equal(page.statusCode, 404);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /data-code="route_not_found"/);
    const script = await pages.inject({ method: 'GET', url: '/nowhere' });
    assert.equal(script.headers['content-type'], problemType);
    const api = await pages.inject({ method: 'POST', url: '/v1/api', headers: browser });
    assert.equal(api.statusCode, 405);
    assert.equal(api.headers['content-type'], problemType);
    const badUrl = await pages.inject({ method: 'GET', url: '/page%E0%A4%A', headers: browser });
    assert.equal(badUrl.statusCode, 400);
    assert.match(badUrl.body, /data-code="request_malformed"/);
  });
});
