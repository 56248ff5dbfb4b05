import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { AggregatorRegistry } from 'prom-client';
import { createMetricsApp } from './metrics-app.ts';
import { createBankMetrics } from './bank-metrics.ts';

const backend = testBackends[0]!;
describe('GET /metrics on the metrics listener', () => {
  let fixture: BankFixture;
  before(async () => {
    fixture = await createBankFixture(backend);
  });
  after(() => fixture?.close());

  test('counts charges by outcome in Prometheus text format', async () => {
    const { body } = await legacyLink(fixture);
    await charge(fixture, body.link_token, { amount_yen: 1000 }, 'm-1');
    await charge(fixture, body.link_token, { amount_yen: 100_001 }, 'm-2');
    const response = await createMetricsApp({ metrics: fixture.bank.services.metrics, log: fixture.bank.services.log }).inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /text\/plain/);
    assert.match(response.body, /furikae_charges_total\{outcome="allow"\} 1/);
    assert.match(response.body, /furikae_charges_total\{outcome="charge_yen_max_exceeded"\} 1/);
    assert.match(response.body, /# TYPE furikae_outbox_lag_seconds gauge/);
  });

  test('the public port has no /metrics: charge outcomes and rule hits would tell an attacker what gets caught', async () => {
    const response = await fixture.bank.app.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 404);
    assert.doesNotMatch(response.body, /furikae_charges_total/);
  });

  test('the metrics listener answers nothing but /metrics', async () => {
    const metricsApp = createMetricsApp({ metrics: fixture.bank.services.metrics, log: fixture.bank.services.log });
    for (const url of ['/', '/v1/charges', '/staff', '/health']) assert.equal((await metricsApp.inject({ url })).statusCode, 404, url);
  });
});

test('summed over several workers (serve --workers), charges add up and the outbox lag is the oldest any worker saw, not the sum', async () => {
  const workers = [createBankMetrics(), createBankMetrics()];
  workers[0]!.charges.inc({ outcome: 'allow' }, 2);
  workers[1]!.charges.inc({ outcome: 'allow' }, 3);
  workers[0]!.outboxLag.set(40);
  workers[1]!.outboxLag.set(42);
  const summed = await AggregatorRegistry.aggregate(await Promise.all(workers.map((worker) => worker.registry.getMetricsAsJSON()))).metrics();
  assert.match(summed, /furikae_charges_total\{outcome="allow"\} 5/);
  assert.match(summed, /furikae_outbox_lag_seconds 42\n/);
});
