import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { chargeLink, linkedElderlyCustomer, stepUpCode } from '../stepup/waiting-charge-fixture.ts';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.ts';
import { WEBHOOK_ATTEMPTS_MAX, webhookRetryDelaySeconds } from './webhook-dispatcher.ts';

interface Sent {
  url: string;
  body: string;
  signature: string | undefined;
}

for (const backend of testBackends) {
  describe(`operator webhooks on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    const sent: Sent[] = [];
    /** What the operator's endpoint answers next: a status, or a thrown network error. */
    let answer: number | 'network_error' = 200;
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      sent.push({ url: String(url), body: String(init?.body), signature: (init?.headers as Record<string, string>)[WEBHOOK_SIGNATURE_HEADER] });
      if (answer === 'network_error') throw new TypeError('fetch failed: connection refused');
      return new Response(null, { status: answer });
    }) as typeof globalThis.fetch;

    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false });
      // The fixture's bank uses the global fetch; this suite sends through the fake instead.
      fixture.bank.services.webhookDispatcher = (await import('./webhook-dispatcher.ts')).createWebhookDispatcher({
        db: fixture.db, clock: fixture.clock, log: fixture.bank.services.log, fetch: fakeFetch,
      });
    });
    after(() => fixture?.close());

    const register = (url: string) => fixture.bank.app.inject({ method: 'PUT', url: '/v1/webhook', headers: { authorization: fixture.operator.basic }, payload: { url } });
    const deliveries = () => fixture.db.query<{ event_type: string; attempts: number; delivered_at: Date | null; failed_at: Date | null; next_attempt_at: Date; last_status: number | null }>(
      `SELECT event_type, attempts, delivered_at, failed_at, next_attempt_at, last_status FROM webhook_deliveries ORDER BY created_at, id`);

    test('without a registered webhook an outcome writes no delivery', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const charge = (await chargeLink(fixture, customer, 100_000)).json();
      await fixture.bank.services.stepUp.decline(customer.customer_id, charge.id);
      assert.deepEqual(await deliveries(), []);
    });

    test('registering answers a secret once; reading shows the URL only; a plain-http URL off loopback and a URL with credentials are refused', async () => {
      const bad = await register('http://operator.example/hooks');
      assert.equal(bad.statusCode, 422);
      assert.equal(bad.json().code, 'webhook_url_invalid');
      assert.equal((await register('https://user:pass@operator.example/hooks')).json().code, 'webhook_url_invalid');
      assert.equal((await register('not a url at all')).json().code, 'webhook_url_invalid');
      const unauthenticated = await fixture.bank.app.inject({ method: 'PUT', url: '/v1/webhook', payload: { url: 'https://operator.example/hooks' } });
      assert.equal(unauthenticated.statusCode, 401);
      const ok = await register('https://operator.example/hooks');
      assert.equal(ok.statusCode, 200);
      assert.match(ok.json().secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      const read = await fixture.bank.app.inject({ url: '/v1/webhook', headers: { authorization: fixture.operator.basic } });
      assert.equal(read.json().url, 'https://operator.example/hooks');
      assert.equal(read.json().secret, undefined);
    });

    test('an approved charge is delivered as charge.succeeded, signed so that the secret verifies it and a tampered copy fails', async () => {
      const { secret } = (await register('http://127.0.0.1:9/hooks')).json();
      const customer = await linkedElderlyCustomer(fixture);
      const charge = (await chargeLink(fixture, customer, 100_000)).json();
      const code = await stepUpCode(fixture, customer, charge);
      await fixture.bank.services.stepUp.approve(customer.customer_id, charge.id, { amount_yen: 100_000, payee_operator_id: fixture.operator.id, factor: 'sms', code });
      sent.length = 0;
      answer = 200;
      assert.deepEqual(await fixture.bank.services.webhookDispatcher.dispatchDue(), { delivered: 1, retrying: 0, failed: 0 });
      const [delivery] = sent;
      assert.equal(delivery?.url, 'http://127.0.0.1:9/hooks');
      const event = JSON.parse(delivery!.body);
      assert.equal(event.type, 'charge.succeeded');
      assert.deepEqual([event.data.charge.id, event.data.charge.status, event.data.charge.amount_yen], [charge.id, 'succeeded', 100_000]);
      assert.equal(verifyWebhookSignature(secret, delivery!.signature, delivery!.body, fixture.clock.now()), 'ok');
      assert.equal(verifyWebhookSignature(secret, delivery!.signature, delivery!.body.replace('100000', '1'), fixture.clock.now()), 'mismatch');
      assert.equal(verifyWebhookSignature('whsec_wrong', delivery!.signature, delivery!.body, fixture.clock.now()), 'mismatch');
      assert.deepEqual(await fixture.bank.services.webhookDispatcher.dispatchDue(), { delivered: 0, retrying: 0, failed: 0 }, 'delivered once');
    });

    test('a failing endpoint is retried after 30 s, then 60 s, …, and given up after the last attempt', async () => {
      await fixture.db.query(`DELETE FROM webhook_deliveries`);
      const customer = await linkedElderlyCustomer(fixture);
      const charge = (await chargeLink(fixture, customer, 100_000)).json();
      await fixture.bank.services.stepUp.decline(customer.customer_id, charge.id);
      const { webhookDispatcher } = fixture.bank.services;
      answer = 503;
      assert.deepEqual(await webhookDispatcher.dispatchDue(), { delivered: 0, retrying: 1, failed: 0 });
      let [row] = await deliveries();
      assert.equal(row?.event_type, 'charge.declined');
      assert.equal(row?.last_status, 503);
      assert.equal(row!.next_attempt_at.getTime() - fixture.clock.now().getTime(), 30_000);
      fixture.clock.advance(29_999);
      assert.deepEqual(await webhookDispatcher.dispatchDue(), { delivered: 0, retrying: 0, failed: 0 }, 'not before its time');
      fixture.clock.advance(1);
      answer = 'network_error';
      assert.deepEqual(await webhookDispatcher.dispatchDue(), { delivered: 0, retrying: 1, failed: 0 });
      [row] = await deliveries();
      assert.equal(row!.next_attempt_at.getTime() - fixture.clock.now().getTime(), 60_000);
      for (let attempt = 3; attempt <= WEBHOOK_ATTEMPTS_MAX; attempt++) {
        fixture.clock.advance(webhookRetryDelaySeconds(attempt - 1) * 1000);
        const report = await webhookDispatcher.dispatchDue();
        assert.deepEqual(report, attempt === WEBHOOK_ATTEMPTS_MAX ? { delivered: 0, retrying: 0, failed: 1 } : { delivered: 0, retrying: 1, failed: 0 }, `attempt ${attempt}`);
      }
      [row] = await deliveries();
      assert.equal(row?.attempts, WEBHOOK_ATTEMPTS_MAX);
      assert.ok(row?.failed_at);
      fixture.clock.advance(24 * 60 * 60 * 1000);
      assert.deepEqual(await webhookDispatcher.dispatchDue(), { delivered: 0, retrying: 0, failed: 0 });
    });

    test('a delivery that succeeds after failures is marked delivered', async () => {
      await fixture.db.query(`DELETE FROM webhook_deliveries`);
      const customer = await linkedElderlyCustomer(fixture);
      assert.equal((await chargeLink(fixture, customer, 100_000)).statusCode, 202);
      fixture.clock.advance(10 * 60 * 1000);
      await fixture.bank.services.stepUp.expireDue();
      answer = 500;
      assert.deepEqual(await fixture.bank.services.webhookDispatcher.dispatchDue(), { delivered: 0, retrying: 1, failed: 0 });
      fixture.clock.advance(30_000);
      answer = 204;
      assert.deepEqual(await fixture.bank.services.webhookDispatcher.dispatchDue(), { delivered: 1, retrying: 0, failed: 0 });
      const rows = await deliveries();
      assert.ok(rows.some((row) => row.event_type === 'charge.expired' && row.delivered_at !== null && row.attempts === 2));
    });

    test('the back-off doubles from 30 seconds and stops growing at 4 hours', () => {
      assert.deepEqual([1, 2, 3, 4].map(webhookRetryDelaySeconds), [30, 60, 120, 240]);
      assert.equal(webhookRetryDelaySeconds(10), 4 * 60 * 60);
      assert.throws(() => webhookRetryDelaySeconds(0));
    });
  });
}
