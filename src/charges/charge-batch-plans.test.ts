import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { createChargePipeline } from './charge-pipeline.ts';
import { chargeSteps } from './charge-steps.ts';
import type { ChargeStep } from './charge.ts';

const planMode = `SELECT current_setting('plan_cache_mode') AS mode`;

for (const backend of testBackends) {
  describe(`how a charge batch's statements are planned on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let link_token: string;

    before(async () => {
      fixture = await createBankFixture(backend);
      const { customer, operator } = fixture;
      const response = await fixture.bank.app.inject({
        method: 'POST', url: '/v1/links/legacy', headers: { authorization: operator.basic },
        payload: { branch_code: customer.branch_code, account_number: customer.account_number, pin: customer.pin, name_kana: customer.name_kana, birth_date: customer.birth_date },
      });
      assert.equal(response.statusCode, 201, response.body);
      link_token = response.json().link_token;
    });
    after(() => fixture?.close());

    test('a charge batch runs its steps with generic plans (planned once per connection), and the setting ends with its transaction', async () => {
      const { services } = fixture.bank;
      const seen: string[] = [];
      const probe: ChargeStep = { name: 'probe', run: async ({ tx }) => void seen.push((await tx.query<{ mode: string }>(planMode))[0]!.mode) };
      const pipeline = createChargePipeline({
        db: fixture.db, ledger: services.ledger, clock: fixture.clock, ids: services.ids, steps: [...chargeSteps, probe],
        risk: { pipeline: services.risk, mode: 'enforce', raiseAlerts: (tx, alerts) => services.cases.raiseAlert(tx, alerts) },
      });
      try {
        const result = await pipeline.charge({
          credential: { kind: 'link_token', token: link_token }, link_id: null, idempotency_key: 'plans-1', amount_yen: 1000,
          description: null, source_ip: '192.0.2.10', device_id: null,
        });
        assert.equal(result.kind, 'charged', JSON.stringify(result));
      } finally {
        await pipeline.close();
      }
      assert.deepEqual(seen, ['force_generic_plan']);
      assert.deepEqual(await fixture.db.transaction((tx) => tx.query(planMode)), [{ mode: 'auto' }]);
    });
  });
}
