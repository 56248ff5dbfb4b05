import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, openSecondBankProcess, type BankFixture } from '../testing/bank-fixture.ts';
import { STEP_UP_TIMEOUT_SECONDS } from './pending-charge-timeouts.ts';
import { balances, chargeLink, linkedElderlyCustomer, STEP_UP_TEST_BANK } from './waiting-charge-fixture.ts';

/** Challenged charges the race expires: enough that two processes' passes overlap on them. */
const RACED_CHARGES = 6;
/** Passes each process runs at once: more than one per process, as a slow pass and the next timer tick overlap. */
const PASSES_PER_PROCESS = 3;

// PostgreSQL only: two bank processes on one database exist only on a server (PGlite is one in-process connection,
// and runs one transaction at a time, so the passes could not overlap there).
const postgres = testBackends.find((backend) => backend.name === 'postgres')!;
describe('the waiting-charge jobs of two bank processes on one PostgreSQL database', { skip: postgres.skip }, () => {
  let fixture: BankFixture;
  let endpoint: Server;
  /** Every webhook body the operator's endpoint received, in order. */
  const received: { id: string; type: string; data: { charge?: { id: string } } }[] = [];
  before(async () => {
    fixture = await createBankFixture(postgres, { waiting_charge_jobs: false, ...STEP_UP_TEST_BANK });
    endpoint = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    await fixture.bank.services.webhooks.register(fixture.operator.id, `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks`);
  });
  after(async () => {
    endpoint?.close();
    await fixture?.close();
  });

  test('each challenged charge past its timeout is expired once, its reservation released once, one webhook written and delivered once, one alert raised', async () => {
    const second = await openSecondBankProcess(fixture);
    try {
      const waiting = [];
      for (let index = 0; index < RACED_CHARGES; index++) {
        const customer = await linkedElderlyCustomer(fixture);
        const response = await chargeLink(fixture, customer, 100_000);
        assert.equal(response.json().status, 'pending_approval', response.body);
        waiting.push({ customer, charge_id: response.json().id as string });
      }
      for (const { customer } of waiting) assert.equal((await balances(fixture, customer.account_id)).debits_pending_yen, 100_000, 'reserved');
      fixture.clock.advance(STEP_UP_TIMEOUT_SECONDS * 1000);

      const processes = [fixture.bank.services, second.bank.services];
      const expired = await Promise.all(processes.flatMap((services) => Array.from({ length: PASSES_PER_PROCESS }, () => services.stepUp.expireDue())));
      assert.equal(expired.reduce((sum, count) => sum + count, 0), RACED_CHARGES, `each charge counted by exactly one pass (${expired.join(', ')})`);

      const charge_ids = waiting.map(({ charge_id }) => charge_id);
      const statuses = await fixture.db.query<{ status: string }>(`SELECT status FROM charges WHERE id = ANY($1::uuid[])`, [charge_ids]);
      assert.deepEqual(statuses.map((row) => row.status), Array(RACED_CHARGES).fill('expired'));
      for (const { customer } of waiting) {
        assert.deepEqual(await balances(fixture, customer.account_id), { posted_yen: 500_000, debits_pending_yen: 0, credits_pending_yen: 0 }, 'released once, nothing moved');
      }
      const alerts = await fixture.db.query<{ charge_id: string }>(
        `SELECT charge_id FROM alerts WHERE kind = 'risk_challenge_expired' AND charge_id = ANY($1::uuid[])`, [charge_ids]);
      assert.deepEqual(alerts.map((row) => row.charge_id).sort(), [...charge_ids].sort(), 'one alert per charge');
      const written = await fixture.db.query<{ id: string; charge_id: string }>(
        `SELECT id, charge_id FROM webhook_deliveries WHERE event_type = 'charge.expired' AND charge_id = ANY($1::uuid[])`, [charge_ids]);
      assert.deepEqual(written.map((row) => row.charge_id).sort(), [...charge_ids].sort(), 'one charge.expired webhook per charge');

      const all = await fixture.db.query<{ id: string }>(`SELECT id FROM webhook_deliveries WHERE delivered_at IS NULL`);
      assert.ok(all.length >= RACED_CHARGES);
      for (let round = 0; round < 5 && received.length < all.length; round++) {
        await Promise.all(processes.flatMap((services) => Array.from({ length: PASSES_PER_PROCESS }, () => services.webhookDispatcher.dispatchDue())));
      }
      const ids = received.map((event) => event.id);
      assert.equal(new Set(ids).size, ids.length, 'no delivery reached the operator twice');
      assert.deepEqual([...ids].sort(), all.map((row) => row.id).sort(), 'every delivery reached the operator');
      const expiredEvents = received.filter((event) => event.type === 'charge.expired').map((event) => event.data.charge!.id);
      assert.deepEqual(expiredEvents.sort(), [...charge_ids].sort());
      const undelivered = await fixture.db.query(`SELECT id FROM webhook_deliveries WHERE delivered_at IS NULL`);
      assert.equal(undelivered.length, 0, 'every delivery recorded as delivered');

      assert.deepEqual(await Promise.all(processes.map((services) => services.stepUp.expireDue())), [0, 0], 'nothing left to expire');
    } finally {
      await second.close();
    }
  });
});
