import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import type { NewTransfer } from './ledger-types.ts';
import { openTestLedger, type TestLedger } from './open-test-ledger.ts';

for (const backend of testBackends) {
  describe(`account history on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestLedger;
    before(async () => {
      t = await openTestLedger(backend);
    });
    after(() => t.close());

    test('history lists posted lines oldest first with the running balance; holds and voids never show', async () => {
      const bank = await t.account();
      const customer = await t.account({ debits_must_not_exceed_credits: true });
      const operator = await t.account();
      const deposit = { id: t.ids.next(), debit_account_id: bank, credit_account_id: customer, amount_yen: 10_000, code: 1 };
      const charge = { id: t.ids.next(), debit_account_id: customer, credit_account_id: operator, amount_yen: 3_000, code: 2 };
      const hold: NewTransfer = { id: t.ids.next(), debit_account_id: customer, credit_account_id: operator, amount_yen: 2_000, code: 3, flags: { pending: true } };
      const voided: NewTransfer = { id: t.ids.next(), debit_account_id: customer, credit_account_id: operator, amount_yen: 500, code: 3, flags: { pending: true } };
      const posting: NewTransfer = { id: t.ids.next(), pending_id: hold.id, amount_yen: 1_500, code: 4, flags: { post_pending_transfer: true } };
      const release: NewTransfer = { id: t.ids.next(), pending_id: voided.id, code: 5, flags: { void_pending_transfer: true } };
      const refund = { id: t.ids.next(), debit_account_id: operator, credit_account_id: customer, amount_yen: 1_000, code: 6 };
      assert.deepEqual(await t.ledger.createTransfers([deposit, charge, hold, voided]), ['ok', 'ok', 'ok', 'ok']);
      t.clock.advance(1000);
      assert.deepEqual(await t.ledger.createTransfers([posting, release, refund]), ['ok', 'ok', 'ok']);

      const lines = await t.ledger.accountHistory(customer);
      assert.deepEqual(
        lines.map((line) => [line.transfer.id, line.direction, line.amount_yen, line.balance_yen]),
        [
          [deposit.id, 'credit', 10_000, 10_000],
          [charge.id, 'debit', 3_000, 7_000],
          [posting.id, 'debit', 1_500, 5_500],
          [refund.id, 'credit', 1_000, 6_500],
        ],
      );
      assert.equal(await t.balance(customer), 6_500);
      assert.deepEqual(lines[2]?.transfer.flags, { pending: false, post_pending_transfer: true, void_pending_transfer: false });
      assert.deepEqual(lines[3]?.transfer.created_at, t.clock.now());

      // With a limit, the latest lines, still oldest first and with the true balances.
      const latest = await t.ledger.accountHistory(customer, { limit: 2 });
      assert.deepEqual(latest.map((line) => [line.transfer.id, line.balance_yen]), [
        [posting.id, 5_500],
        [refund.id, 6_500],
      ]);
      assert.deepEqual(
        (await t.ledger.accountHistory(operator)).map((line) => [line.direction, line.balance_yen]),
        [
          ['credit', 3_000],
          ['credit', 4_500],
          ['debit', 3_500],
        ],
      );
    });

    test('an account with no lines, or no account at all, has an empty history', async () => {
      assert.deepEqual(await t.ledger.accountHistory(await t.account()), []);
      assert.deepEqual(await t.ledger.accountHistory(t.ids.next()), []);
    });

    test('a limit outside 1 to HISTORY_LINES_MAX is a programmer error', async () => {
      const account = await t.account();
      await assert.rejects(t.ledger.accountHistory(account, { limit: 0 }));
      await assert.rejects(t.ledger.accountHistory(account, { limit: 1001 }));
    });
  });
}
