import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import type { DatabaseSnapshot } from '../testing/database-snapshot.ts';
import { basicAuth, createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { createChargePipeline, type ChargeResult } from './charge-pipeline.ts';
import { chargeSteps } from './charge-steps.ts';
import type { ChargeRequest, ChargeStep } from './charge.ts';

/** How many ledger transfers a snapshot holds. */
const transfers = (snapshot: DatabaseSnapshot) => Object.keys(snapshot.tables.ledger_transfers ?? {}).length;

for (const backend of testBackends) {
  describe(`one bad charge in a shared batch on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    /** Three operators, each with a legacy link to the fixture customer. */
    const operators: Array<{ id: string; settlement_account_id: string; link_id: string; link_token: string }> = [];

    before(async () => {
      fixture = await createBankFixture(backend);
      const { services } = fixture.bank;
      for (const name of ['A', 'B', 'C']) {
        const { operator, client_secret } = await services.operators.register({
          display_name: `Operator ${name}`, passbook_label: `OP${name}`, link_methods_allowed: ['legacy_pin'],
        });
        const { customer } = fixture;
        const response = await fixture.bank.app.inject({
          method: 'POST', url: '/v1/links/legacy', headers: { authorization: basicAuth(operator.client_id, client_secret) },
          payload: { branch_code: customer.branch_code, account_number: customer.account_number, pin: customer.pin, name_kana: customer.name_kana, birth_date: customer.birth_date },
        });
        assert.equal(response.statusCode, 201, response.body);
        const { link, link_token } = response.json();
        operators.push({ id: operator.id, settlement_account_id: operator.settlement_account_id, link_id: link.id, link_token });
      }
    });
    after(() => fixture?.close());

    function request(operator: number, idempotency_key: string, amount_yen: number, description: string | null = null): ChargeRequest {
      return {
        credential: { kind: 'link_token', token: operators[operator]!.link_token }, link_id: null, idempotency_key, amount_yen,
        description, source_ip: '192.0.2.10', device_id: null,
      };
    }

    test("a charge PostgreSQL cannot store fails alone; the other operators' charges in its batch commit exactly once", async () => {
      const { services } = fixture.bank;
      // Every attempt the batcher makes, as the number of charges it carried: they shared one batch first.
      const attempts: number[] = [];
      const probe: ChargeStep = { name: 'probe', run: async (_context, items) => void attempts.push(items.length) };
      const pipeline = createChargePipeline({
        db: fixture.db, ledger: services.ledger, clock: fixture.clock, ids: services.ids, steps: [probe, ...chargeSteps],
        risk: { pipeline: services.risk, mode: 'enforce', raiseAlerts: (tx, alerts) => services.cases.raiseAlert(tx, alerts) },
      });
      const before = await fixture.snapshot();
      const customerBefore = await services.core.balance(fixture.customer.account_id);
      // The bad one bypasses the HTTP schema, which now refuses NUL, to reach the database as it did in the review:
      // PostgreSQL refuses U+0000 in text, which aborts the whole transaction it is in.
      const requests = [
        request(0, 'a-1', 1000), request(1, 'b-1', 2000), request(2, 'c-1', 3000), request(0, 'a-2', 1100),
        request(1, 'b-bad', 500, 'top-up\u0000'), request(2, 'c-2', 3100), request(1, 'b-2', 2100), request(0, 'a-3', 1200),
      ];
      const outcomes = await Promise.allSettled(requests.map((item) => pipeline.charge(item)));
      await pipeline.close();

      // All eight, then halves: the first half commits, the second splits until the bad charge is alone.
      assert.deepEqual(attempts, [8, 4, 4, 2, 1, 1, 2]);
      const bad = outcomes[4]!;
      assert.equal(bad.status, 'rejected');
      assert.match(String((bad as PromiseRejectedResult).reason), /0x00|invalid byte sequence/);
      const good = outcomes.filter((_, index) => index !== 4);
      for (const outcome of good) {
        assert.equal(outcome.status, 'fulfilled');
        assert.equal((outcome as PromiseFulfilledResult<ChargeResult>).value.kind, 'charged');
      }
      // Exactly once each: one charge row per good key, none for the bad one, and the money moved once.
      const rows = await fixture.db.query<{ idempotency_key: string; operator_id: string; amount_yen: string }>(
        `SELECT idempotency_key, operator_id, amount_yen FROM charges ORDER BY idempotency_key`,
      );
      assert.deepEqual(rows.map((row) => row.idempotency_key), ['a-1', 'a-2', 'a-3', 'b-1', 'b-2', 'c-1', 'c-2']);
      const moved = requests.filter((_, index) => index !== 4).reduce((sum, item) => sum + item.amount_yen, 0);
      assert.equal(await services.core.balance(fixture.customer.account_id), customerBefore - moved);
      assert.equal(await services.core.balance(operators[0]!.settlement_account_id), 1000 + 1100 + 1200);
      assert.equal(await services.core.balance(operators[1]!.settlement_account_id), 2000 + 2100);
      assert.equal(await services.core.balance(operators[2]!.settlement_account_id), 3000 + 3100);
      assert.equal(transfers(await fixture.snapshot()), transfers(before) + 7);
      assert.equal((await fixture.db.query(`SELECT 1 FROM notification_outbox WHERE template = 'charge_succeeded'`)).length, 7);
    });

    test('a charge that fails in a later step fails alone, and a good charge that repeats its batch-mate’s key is answered once', async () => {
      const { services } = fixture.bank;
      const before = await fixture.snapshot();
      // A test-only step after the ledger and outbox steps: it fails the batch that holds the poisoned charge.
      const poison: ChargeStep = {
        name: 'poison',
        run: async (_context, items) => {
          if (items.some((item) => item.request.idempotency_key === 'b-poison')) throw new Error('the poisoned charge');
        },
      };
      const pipeline = createChargePipeline({
        db: fixture.db, ledger: services.ledger, clock: fixture.clock, ids: services.ids, steps: [...chargeSteps, poison],
        risk: { pipeline: services.risk, mode: 'enforce', raiseAlerts: (tx, alerts) => services.cases.raiseAlert(tx, alerts) },
      });
      const requests = [
        request(0, 'a-10', 400), request(1, 'b-poison', 401), request(2, 'c-10', 402),
        // The same key and body twice in one batch: the second is a replay of the first, before and after the split.
        request(2, 'c-11', 403), request(2, 'c-11', 403), request(1, 'b-10', 404),
      ];
      const outcomes = await Promise.allSettled(requests.map((item) => pipeline.charge(item)));
      await pipeline.close();
      assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /the poisoned charge/);
      const [first, replay] = [outcomes[3], outcomes[4]] as PromiseFulfilledResult<ChargeResult & { kind: 'charged' }>[];
      assert.equal(replay!.value.charge.id, first!.value.charge.id);
      assert.equal(replay!.value.replayed, true);
      const keys = await fixture.db.query<{ idempotency_key: string }>(`SELECT idempotency_key FROM charges WHERE idempotency_key LIKE '%-1_' OR idempotency_key = 'b-poison' ORDER BY 1`);
      assert.deepEqual(keys.map((row) => row.idempotency_key), ['a-10', 'b-10', 'c-10', 'c-11']);
      assert.equal(transfers(await fixture.snapshot()), transfers(before) + 4);
    });
  });
}
