import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { formToken } from '../testing/staff-session.ts';

const PAGES = ['', '/login', '/sms', '/mfa', '/consent'];

for (const backend of testBackends) {
  describe(`the login and consent pages when the authorization server refuses, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());

    test('every interaction page opened without its cookie (another browser, an expired or made-up uid) shows the bank’s error page, never a 500', async () => {
      // A browser that holds a valid form token (from the bank's login page), so each form reaches the provider's check.
      const { csrf, cookies } = await formToken(fixture, '/bank/login');
      for (const page of PAGES) {
        for (const uid of ['abc', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '%E3%81%82']) {
          const method = page === '' ? 'GET' : 'POST';
          const response = await fixture.bank.app.inject({
            method, url: `/interaction/${uid}${page}`,
            ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies, payload: `csrf=${encodeURIComponent(csrf)}` } : {}),
          });
          const where = `${method} /interaction/${uid}${page}`;
          assert.equal(response.statusCode, 400, `${where}: ${response.body.slice(0, 200)}`);
          assert.match(String(response.headers['content-type']), /^text\/html/, where);
          assert.match(response.body, /id="oauth-error">invalid_request</, where);
          assert.match(response.body, /決済アプリに戻ってやり直してください/, where);
        }
      }
    });

    test('a malformed interaction form is refused with the error page too, not problem+json', async () => {
      const { csrf, cookies } = await formToken(fixture, '/bank/login');
      const response = await fixture.bank.app.inject({
        method: 'POST', url: '/interaction/abc/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies,
        payload: `csrf=${encodeURIComponent(csrf)}&unexpected=1`,
      });
      assert.equal(response.statusCode, 400);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(response.body, /id="oauth-error">invalid_request</);
    });

    test('an interaction form without a valid form token is refused with the bank’s form page (403), before anything else is read', async () => {
      for (const payload of ['', 'csrf=x', 'unexpected=1']) {
        const response = await fixture.bank.app.inject({
          method: 'POST', url: '/interaction/abc/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload,
        });
        assert.equal(response.statusCode, 403, payload);
        assert.match(String(response.headers['content-type']), /^text\/html/);
        assert.match(response.body, /このフォームは無効です/);
      }
    });

    test('the authorization endpoint’s own errors are the bank’s page as well', async () => {
      for (const url of ['/oidc/auth', '/oidc/auth?client_id=nobody&response_type=code', '/oidc/auth?client_id=x&request_uri=urn:ietf:params:oauth:request_uri:nope', '/oidc/auth/abc']) {
        const response = await fixture.bank.app.inject({ url });
        assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${url}: ${response.statusCode}`);
        assert.match(String(response.headers['content-type']), /^text\/html/, url);
        assert.match(response.body, /id="oauth-error">/, url);
      }
    });
  });
}
