import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { raceTest, testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, openSecondBankProcess, type BankFixture } from '../testing/bank-fixture.ts';
import { readPassbook } from '../bank/passbook.ts';
import { diffSnapshots } from '../testing/database-snapshot.ts';

for (const backend of testBackends) {
  describe(`POST /v1/charges on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let token: string;
    let key = 0;
    const nextKey = () => `key-${++key}`;

    before(async () => {
      fixture = await createBankFixture(backend);
      token = (await legacyLink(fixture)).body.link_token;
    });
    after(() => fixture?.close());

    test('a ¥5,000 charge moves money from the customer to the operator and the passbook names the operator', async () => {
      const before = await fixture.bank.services.core.balance(fixture.customer.account_id);
      const response = await charge(fixture, token, { amount_yen: 5000 }, nextKey());
      assert.equal(response.statusCode, 201);
      const body = response.json();
      assert.equal(body.amount_yen, 5000);
      assert.equal(body.status, 'succeeded');
      assert.equal(await fixture.bank.services.core.balance(fixture.customer.account_id), before - 5000);
      assert.equal(await fixture.bank.services.core.balance(fixture.operator.settlement_account_id), 5000);
      const lines = await readPassbook(fixture.db, fixture.bank.services.ledger, fixture.customer.account_id);
      const last = lines.at(-1)!;
      assert.deepEqual(
        { label: last.label, withdrawal_yen: last.withdrawal_yen, deposit_yen: last.deposit_yen, balance_yen: last.balance_yen },
        { label: 'ドコモ口座', withdrawal_yen: 5000, deposit_yen: null, balance_yen: before - 5000 },
      );
    });

    test('a second charge with the same key and body returns the first result and moves money once', async () => {
      const idempotencyKey = nextKey();
      const first = await charge(fixture, token, { amount_yen: 1200, description: 'top-up' }, idempotencyKey);
      const balance = await fixture.bank.services.core.balance(fixture.customer.account_id);
      const second = await charge(fixture, token, { amount_yen: 1200, description: 'top-up' }, idempotencyKey);
      assert.equal(first.statusCode, 201);
      assert.equal(second.statusCode, 201);
      assert.equal(second.headers['idempotent-replayed'], 'true');
      assert.equal(second.json().id, first.json().id);
      assert.equal(await fixture.bank.services.core.balance(fixture.customer.account_id), balance);
    });

    test('the same key sent many times at once, and so batched together, charges exactly once', async () => {
      const idempotencyKey = nextKey();
      const before = await fixture.snapshot();
      const responses = await Promise.all(Array.from({ length: 12 }, () => charge(fixture, token, { amount_yen: 700 }, idempotencyKey)));
      const ids = new Set(responses.map((r) => r.json().id));
      assert.deepEqual(responses.map((r) => r.statusCode), Array(12).fill(201));
      assert.equal(ids.size, 1);
      const added = Object.fromEntries(diffSnapshots(before, await fixture.snapshot()).map((change) => [change.table, change.added.length]));
      assert.equal(added.charges, 1, 'one charge');
      assert.equal(added.ledger_transfers, 1, 'one transfer');
      assert.equal(added.notification_outbox, 1, 'one notice');
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so two processes' batches cannot interleave there.
    raceTest(backend, 'the same key sent at once through two bank processes charges exactly once', async () => {
      const second = await openSecondBankProcess(fixture);
      try {
        const idempotencyKey = nextKey();
        const balance = await fixture.bank.services.core.balance(fixture.customer.account_id);
        const before = await fixture.snapshot();
        const banks = [fixture.bank, second.bank];
        const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => charge(fixture, token, { amount_yen: 900 }, idempotencyKey, banks[i % 2])));
        assert.deepEqual(responses.map((r) => r.statusCode), Array(12).fill(201));
        assert.equal(new Set(responses.map((r) => r.json().id)).size, 1);
        const added = Object.fromEntries(diffSnapshots(before, await fixture.snapshot()).map((change) => [change.table, change.added.length]));
        assert.equal(added.charges, 1, 'one charge');
        assert.equal(added.ledger_transfers, 1, 'one transfer');
        assert.equal(await fixture.bank.services.core.balance(fixture.customer.account_id), balance - 900);
      } finally {
        await second.close();
      }
    });

    test('a replayed Idempotency-Key with a different body is refused and changes nothing', async () => {
      const idempotencyKey = nextKey();
      await charge(fixture, token, { amount_yen: 300 }, idempotencyKey);
      const before = await fixture.snapshot();
      const response = await charge(fixture, token, { amount_yen: 301 }, idempotencyKey);
      assert.equal(response.statusCode, 409);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(response.json().code, 'idempotency_key_reused');
      await fixture.assertNothingWritten(before);
    });

    test('a charge without an Idempotency-Key is refused and changes nothing', async () => {
      const before = await fixture.snapshot();
      const response = await charge(fixture, token, { amount_yen: 100 });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'idempotency_key_required');
      await fixture.assertNothingWritten(before);
    });

    const badBodies: Array<[string, unknown]> = [
      ['a negative amount', { amount_yen: -5000 }],
      ['a zero amount', { amount_yen: 0 }],
      ['a fractional amount', { amount_yen: 4999.5 }],
      ['an overflowing amount', { amount_yen: 1e20 }],
      ['an amount beyond 2^53', { amount_yen: 9007199254740993 }],
      ['a string where a number belongs', { amount_yen: '5000' }],
      ['an unknown field', { amount_yen: 5000, payee: 'thief' }],
      ['no amount at all', {}],
      ['a description longer than 40 characters', { amount_yen: 100, description: 'x'.repeat(41) }],
    ];
    for (const [name, body] of badBodies) {
      test(`${name} is refused with validation_failed and changes nothing`, async () => {
        const before = await fixture.snapshot();
        const response = await charge(fixture, token, body, nextKey());
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().code, 'validation_failed');
        await fixture.assertNothingWritten(before);
      });
    }

    test('a body that is not JSON is refused with unsupported_media_type', async () => {
      const response = await fixture.bank.app.inject({
        method: 'POST', url: '/v1/charges', payload: 'amount_yen=5000',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': nextKey(), 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.statusCode, 415);
      assert.equal(response.json().code, 'unsupported_media_type');
    });

    test('an unknown link credential is refused with link_token_invalid and changes nothing', async () => {
      const before = await fixture.snapshot();
      const response = await charge(fixture, 'lk_thisIsNotARealLinkCredentialAtAll000000000', { amount_yen: 100 }, nextKey());
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().code, 'link_token_invalid');
      await fixture.assertNothingWritten(before);
    });

    test('a charge with no Authorization header is refused with link_token_invalid', async () => {
      const response = await fixture.bank.app.inject({ method: 'POST', url: '/v1/charges', headers: { 'idempotency-key': nextKey() }, payload: { amount_yen: 1 } });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().code, 'link_token_invalid');
    });
  });
}
