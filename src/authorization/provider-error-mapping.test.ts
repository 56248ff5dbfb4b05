import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import type Provider from 'oidc-provider';
import inject from 'light-my-request';
import { requestFault } from './provider-error-mapping.ts';
import { createAuthorizationServer } from './create-authorization-server.ts';
import { createLogger } from '../shared/logger.ts';
import { DatabaseUnavailableError } from '../storage/database-unavailable-error.ts';
import { FurikaeError } from '../errors/furikae-error.ts';

/** JSON nested `depth` levels, as text: a signed JWT can carry it, though no object this deep could be built and serialised here. */
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** Deep enough to overflow a recursive copy, small enough to pass every size limit. */
const DEEP = 5000;

/** A client assertion signed with `key`, its payload and header given as JSON text (so they can be nested past what jose would build). */
async function assertion(key: CryptoKey, payload: string, header = '{"alg":"ES256"}') {
  const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

for (const backend of testBackends) {
  describe(`the authorization server answers malformed requests with 4xx, never 500, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let client_id: string;
    let key: CryptoKey;
    const redirect_uri = 'https://wallet.example/callback';

    before(async () => {
      fixture = await createBankFixture(backend);
      const pair = await generateKeyPair('ES256', { extractable: true });
      key = pair.privateKey;
      ({ operator: { client_id } } = await fixture.bank.services.operators.register({
        display_name: 'Fuzz Pay', passbook_label: 'ファズ', link_methods_allowed: ['fapi2'], kyc_level_min: 'ekyc_document_face',
        jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig' }] }, redirect_uris: [redirect_uri],
      }));
    });
    after(() => fixture?.close());

    const claims = (extra = '') => {
      // oidc-provider checks iat and exp against real time, not the fixture's clock.
      const now = Math.floor(Date.now() / 1000);
      return `{"iss":"${client_id}","sub":"${client_id}","aud":"${fixture.url}/oidc","iat":${now},"exp":${now + 60},"jti":"${randomUUID()}"${extra}}`;
    };
    const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => fixture.bank.app.inject({
      method: 'POST', url: `/oidc/${path}`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(fields).toString(),
    });
    const par = async (fields: Record<string, string>) => post('request', {
      client_id, response_type: 'code', redirect_uri, scope: 'openid charges', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion(key, claims()), ...fields,
    });

    test('a correctly signed client assertion whose claims or header nest thousands of levels deep is invalid_request, at PAR and at the token endpoint', async () => {
      assert.equal((await par({})).statusCode, 201, 'the same request with a plain assertion is accepted');
      const deepClaim = await assertion(key, claims(`,"x":${nested(DEEP)}`));
      const deepHeader = await assertion(key, claims(), `{"alg":"ES256","x":${nested(DEEP)}}`);
      for (const client_assertion of [deepClaim, deepHeader]) {
        for (const response of [await par({ client_assertion }), await post('token', {
          grant_type: 'refresh_token', refresh_token: 'x', client_id, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion,
        })]) {
          assert.equal(response.statusCode, 400, response.body);
          assert.deepEqual(response.json(), { error: 'invalid_request', error_description: 'a JWT or parameter in the request is nested too deeply' });
        }
      }
    });

    test('a NUL in a parameter is invalid_request in JSON on the back channel and on the bank’s page in the browser', async () => {
      const back = await par({ client_id: 'a\u0000b' });
      assert.equal(back.statusCode, 400, back.body);
      assert.equal(back.json().error, 'invalid_request');
      const browser = await fixture.bank.app.inject({ url: '/oidc/auth?client_id=a%00b&response_type=code', headers: { accept: 'text/html' } });
      assert.equal(browser.statusCode, 400, browser.body.slice(0, 300));
      assert.match(String(browser.headers['content-type']), /^text\/html/);
      assert.match(browser.body, /id="oauth-error">invalid_request</);
    });

    test('every endpoint, given each kind of malformed input, answers 4xx with an OAuth error, a problem or the bank’s page', async () => {
      const nasty: Array<[string, Record<string, string>]> = [
        ['NUL', { client_id: 'x\u0000' }],
        ['a deep assertion', { client_id, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion(key, claims(`,"x":${nested(DEEP)}`)) }],
        ['garbage assertion', { client_id, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'e30.e30.e30' }],
        ['overlong', { client_id: 'c'.repeat(5000) }],
        ['invalid UTF-8', { client_id: Buffer.from([0xff, 0xfe]).toString('latin1') }],
      ];
      for (const path of ['request', 'token', 'token/revocation', 'token/introspection', 'me', 'auth', 'jwks', '.well-known/openid-configuration', 'nowhere']) {
        for (const [name, fields] of nasty) {
          for (const method of ['GET', 'POST'] as const) {
            const body = new URLSearchParams(fields).toString();
            const response = await fixture.bank.app.inject({
              method, url: method === 'GET' ? `/oidc/${path}?${body}` : `/oidc/${path}`,
              ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body } : {}),
            });
            const where = `${method} /oidc/${path} with ${name}`;
            assert.ok(response.statusCode < 500, `${where}: ${response.statusCode} ${response.body.slice(0, 200)}`);
            assert.match(String(response.headers['content-type']), /^(application\/([a-z-]+\+)?json|text\/html)/, where);
          }
        }
      }
    });

    test('a path the authorization server does not serve is 404 route_not_found in problem+json', async () => {
      const response = await fixture.bank.app.inject({ url: '/oidc/nowhere' });
      assert.equal(response.statusCode, 404);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      assert.equal(response.json().code, 'route_not_found');
    });
  });
}

describe('an error that escapes oidc-provider’s routes', () => {
  let fixture: BankFixture;
  let dispatch: ReturnType<Provider['callback']>;
  before(async () => {
    fixture = await createBankFixture(testBackends[0]!);
    const provider = await createAuthorizationServer({
      db: fixture.db, operators: fixture.bank.services.operators, log: createLogger({ level: 'silent' }),
      issuer: `${fixture.url}/oidc`, resource: fixture.url,
    });
    // Registered after the bank's mapping, so it runs inside it and outside oidc-provider's per-route error handler,
    // where a session or interaction lookup meets a database outage.
    provider.use(async (ctx, next) => {
      if (ctx.path === '/outside-routes') throw new DatabaseUnavailableError('the database went away');
      await next();
    });
    dispatch = provider.callback();
  });
  after(() => fixture?.close());

  test('a database outage met outside the routes is a retryable 503 temporarily_unavailable with Retry-After, not Koa’s plain-text error', async () => {
    const response = await inject(dispatch, { url: '/outside-routes' });
    assert.equal(response.statusCode, 503, response.body);
    assert.equal(response.json().error, 'temporarily_unavailable');
    assert.match(String(response.headers['retry-after']), /^[1-9]\d*$/);
  });

  test('the other routes still answer after it', async () => {
    const response = await inject(dispatch, { url: '/nowhere' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'route_not_found');
  });
});

test('a bank error’s status can be assigned its own value, as Koa does to any error it handles', () => {
  const error = new DatabaseUnavailableError('away');
  assert.equal(error.status, 503);
  assert.doesNotThrow(() => { (error as { status: number }).status = 503; });
  assert.equal(new FurikaeError('route_not_found').status, 404);
});

test('only faults the request caused are its fault: a stack overflow and PostgreSQL’s unstorable-value codes, not other errors', () => {
  assert.ok(requestFault(new RangeError('Maximum call stack size exceeded')));
  assert.ok(requestFault(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' })));
  assert.equal(requestFault(new RangeError('Invalid array length')), undefined);
  assert.equal(requestFault(Object.assign(new Error('connection terminated'), { code: '57P01' })), undefined);
  assert.equal(requestFault(new TypeError('x is undefined')), undefined);
});
