import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createNoticeFixture, type NoticeFixture } from '../notify/notice-fixture.ts';
import { createChargePipeline } from './charge-pipeline.ts';
import { chargeSteps } from './charge-steps.ts';
import type { ChargeRequest, ChargeStep } from './charge.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';

const chargeNotices = (fixture: NoticeFixture) =>
  fixture.db.query<{ charge_id: string; amount_yen: number; channel: string; customer_id: string; status: string }>(
    `SELECT data->>'charge_id' AS charge_id, (data->>'amount_yen')::int AS amount_yen, channel, customer_id, status
       FROM notification_outbox WHERE template = 'charge_succeeded' ORDER BY id`,
  );

for (const backend of testBackends) {
  describe(`the outbox step of the charge path on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: NoticeFixture;
    beforeEach(async () => {
      fixture = await createNoticeFixture(await backend.open());
    });
    afterEach(async () => {
      await fixture.close();
      await fixture.db.close();
    });

    test('a charge that commits has exactly one pending e-mail notice to its customer, with the charge it tells of', async () => {
      const { link_token } = await fixture.link();
      const response = await fixture.charge(link_token, 5000);
      assert.equal(response.statusCode, 201);
      const notices = await chargeNotices(fixture);
      assert.deepEqual(notices, [{ charge_id: response.json().id, amount_yen: 5000, channel: 'email', customer_id: fixture.customer.id, status: 'pending' }]);
    });

    test('twenty charges arriving together get twenty notices, one per charge', async () => {
      const { link_token } = await fixture.link();
      const responses = await Promise.all(Array.from({ length: 20 }, (_, index) => fixture.charge(link_token, 100 + index)));
      assert.ok(responses.every((response) => response.statusCode === 201));
      const notices = await chargeNotices(fixture);
      assert.equal(notices.length, 20);
      assert.deepEqual(new Set(notices.map((n) => n.charge_id)), new Set(responses.map((r) => r.json().id)));
    });

    test('a replayed charge (same Idempotency-Key and body) writes no second notice', async () => {
      const { link_token } = await fixture.link();
      const first = await fixture.charge(link_token, 3000, 'same-key');
      const before = await snapshotDatabase(fixture.db);
      const again = await fixture.charge(link_token, 3000, 'same-key');
      assert.equal(again.json().id, first.json().id);
      assertNothingWritten(before, await snapshotDatabase(fixture.db), { message: 'the replay wrote' });
      assert.equal((await chargeNotices(fixture)).length, 1);
    });

    test('a refused charge (over the balance, over the cap) writes no notice', async () => {
      const { link_token } = await fixture.link();
      let before = await snapshotDatabase(fixture.db);
      assert.equal((await fixture.charge(link_token, 100_001)).json().code, 'charge_yen_max_exceeded');
      assertNothingWritten(before, await snapshotDatabase(fixture.db));
      const { core } = fixture.bank.services;
      await core.withdraw(fixture.customer.account_id, (await core.balance(fixture.customer.account_id)) - 1000);
      before = await snapshotDatabase(fixture.db);
      assert.equal((await fixture.charge(link_token, 5000)).json().code, 'insufficient_funds');
      // It reached the risk step, which keeps its decision; no notice, no charge, no transfer.
      assertNothingWritten(before, await snapshotDatabase(fixture.db), { except: ['risk_decision', 'risk_velocity', 'operator_activity', 'operator_baseline', 'operator_source'] });
      assert.equal((await chargeNotices(fixture)).length, 0);
    });

    test('a charge batch that rolls back after the outbox step leaves no outbox row, no charge and no money moved', async () => {
      const { link_id, link_token } = await fixture.link();
      const { services } = fixture.bank;
      // The step after the outbox sees the notice in the batch's transaction, then the batch fails.
      let noticesBeforeFailure = 0;
      const boom: ChargeStep = {
        name: 'boom',
        run: async ({ tx }, items) => {
          noticesBeforeFailure = (await tx.query(`SELECT id FROM notification_outbox WHERE data->>'charge_id' = $1`, [items[0]!.charge_id])).length;
          throw new Error('the disk is full');
        },
      };
      // The risk step needs the bank's risk engine; it is not what this test is about.
      const steps = [...chargeSteps.filter((step) => step.name !== 'risk'), boom];
      const pipeline = createChargePipeline({ db: fixture.db, ledger: services.ledger, clock: fixture.clock, ids: services.ids, steps });
      const before = await snapshotDatabase(fixture.db);
      const request = {
        credential: { kind: 'link_token', token: link_token }, link_id, idempotency_key: 'rolled-back', amount_yen: 7000,
        description: null, source_ip: '127.0.0.1', device_id: null,
      } as ChargeRequest;
      await assert.rejects(pipeline.charge(request), /disk is full/);
      await pipeline.close();
      assert.equal(noticesBeforeFailure, 1, 'the outbox step wrote the notice before the failure');
      assertNothingWritten(before, await snapshotDatabase(fixture.db), { message: 'the rolled-back batch left' });
    });
  });
}
