import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { openTestLedger, type TestLedger } from './open-test-ledger.ts';

for (const backend of testBackends) {
  describe(`ledger invariants on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestLedger;
    before(async () => {
      t = await openTestLedger(backend);
    });
    after(() => t.close());

    test('an empty ledger and a busy one both pass', async () => {
      assert.deepEqual(await t.ledger.checkInvariants(), { posted_sum_yen: 0, pending_sum_yen: 0, accounts_out_of_step: [], accounts_overdrawn: [], ok: true });
      const bank = await t.account();
      const customer = await t.account({ debits_must_not_exceed_credits: true });
      const hold = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 40, code: 2, flags: { pending: true } };
      assert.deepEqual(
        await t.ledger.createTransfers([{ id: t.ids.next(), debit_account_id: bank, credit_account_id: customer, amount_yen: 100, code: 1 }, hold]),
        ['ok', 'ok'],
      );
      assert.equal((await t.ledger.checkInvariants()).ok, true);
    });

    test('a balance edited behind the ledger’s back is reported out of step and breaks the sum', async () => {
      const account = await t.account();
      await t.db.query(`UPDATE ledger_accounts SET credits_posted = credits_posted + 7 WHERE id = $1`, [account]);
      const report = await t.ledger.checkInvariants();
      assert.equal(report.ok, false);
      assert.deepEqual(report.accounts_out_of_step, [account]);
      assert.equal(report.posted_sum_yen, 7);
      await t.db.query(`UPDATE ledger_accounts SET credits_posted = credits_posted - 7 WHERE id = $1`, [account]);
      assert.equal((await t.ledger.checkInvariants()).ok, true);
    });

    test('a reservation edited behind the ledger’s back breaks the pending sum', async () => {
      const account = await t.account();
      await t.db.query(`UPDATE ledger_accounts SET debits_pending = 5 WHERE id = $1`, [account]);
      const report = await t.ledger.checkInvariants();
      assert.equal(report.pending_sum_yen, -5);
      assert.deepEqual(report.accounts_out_of_step, [account]);
      await t.db.query(`UPDATE ledger_accounts SET debits_pending = 0 WHERE id = $1`, [account]);
    });

    test('an overdrawn flagged account is reported, even though the database refuses to make one', async () => {
      const account = await t.account({ debits_must_not_exceed_credits: true });
      // Only with the constraint lifted can an overdraft exist at all: the check must still see it.
      await t.db.query(`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_debits_must_not_exceed_credits`);
      await t.db.query(`UPDATE ledger_accounts SET debits_posted = 1 WHERE id = $1`, [account]);
      const report = await t.ledger.checkInvariants();
      assert.deepEqual(report.accounts_overdrawn, [account]);
      assert.equal(report.ok, false);
    });
  });
}
