import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import type { NewTransfer } from './ledger-types.ts';
import { openTestLedger, type TestLedger } from './open-test-ledger.ts';

for (const backend of testBackends) {
  describe(`one failing transfer in a shared ledger batch on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestLedger;
    let poisoned: string;
    before(async () => {
      t = await openTestLedger(backend);
      poisoned = t.ids.next();
      // A real database refusal for one row, as a constraint or a full disk would give: the whole statement and
      // its transaction fail, with every other caller's transfers in it.
      await t.db.exec(`
        CREATE FUNCTION refuse_poisoned_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.user_data = '${poisoned}' THEN RAISE EXCEPTION 'transfer % cannot be stored', NEW.id; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_poisoned_transfer BEFORE INSERT ON ledger_transfers FOR EACH ROW EXECUTE FUNCTION refuse_poisoned_transfer();`);
    });
    after(() => t.close());

    test("a transfer the database refuses fails only its own caller; every other caller's transfers commit once", async () => {
      const bank = await t.account();
      const customers = [await t.account(), await t.account(), await t.account()];
      const transfer = (customer: string, amount_yen: number, user_data: string | null = null): NewTransfer => ({
        id: t.ids.next(), debit_account_id: bank, credit_account_id: customer, amount_yen, code: 1, user_data,
      });
      // Four callers in the same tick, so their transfers share the first batch.
      const callers = [
        [transfer(customers[0]!, 100), transfer(customers[0]!, 200)],
        [transfer(customers[1]!, 300)],
        [transfer(customers[2]!, 999, poisoned)],
        [transfer(customers[2]!, 400), transfer(customers[1]!, 500)],
      ];
      const outcomes = await Promise.allSettled(callers.map((transfers) => t.ledger.createTransfers(transfers)));
      assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      assert.match(String((outcomes[2] as PromiseRejectedResult).reason), /cannot be stored/);
      for (const index of [0, 1, 3]) assert.deepEqual((outcomes[index] as PromiseFulfilledResult<string[]>).value, callers[index]!.map(() => 'ok'));
      assert.deepEqual(await Promise.all(customers.map((customer) => t.balance(customer))), [300, 800, 400]);
      assert.equal(await t.balance(bank), -1500);
      assert.deepEqual(await t.ledger.lookupTransfers([callers[2]![0]!.id]), []);
      assert.equal((await t.ledger.lookupTransfers(callers.flat().map((item) => item.id))).length, 5);
    });
  });
}
