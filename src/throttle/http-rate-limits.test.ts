import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { FORM_HEADERS } from '../testing/staff-session.ts';
import { CREDENTIAL_POST_ROUTES, HTTP_RATE_LIMITS } from './http-rate-limits.ts';

const backend = testBackends[0]!;

describe('coarse per-address request limits', () => {
  describe('with the shipped limits', () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());

    test(`${HTTP_RATE_LIMITS.credential_posts_per_window_max} password posts a minute from one address pass to the bank; the next gets 429 with Retry-After, and every credential form shares the count`, async () => {
      const ip = '10.9.0.1';
      const routes = [...CREDENTIAL_POST_ROUTES];
      for (let n = 0; n < HTTP_RATE_LIMITS.credential_posts_per_window_max; n++) {
        const url = routes[n % routes.length]!.replace(':id', fixture.bank.services.ids.next()).replace(':uid', 'some-interaction');
        const response = await fixture.bank.app.inject({ method: 'POST', url, headers: FORM_HEADERS, payload: 'login_id=x', remoteAddress: ip });
        assert.notEqual(response.statusCode, 429, `post ${n + 1} to ${url}`);
        assert.notEqual(response.statusCode, 404, `${url} is a route`);
      }
      const limited = await fixture.bank.app.inject({ method: 'POST', url: '/staff/login', headers: FORM_HEADERS, payload: 'login_id=x', remoteAddress: ip });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(limited.json().code, 'too_many_requests');
      assert.ok(Number(limited.headers['retry-after']) > 0);

      assert.equal((await fixture.bank.app.inject({ method: 'GET', url: '/bank/login', remoteAddress: ip })).statusCode, 200, 'pages are counted apart');
      assert.equal((await fixture.bank.app.inject({ method: 'GET', url: '/v1/charges', remoteAddress: ip, headers: { authorization: fixture.operator.basic } })).statusCode, 200,
        'so is the operator API');
      assert.notEqual((await fixture.bank.app.inject({ method: 'POST', url: '/staff/login', headers: FORM_HEADERS, payload: 'x=1', remoteAddress: '10.9.0.2' })).statusCode, 429,
        'another address is not limited');
    });

    test(`an operator's server sending every user's requests from one address gets ${HTTP_RATE_LIMITS.api_per_window_max.toLocaleString('en')} a minute: a burst of 2,000 passes`, async () => {
      const ip = '10.9.1.1';
      for (let n = 0; n < 2_000; n++) {
        const response = await fixture.bank.app.inject({ method: 'GET', url: '/v1/charges', remoteAddress: ip, headers: { authorization: fixture.operator.basic } });
        if (response.statusCode !== 200) assert.fail(`request ${n + 1}: ${response.statusCode}`);
      }
    });
  });

  test('each group counts on its own once its limit is small: the operator API and the pages', async () => {
    const fixture = await createBankFixture(backend, { rate_limits: { credential_posts_per_window_max: 2, api_per_window_max: 3, pages_per_window_max: 4 } });
    try {
      const ip = '10.9.2.1';
      const api = () => fixture.bank.app.inject({ method: 'GET', url: '/v1/charges', remoteAddress: ip, headers: { authorization: fixture.operator.basic } });
      const oidc = () => fixture.bank.app.inject({ method: 'GET', url: '/oidc/.well-known/openid-configuration', remoteAddress: ip });
      assert.deepEqual([(await api()).statusCode, (await oidc()).statusCode, (await api()).statusCode, (await oidc()).statusCode], [200, 200, 200, 429],
        '/v1 and /oidc share one count');
      const page = () => fixture.bank.app.inject({ method: 'GET', url: '/bank/login', remoteAddress: ip });
      const statuses = [];
      for (let n = 0; n < 5; n++) statuses.push((await page()).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
    } finally {
      await fixture.close();
    }
  });
});
