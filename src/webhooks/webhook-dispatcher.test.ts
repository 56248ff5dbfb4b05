import { describe, test, before, after } from 'node:test';
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { chargeLink, linkedElderlyCustomer, stepUpCode, STEP_UP_TEST_BANK } from '../stepup/waiting-charge-fixture.ts';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.ts';
import { createWebhookDispatcher, WEBHOOK_ATTEMPTS_MAX, WEBHOOK_LEASE_SECONDS, WEBHOOK_TIMEOUT_MS, webhookRetryDelaySeconds } from './webhook-dispatcher.ts';
import { enqueueWebhooks } from './webhook-event.ts';
import type { Database } from '../storage/database.ts';
import { createWebhookSender, type WebhookSender } from './webhook-sender.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookResolver } from './webhook-target.ts';
import type { Charge } from '../charges/charge.ts';

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
    const fakeSend: WebhookSender = async (url, post) => {
      sent.push({ url, body: post.body, signature: post.headers[WEBHOOK_SIGNATURE_HEADER] });
      if (answer === 'network_error') throw new TypeError('connect ECONNREFUSED');
      return { status: answer };
    };
    /** The names this suite's DNS knows; a test may point one elsewhere (a rebinding). */
    const dns = new Map<string, string>([['operator.example', '93.184.216.34']]);
    const resolve: WebhookResolver = async (hostname) => {
      const address = dns.get(hostname);
      if (!address) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    };

    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, webhook_targets: { policy: { allow_loopback: true }, resolve }, ...STEP_UP_TEST_BANK });
      // The fixture's bank sends for real; this suite sends through the fake instead, but for the test that uses a real endpoint.
      fixture.bank.services.webhookDispatcher = createWebhookDispatcher({ db: fixture.db, clock: fixture.clock, log: fixture.bank.services.log, send: fakeSend });
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

    test('a URL whose host is, or resolves to, a private, link-local or unique-local address is refused at registration and the old one stays', async () => {
      assert.equal((await register('https://operator.example/hooks')).statusCode, 200);
      dns.set('metadata.operator.example', '169.254.169.254');
      dns.set('intranet.operator.example', '10.0.0.7');
      dns.set('v6.operator.example', 'fd00::7');
      for (const url of ['https://metadata.operator.example/', 'https://intranet.operator.example/', 'https://v6.operator.example/', 'https://169.254.169.254/latest/meta-data/', 'https://[::ffff:a9fe:a9fe]/', 'https://10.1.2.3/', 'https://unknown.operator.example/']) {
        const refused = await register(url);
        assert.equal(refused.statusCode, 422, url);
        assert.equal(refused.json().code, 'webhook_url_invalid', url);
      }
      assert.match((await register('https://metadata.operator.example/')).json().detail, /169\.254\.169\.254 is in the linkLocal range/);
      const read = await fixture.bank.app.inject({ url: '/v1/webhook', headers: { authorization: fixture.operator.basic } });
      assert.equal(read.json().url, 'https://operator.example/hooks');
    });

    test('a host that resolves to a private address by send time is not contacted: the delivery retries with the refusal as its error', async () => {
      const arrived: string[] = [];
      const endpoint = createServer((request, response) => {
        arrived.push(String(request.headers.host));
        response.writeHead(200).end();
      });
      await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
      try {
        const port = (endpoint.address() as AddressInfo).port;
        dns.set('hooks.operator.example', '127.0.0.1');
        await fixture.db.query(`DELETE FROM webhook_deliveries`);
        assert.equal((await register(`http://hooks.operator.example:${port}/hooks`)).statusCode, 200);
        const dispatcher = createWebhookDispatcher({
          db: fixture.db, clock: fixture.clock, log: fixture.bank.services.log, send: createWebhookSender({ policy: { allow_loopback: true }, resolve }),
        });
        const first = await linkedElderlyCustomer(fixture);
        await fixture.bank.services.stepUp.decline(first.customer_id, (await chargeLink(fixture, first, 100_000)).json().id);
        assert.deepEqual(await dispatcher.dispatchDue(), { delivered: 1, retrying: 0, failed: 0 });
        assert.deepEqual(arrived, [`hooks.operator.example:${port}`]);

        // The operator's DNS now answers an address inside the bank's network (a rebinding after registration).
        dns.set('hooks.operator.example', '10.0.0.7');
        await fixture.db.query(`DELETE FROM webhook_deliveries`);
        const second = await linkedElderlyCustomer(fixture);
        await fixture.bank.services.stepUp.decline(second.customer_id, (await chargeLink(fixture, second, 100_000)).json().id);
        assert.deepEqual(await dispatcher.dispatchDue(), { delivered: 0, retrying: 1, failed: 0 });
        const [row] = await fixture.db.query<{ last_error: string; last_status: number | null }>(`SELECT last_error, last_status FROM webhook_deliveries`);
        assert.match(row!.last_error, /hooks\.operator\.example resolves to 10\.0\.0\.7 is in the private range/);
        assert.equal(row!.last_status, null);
        assert.equal(arrived.length, 1, 'the endpoint heard nothing more');
      } finally {
        await new Promise<void>((resolve) => endpoint.close(() => resolve()));
      }
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

    /** Declines `count` fresh challenged charges, so that their charge.declined deliveries are due now; returns the charge ids. */
    async function declinedCharges(count: number): Promise<string[]> {
      await fixture.db.query(`DELETE FROM webhook_deliveries`);
      await register('http://127.0.0.1:9/hooks');
      const charge_ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const customer = await linkedElderlyCustomer(fixture);
        const charge = (await chargeLink(fixture, customer, 100_000)).json();
        assert.deepEqual(await fixture.bank.services.stepUp.decline(customer.customer_id, charge.id), { ok: true, status: 'declined' });
        charge_ids.push(charge.id);
      }
      return charge_ids;
    }

    /** The fixture's database, counting the statements run on it. */
    function countingDb(): { db: Database; statements: string[] } {
      const statements: string[] = [];
      const db: Database = {
        backend: fixture.db.backend,
        query: <Row,>(sql: string, params?: readonly unknown[]) => {
          statements.push(sql);
          return fixture.db.query<Row>(sql, params);
        },
        exec: (script) => fixture.db.exec(script),
        transaction: (work) => fixture.db.transaction(work),
        close: () => fixture.db.close(),
      };
      return { db, statements };
    }

    const chargeIdOf = (body: string): string => JSON.parse(body).data.charge.id;

    test('a pass sends its claimed deliveries all at once, so it lasts about one timeout and ends well inside its lease', async () => {
      const charge_ids = await declinedCharges(3);
      let in_flight = 0;
      let most_in_flight = 0;
      const arrived: (() => void)[] = [];
      const timeouts: number[] = [];
      // Each POST is answered once all three are in flight. One left waiting alone ends at its own timeout, as the
      // real sender's does (webhook-sender.test.ts cuts a silent endpoint off), so POSTs sent one after another fail
      // the count below instead of hanging the suite.
      const barrierSend: WebhookSender = async (_url, { timeout_ms }) => {
        timeouts.push(timeout_ms);
        in_flight += 1;
        most_in_flight = Math.max(most_in_flight, in_flight);
        const signal = AbortSignal.timeout(timeout_ms);
        await new Promise<void>((resolve, reject) => {
          arrived.push(resolve);
          if (arrived.length === charge_ids.length) for (const release of arrived) release();
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
        in_flight -= 1;
        return { status: 200 };
      };
      const dispatcher = createWebhookDispatcher({ db: fixture.db, clock: fixture.clock, log: fixture.bank.services.log, send: barrierSend });
      assert.deepEqual(await dispatcher.dispatchDue(), { delivered: 3, retrying: 0, failed: 0 });
      assert.equal(most_in_flight, 3, 'the three POSTs were in flight together, so a pass waits one timeout, not three');
      assert.deepEqual(timeouts, Array(3).fill(WEBHOOK_TIMEOUT_MS), 'each POST is cut off at the timeout');
      assert.ok(WEBHOOK_TIMEOUT_MS * 2 <= WEBHOOK_LEASE_SECONDS * 1000, 'a pass of timed-out POSTs ends long before its lease');
      assert.ok((await deliveries()).every((row) => row.delivered_at !== null && row.attempts === 1));
    });

    test('one pass records delivered, retrying and given-up deliveries together: one statement to claim, one to record every answer', async () => {
      const [ok_id, retry_id, last_id] = await declinedCharges(3);
      await fixture.db.query(`UPDATE webhook_deliveries SET attempts = $1 WHERE charge_id = $2`, [WEBHOOK_ATTEMPTS_MAX - 1, last_id]);
      const answers = new Map([[ok_id, 204], [retry_id, 503], [last_id, 500]]);
      const answering: WebhookSender = async (_url, post) => ({ status: answers.get(chargeIdOf(post.body))! });
      const { db, statements } = countingDb();
      const dispatcher = createWebhookDispatcher({ db, clock: fixture.clock, log: fixture.bank.services.log, send: answering });
      assert.deepEqual(await dispatcher.dispatchDue(), { delivered: 1, retrying: 1, failed: 1 });
      assert.equal(statements.length, 2, statements.join('\n---\n'));
      const rows = await fixture.db.query<{ charge_id: string; attempts: number; delivered_at: Date | null; failed_at: Date | null; next_attempt_at: Date; last_status: number; last_error: string | null }>(
        `SELECT charge_id, attempts, delivered_at, failed_at, next_attempt_at, last_status, last_error FROM webhook_deliveries`);
      const byCharge = new Map(rows.map((row) => [row.charge_id, row]));
      const now = fixture.clock.now().getTime();
      const ok = byCharge.get(ok_id!)!;
      assert.deepEqual([ok.attempts, ok.delivered_at?.getTime(), ok.failed_at, ok.last_status, ok.last_error], [1, now, null, 204, null]);
      const retry = byCharge.get(retry_id!)!;
      assert.deepEqual([retry.attempts, retry.delivered_at, retry.failed_at, retry.last_status, retry.last_error], [1, null, null, 503, 'HTTP 503']);
      assert.equal(retry.next_attempt_at.getTime() - now, webhookRetryDelaySeconds(1) * 1000);
      const last = byCharge.get(last_id!)!;
      assert.deepEqual([last.attempts, last.delivered_at, last.failed_at?.getTime(), last.last_status, last.last_error], [WEBHOOK_ATTEMPTS_MAX, null, now, 500, 'HTTP 500']);
    });

    test('a delivery another dispatcher settled while this pass was sending keeps what that one recorded', async () => {
      await declinedCharges(1);
      // While this pass's POST is out, another process delivers the same row (as after a lost lease).
      const overtaken: WebhookSender = async () => {
        await fixture.db.query(`UPDATE webhook_deliveries SET attempts = 1, delivered_at = $1, last_status = 200`, [fixture.clock.now()]);
        return { status: 503 };
      };
      const dispatcher = createWebhookDispatcher({ db: fixture.db, clock: fixture.clock, log: fixture.bank.services.log, send: overtaken });
      await dispatcher.dispatchDue();
      const [row] = await deliveries();
      assert.ok(row?.delivered_at);
      assert.equal(row?.last_status, 200);
    });

    test('a batch of events writes one delivery per event of an operator with a webhook in one statement, and none for an operator without one', async () => {
      await fixture.db.query(`DELETE FROM webhook_deliveries`);
      await register('http://127.0.0.1:9/hooks');
      const at = fixture.clock.now();
      const charge = (id: string): Charge => ({ id, link_id: randomUUID(), amount_yen: 1_000, refunded_yen: 0, status: 'expired', description: null, created_at: at, approval_expires_at: at });
      const [first, second, stranger] = [randomUUID(), randomUUID(), randomUUID()];
      const { db, statements } = countingDb();
      await enqueueWebhooks(db, [
        { id: randomUUID(), operator_id: fixture.operator.id, type: 'charge.expired', charge: charge(first), at },
        { id: randomUUID(), operator_id: randomUUID(), type: 'charge.expired', charge: charge(stranger), at },
        { id: randomUUID(), operator_id: fixture.operator.id, type: 'charge.declined', charge: charge(second), at },
      ]);
      await enqueueWebhooks(db, []);
      assert.equal(statements.length, 1);
      const rows = await fixture.db.query<{ charge_id: string; event_type: string; operator_id: string; body: string }>(
        `SELECT charge_id, event_type, operator_id, body FROM webhook_deliveries ORDER BY event_type`);
      assert.deepEqual(rows.map((row) => [row.charge_id, row.event_type, row.operator_id]), [[second, 'charge.declined', fixture.operator.id], [first, 'charge.expired', fixture.operator.id]]);
      assert.equal(chargeIdOf(rows[0]!.body), second);
      assert.equal(JSON.parse(rows[0]!.body).type, 'charge.declined');
    });

    test('the back-off doubles from 30 seconds and stops growing at 4 hours', () => {
      assert.deepEqual([1, 2, 3, 4].map(webhookRetryDelaySeconds), [30, 60, 120, 240]);
      assert.equal(webhookRetryDelaySeconds(10), 4 * 60 * 60);
      assert.throws(() => webhookRetryDelaySeconds(0));
    });
  });
}
