import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';

const backend = testBackends[0]!;
describe('GET /metrics', () => {
  let fixture: BankFixture;
  before(async () => {
    fixture = await createBankFixture(backend);
  });
  after(() => fixture?.close());

  test('counts charges by outcome in Prometheus text format', async () => {
    const { body } = await legacyLink(fixture);
    await charge(fixture, body.link_token, { amount_yen: 1000 }, 'm-1');
    await charge(fixture, body.link_token, { amount_yen: 100_001 }, 'm-2');
    const response = await fixture.bank.app.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /text\/plain/);
    assert.match(response.body, /furikae_charges_total\{outcome="allow"\} 1/);
    assert.match(response.body, /furikae_charges_total\{outcome="charge_yen_max_exceeded"\} 1/);
    assert.match(response.body, /# TYPE furikae_outbox_lag_seconds gauge/);
  });
});
