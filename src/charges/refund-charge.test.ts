import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { basicAuth, charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';

for (const backend of testBackends) {
  describe(`refunds, listing and isolation on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let token: string;
    let chargeId: string;
    let key = 0;
    const nextKey = () => `refund-${++key}`;
    const refund = (id: string, amount_yen: unknown, idempotency_key = nextKey(), authorization = fixture.operator.basic) =>
      fixture.bank.app.inject({
        method: 'POST', url: `/v1/charges/${id}/refunds`,
        headers: { authorization, 'idempotency-key': idempotency_key }, payload: { amount_yen },
      });

    before(async () => {
      fixture = await createBankFixture(backend);
      token = (await legacyLink(fixture)).body.link_token;
      chargeId = (await charge(fixture, token, { amount_yen: 10_000 }, nextKey())).json().id;
    });
    after(() => fixture?.close());

    test('a partial refund returns money to the customer and the remainder can be refunded exactly once', async () => {
      const balance = await fixture.bank.services.core.balance(fixture.customer.account_id);
      const first = await refund(chargeId, 4000);
      assert.equal(first.statusCode, 201);
      assert.equal(await fixture.bank.services.core.balance(fixture.customer.account_id), balance + 4000);
      assert.equal((await refund(chargeId, 6000)).statusCode, 201);
      const before = await fixture.snapshot();
      const over = await refund(chargeId, 1);
      assert.equal(over.statusCode, 422);
      assert.equal(over.json().code, 'refund_exceeds_charge');
      await fixture.assertNothingWritten(before);
      const read = await fixture.bank.app.inject({ url: `/v1/charges/${chargeId}`, headers: { authorization: fixture.operator.basic } });
      assert.equal(read.json().refunded_yen, 10_000);
    });

    test('a refund retried with the same key returns the first refund and moves money once', async () => {
      const id = (await charge(fixture, token, { amount_yen: 2000 }, nextKey())).json().id;
      const idempotencyKey = nextKey();
      const first = await refund(id, 500, idempotencyKey);
      const balance = await fixture.bank.services.core.balance(fixture.customer.account_id);
      const again = await refund(id, 500, idempotencyKey);
      assert.equal(again.json().id, first.json().id);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(await fixture.bank.services.core.balance(fixture.customer.account_id), balance);
      assert.equal((await refund(id, 501, idempotencyKey)).json().code, 'idempotency_key_reused');
    });

    test('another operator can neither see, refund nor revoke this operator’s charges and links, and both are untouched after', async () => {
      const link = await legacyLink(fixture);
      const target = (await charge(fixture, link.body.link_token, { amount_yen: 3000 }, nextKey())).json().id as string;
      const { operator, client_secret } = await fixture.bank.services.operators.register({ display_name: 'Other Pay', passbook_label: 'アザーペイ' });
      const other = basicAuth(operator.client_id, client_secret);
      const before = await fixture.snapshot();
      const read = await fixture.bank.app.inject({ url: `/v1/charges/${target}`, headers: { authorization: other } });
      assert.equal(read.statusCode, 404);
      assert.equal(read.json().code, 'charge_not_found');
      const refused = await refund(target, 1, nextKey(), other);
      assert.equal(refused.statusCode, 404);
      assert.equal(refused.json().code, 'charge_not_found');
      const list = await fixture.bank.app.inject({ url: '/v1/charges', headers: { authorization: other } });
      assert.deepEqual(list.json().data, []);
      const readLink = await fixture.bank.app.inject({ url: `/v1/links/${link.body.link.id}`, headers: { authorization: other } });
      assert.equal(readLink.statusCode, 404);
      const revoke = await fixture.bank.app.inject({ method: 'POST', url: `/v1/links/${link.body.link.id}/revoke`, headers: { authorization: other } });
      assert.equal(revoke.statusCode, 404);
      assert.equal(revoke.json().code, 'link_not_found');
      await fixture.assertNothingWritten(before);
      // Read back as the owner: the charge was not refunded and the link still charges.
      const owned = await fixture.bank.app.inject({ url: `/v1/charges/${target}`, headers: { authorization: fixture.operator.basic } });
      assert.equal(owned.json().refunded_yen, 0);
      const ownedLink = await fixture.bank.app.inject({ url: `/v1/links/${link.body.link.id}`, headers: { authorization: fixture.operator.basic } });
      assert.equal(ownedLink.json().status, 'active');
      assert.equal((await charge(fixture, link.body.link_token, { amount_yen: 100 }, nextKey())).statusCode, 201);
    });

    test('charges list newest first, filter by link, and page with before', async () => {
      const link = await legacyLink(fixture);
      const ids = [];
      for (let i = 1; i <= 3; i++) ids.push((await charge(fixture, link.body.link_token, { amount_yen: i * 100 }, nextKey())).json().id);
      const page = await fixture.bank.app.inject({ url: `/v1/charges?link_id=${link.body.link.id}&limit=2`, headers: { authorization: fixture.operator.basic } });
      assert.deepEqual(page.json().data.map((c: { id: string }) => c.id), [ids[2], ids[1]]);
      const next = await fixture.bank.app.inject({ url: `/v1/charges?link_id=${link.body.link.id}&limit=2&before=${ids[1]}`, headers: { authorization: fixture.operator.basic } });
      assert.deepEqual(next.json().data.map((c: { id: string }) => c.id), [ids[0]]);
    });

    test('a page size above the maximum is refused with validation_failed', async () => {
      const response = await fixture.bank.app.inject({ url: '/v1/charges?limit=101', headers: { authorization: fixture.operator.basic } });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'validation_failed');
    });

    test('revoking a link twice is harmless and reports it revoked', async () => {
      const linkId = (await legacyLink(fixture)).body.link.id;
      for (let i = 0; i < 2; i++) {
        const response = await fixture.bank.app.inject({ method: 'POST', url: `/v1/links/${linkId}/revoke`, headers: { authorization: fixture.operator.basic } });
        assert.equal(response.statusCode, 200);
        assert.equal(response.json().status, 'revoked');
      }
      const read = await fixture.bank.app.inject({ url: `/v1/links/${linkId}`, headers: { authorization: fixture.operator.basic } });
      assert.equal(read.json().status, 'revoked');
    });

    test('the OpenAPI 3.1 document lists every operator endpoint', async () => {
      const doc = (await fixture.bank.app.inject({ url: '/openapi.json' })).json();
      assert.equal(doc.openapi, '3.1.0');
      for (const path of ['/v1/links/legacy', '/v1/links/{id}', '/v1/links/{id}/revoke', '/v1/charges', '/v1/charges/{id}', '/v1/charges/{id}/refunds']) {
        assert.ok(doc.paths[path], `${path} is documented`);
      }
      assert.equal((await fixture.bank.app.inject({ url: '/docs' })).statusCode < 400, true);
    });
  });
}
