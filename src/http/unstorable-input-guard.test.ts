import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { basicAuth, charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { FORM_HEADERS, customerSession } from '../testing/staff-session.ts';
import { openTestWallet, type TestWallet } from '../wallet/open-test-wallet.ts';

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

for (const backend of testBackends) {
  describe(`text PostgreSQL cannot store, wherever it enters the bank, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let token: string;
    let key = 0;
    before(async () => {
      fixture = await createBankFixture(backend);
      token = (await legacyLink(fixture)).body.link_token;
    });
    after(() => fixture?.close());

    async function refusedUnchanged(send: () => Promise<LightMyRequestResponse>, where: RegExp) {
      const before = await fixture.snapshot();
      const response = await send();
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(response.json().code, 'validation_failed');
      assert.match(response.json().detail, where);
      assert.deepEqual(await fixture.snapshot(), before);
    }

    const descriptions: Array<[string, string, RegExp]> = [
      ['NUL', 'top-up\u0000', /NUL/],
      ['an unpaired high surrogate', 'top-up\ud800', /surrogate/],
      ['an unpaired low surrogate', '\udc00top-up', /surrogate/],
    ];
    for (const [name, description, reason] of descriptions) {
      test(`a charge description with ${name} is refused with validation_failed and changes nothing`, () =>
        refusedUnchanged(() => charge(fixture, token, { amount_yen: 100, description }, `nul-${++key}`), new RegExp(`body/description .*${reason.source}`)));
    }

    test('NUL in an unknown field, or in a key, is refused before the schema is even asked', async () => {
      await refusedUnchanged(() => charge(fixture, token, { amount_yen: 100, ['x\u0000']: 1 }, `nul-${++key}`), /body\/x\\u0000 has a key/);
      await refusedUnchanged(() => charge(fixture, token, { amount_yen: 100, extra: { deep: ['ok', 'bad\u0000'] } }, `nul-${++key}`), /body\/extra\/deep\/1/);
    });

    test('NUL in the Idempotency-Key or X-Device-Id header is refused', async () => {
      await refusedUnchanged(() => charge(fixture, token, { amount_yen: 100 }, 'key\u0000'), /headers\/idempotency-key/);
      await refusedUnchanged(() => fixture.bank.app.inject({
        method: 'POST', url: '/v1/charges', payload: { amount_yen: 100 },
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': `nul-${++key}`, 'x-device-id': 'device\u0000' },
      }), /headers\/x-device-id/);
    });

    test('NUL in Basic credentials is refused with validation_failed, not looked up', async () => {
      for (const credentials of [['op\u0000', 'secret'], [fixture.operator.client_id, 'se\u0000cret']] as const) {
        await refusedUnchanged(() => fixture.bank.app.inject({ method: 'GET', url: '/v1/charges', headers: { authorization: basicAuth(credentials[0], credentials[1]) } }), /Basic credentials/);
      }
    });

    test('NUL in a query string or a path parameter is refused', async () => {
      await refusedUnchanged(() => fixture.bank.app.inject({ method: 'GET', url: '/v1/charges?before=%00', headers: { authorization: fixture.operator.basic } }), /querystring\/before/);
      await refusedUnchanged(() => fixture.bank.app.inject({ method: 'GET', url: '/v1/links/%00', headers: { authorization: fixture.operator.basic } }), /params\/id/);
    });

    test('an id as urn:uuid is refused at the schema on the path, the query and the body, never reaching PostgreSQL', async () => {
      const urn = 'urn:uuid:0190e0e0-0000-7000-8000-000000000000';
      const basic = { authorization: fixture.operator.basic };
      await refusedUnchanged(() => fixture.bank.app.inject({ method: 'GET', url: `/v1/charges/${urn}`, headers: basic }), /params\/id/);
      await refusedUnchanged(() => fixture.bank.app.inject({ method: 'GET', url: `/v1/links/${urn}`, headers: basic }), /params\/id/);
      await refusedUnchanged(() => fixture.bank.app.inject({ method: 'POST', url: `/v1/links/${urn}/revoke`, headers: basic }), /params\/id/);
      await refusedUnchanged(() => fixture.bank.app.inject({ method: 'POST', url: `/v1/charges/${urn}/refunds`, headers: { ...basic, 'idempotency-key': 'r' }, payload: { amount_yen: 1 } }), /params\/id/);
      await refusedUnchanged(() => fixture.bank.app.inject({ method: 'GET', url: `/v1/charges?link_id=${urn}`, headers: basic }), /querystring\/link_id/);
      await refusedUnchanged(() => fixture.bank.app.inject({ method: 'GET', url: `/v1/charges?before=${urn}`, headers: basic }), /querystring\/before/);
      await refusedUnchanged(() => charge(fixture, token, { amount_yen: 100, link_id: urn }, `urn-${++key}`), /body\/link_id/);
    });

    test('a birth date in year 0000 or with five digits is refused on the legacy link, not sent to PostgreSQL', async () => {
      for (const birth_date of ['0000-03-15', '19480-03-15']) {
        const before = await fixture.snapshot();
        const { response } = await legacyLink(fixture, { birth_date });
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().code, 'validation_failed');
        assert.deepEqual(await fixture.snapshot(), before);
      }
    });

    test('NUL in a session cookie is refused, on the page as a readable page with the code', async () => {
      const response = await fixture.bank.app.inject({ method: 'GET', url: '/bank/passbook', headers: { ...BROWSER, cookie: 'furikae_customer=%00abc' } });
      assert.equal(response.statusCode, 400);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(response.body, /data-code="validation_failed"/);
      assert.match(response.body, /cookies\/furikae_customer/);
    });

    test("NUL in a bank form field is refused as a page for the customer's browser, and nothing is looked up", async () => {
      const customer = await customerSession(fixture, fixture.customer.id);
      const before = await fixture.snapshot();
      for (const [url, payload] of [
        ['/bank/login', 'login_id=hanako%00&password=x'],
        ['/staff/login', 'login_id=a%00&password=x'],
        [`/bank/links/0190e0e0-0000-7000-8000-000000000000/revoke`, `csrf=${customer.csrf}%00`],
      ] as const) {
        const response = await fixture.bank.app.inject({
          method: 'POST', url, payload, headers: { ...FORM_HEADERS, ...BROWSER, cookie: `furikae_customer=${customer.cookies.furikae_customer}` },
        });
        assert.equal(response.statusCode, 400, `${url}: ${response.body.slice(0, 200)}`);
        assert.match(response.body, /data-code="validation_failed"/, url);
      }
      assert.deepEqual(await fixture.snapshot(), before);
    });
  });

  describe(`text PostgreSQL cannot store, in a wallet form, on ${backend.name}`, { skip: backend.skip }, () => {
    let wallet: TestWallet;
    before(async () => {
      wallet = await openTestWallet(backend);
    });
    after(() => wallet?.closeAll());

    test("the wallet's sign-up form shows its own error for a NUL in a field, and signs nobody up", async () => {
      const browser = wallet.browser();
      const { response } = await browser.submit('/signup', '/signup', { name: '山田\u0000花子', email: 'nul@example.jp', password: 'correct horse battery' });
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /<form/);
      assert.match(response.body, /data-code="validation_failed"/);
      assert.equal(await wallet.count('wallet_users'), 0);
    });
  });
}
