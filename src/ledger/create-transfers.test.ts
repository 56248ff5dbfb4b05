import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionFailed } from '../shared/assert.ts';
import { AMOUNT_YEN_MAX } from '../shared/yen.ts';
import { testBackends } from '../testing/test-databases.ts';
import { applyTransfers } from './apply-transfers.ts';
import type { NewTransfer } from './ledger-types.ts';
import { openTestLedger, type TestLedger } from './open-test-ledger.ts';
import { PENDING_TIMEOUT_SECONDS_MAX } from './validate-transfer.ts';

for (const backend of testBackends) {
  describe(`single-phase transfers on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestLedger;
    before(async () => {
      t = await openTestLedger(backend);
    });
    after(() => t.close());

    /** A bank account (may go negative) and a customer account that may not, holding `funded_yen`. */
    async function fundedCustomer(funded_yen: number) {
      const bank = await t.account();
      const customer = await t.account({ debits_must_not_exceed_credits: true });
      if (funded_yen > 0) {
        assert.deepEqual(
          await t.ledger.createTransfers([{ id: t.ids.next(), debit_account_id: bank, credit_account_id: customer, amount_yen: funded_yen, code: 1 }]),
          ['ok'],
        );
      }
      return { bank, customer };
    }

    test('a transfer moves the amount from the debit account to the credit account', async () => {
      const { bank, customer } = await fundedCustomer(5_000);
      assert.equal(await t.balance(customer), 5_000);
      assert.equal(await t.balance(bank), -5_000);
      const [account] = await t.ledger.lookupAccounts([customer]);
      assert.deepEqual(
        { ...account, created_at: undefined },
        {
          id: customer,
          code: 1,
          flags: { debits_must_not_exceed_credits: true, credits_must_not_exceed_debits: false },
          debits_pending: 0,
          debits_posted: 0,
          credits_pending: 0,
          credits_posted: 5_000,
          created_at: undefined,
        },
      );
    });

    test('spending exactly the balance passes and one yen more fails with exceeds_credits, writing nothing', async () => {
      const { bank, customer } = await fundedCustomer(100_000);
      const over = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 100_001, code: 2 };
      assert.deepEqual(await t.ledger.createTransfers([over]), ['exceeds_credits']);
      assert.deepEqual(await t.ledger.lookupTransfers([over.id]), []);
      assert.equal(await t.balance(customer), 100_000);
      const exact = { ...over, id: t.ids.next(), amount_yen: 100_000 };
      assert.deepEqual(await t.ledger.createTransfers([exact]), ['ok']);
      assert.equal(await t.balance(customer), 0);
      assert.deepEqual(await t.ledger.createTransfers([{ ...over, id: t.ids.next(), amount_yen: 1 }]), ['exceeds_credits']);
    });

    test('a later transfer in the same batch sees the balance left by an earlier one', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const spend = (amount_yen: number) => ({ id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen, code: 2 });
      const refill = { id: t.ids.next(), debit_account_id: bank, credit_account_id: customer, amount_yen: 500, code: 1 };
      assert.deepEqual(await t.ledger.createTransfers([spend(600), spend(600), refill, spend(600), spend(301)]), [
        'ok',
        'exceeds_credits',
        'ok',
        'ok',
        'exceeds_credits',
      ]);
      assert.equal(await t.balance(customer), 300);
    });

    test('an account that may not hold a net credit refuses credits beyond its debits with exceeds_debits', async () => {
      const bank = await t.account();
      const liability = await t.account({ credits_must_not_exceed_debits: true });
      const to_liability = (amount_yen: number) => ({ id: t.ids.next(), debit_account_id: bank, credit_account_id: liability, amount_yen, code: 1 });
      assert.deepEqual(await t.ledger.createTransfers([to_liability(1)]), ['exceeds_debits']);
      const from_liability = { id: t.ids.next(), debit_account_id: liability, credit_account_id: bank, amount_yen: 700, code: 1 };
      assert.deepEqual(await t.ledger.createTransfers([from_liability, to_liability(700), to_liability(1)]), ['ok', 'ok', 'exceeds_debits']);
    });

    test('the same id with the same body returns exists and moves nothing twice', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const transfer = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 400, code: 2, user_data: t.ids.next() };
      assert.deepEqual(await t.ledger.createTransfers([transfer]), ['ok']);
      assert.deepEqual(await t.ledger.createTransfers([transfer]), ['exists']);
      assert.deepEqual(await t.ledger.createTransfers([transfer, transfer]), ['exists', 'exists']);
      assert.equal(await t.balance(customer), 600);
    });

    test('a duplicate id within one batch is compared with the first', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const transfer = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 400, code: 2 };
      assert.deepEqual(await t.ledger.createTransfers([transfer, transfer, { ...transfer, amount_yen: 401 }]), [
        'ok',
        'exists',
        'exists_with_different_amount',
      ]);
      assert.equal(await t.balance(customer), 600);
    });

    test('a failed transfer does not take its id: the same id may succeed later', async () => {
      const { bank, customer } = await fundedCustomer(100);
      const transfer = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 150, code: 2 };
      const refill = { id: t.ids.next(), debit_account_id: bank, credit_account_id: customer, amount_yen: 50, code: 1 };
      assert.deepEqual(await t.ledger.createTransfers([transfer, refill, transfer]), ['exceeds_credits', 'ok', 'ok']);
      assert.equal(await t.balance(customer), 0);
    });

    test('the same id with a different body is a conflict naming the first differing field, in a fixed order', async () => {
      const { bank, customer } = await fundedCustomer(10_000);
      const other = await t.account();
      const first: NewTransfer = {
        id: t.ids.next(),
        debit_account_id: customer,
        credit_account_id: bank,
        amount_yen: 400,
        code: 2,
        user_data: t.ids.next(),
      };
      assert.deepEqual(await t.ledger.createTransfers([first]), ['ok']);
      const variants: [NewTransfer, string][] = [
        [{ ...first, flags: { pending: true } }, 'exists_with_different_flags'],
        [{ ...first, debit_account_id: other }, 'exists_with_different_debit_account_id'],
        [{ ...first, credit_account_id: other }, 'exists_with_different_credit_account_id'],
        [{ ...first, amount_yen: 401 }, 'exists_with_different_amount'],
        [{ ...first, user_data: t.ids.next() }, 'exists_with_different_user_data'],
        [{ ...first, user_data: null }, 'exists_with_different_user_data'],
        [{ ...first, code: 3 }, 'exists_with_different_code'],
        // Both amount and code differ: amount comes first.
        [{ ...first, amount_yen: 1, code: 3 }, 'exists_with_different_amount'],
      ];
      assert.deepEqual(
        await t.ledger.createTransfers(variants.map(([variant]) => variant)),
        variants.map(([, result]) => result),
      );
      assert.equal(await t.balance(customer), 9_600);
    });

    test('a pending transfer retried with another timeout is exists_with_different_timeout', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const hold = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 10, code: 2, flags: { pending: true }, timeout_seconds: 60 };
      assert.deepEqual(await t.ledger.createTransfers([hold]), ['ok']);
      assert.deepEqual(await t.ledger.createTransfers([hold, { ...hold, timeout_seconds: 61 }]), ['exists', 'exists_with_different_timeout']);
    });

    test('bad fields get their own result codes and write nothing', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const unknown = t.ids.next();
      const base = { debit_account_id: customer, credit_account_id: bank, amount_yen: 100, code: 2 };
      const cases: [Omit<NewTransfer, 'id'>, string][] = [
        [{ ...base, flags: { pending: true, post_pending_transfer: true } }, 'flags_are_mutually_exclusive'],
        [{ ...base, flags: { post_pending_transfer: true, void_pending_transfer: true } }, 'flags_are_mutually_exclusive'],
        [{ ...base, flags: { post_pending_transfer: true } }, 'pending_id_required'],
        [{ ...base, flags: { void_pending_transfer: true } }, 'pending_id_required'],
        [{ ...base, pending_id: t.ids.next() }, 'pending_id_must_be_absent'],
        [{ ...base, timeout_seconds: 30 }, 'timeout_reserved_for_pending_transfer'],
        [{ ...base, flags: { pending: true }, timeout_seconds: -1 }, 'timeout_out_of_range'],
        [{ ...base, flags: { pending: true }, timeout_seconds: 1.5 }, 'timeout_out_of_range'],
        [{ ...base, flags: { pending: true }, timeout_seconds: PENDING_TIMEOUT_SECONDS_MAX + 1 }, 'timeout_out_of_range'],
        [{ ...base, credit_account_id: customer }, 'accounts_must_be_different'],
        [{ ...base, debit_account_id: undefined }, 'debit_account_not_found'],
        [{ ...base, credit_account_id: undefined }, 'credit_account_not_found'],
        [{ ...base, debit_account_id: unknown }, 'debit_account_not_found'],
        [{ ...base, credit_account_id: unknown }, 'credit_account_not_found'],
        [{ ...base, amount_yen: undefined }, 'amount_must_be_positive'],
        [{ ...base, amount_yen: 0 }, 'amount_must_be_positive'],
        [{ ...base, amount_yen: -1 }, 'amount_must_be_positive'],
        [{ ...base, amount_yen: 1.5 }, 'amount_must_be_safe_integer'],
        [{ ...base, amount_yen: Number.NaN }, 'amount_must_be_safe_integer'],
        [{ ...base, amount_yen: 2 ** 53 }, 'amount_must_be_safe_integer'],
        [{ ...base, amount_yen: AMOUNT_YEN_MAX + 1 }, 'amount_exceeds_maximum'],
      ];
      const transfers = cases.map(([fields]) => ({ ...fields, id: t.ids.next() }) as NewTransfer);
      assert.deepEqual(await t.ledger.createTransfers(transfers), cases.map(([, result]) => result));
      assert.deepEqual(await t.ledger.lookupTransfers(transfers.map((transfer) => transfer.id)), []);
      assert.equal(await t.balance(customer), 1_000);
    });

    test('the largest amount passes and one yen more fails', async () => {
      const bank = await t.account();
      const other = await t.account();
      const transfer = (amount_yen: number) => ({ id: t.ids.next(), debit_account_id: bank, credit_account_id: other, amount_yen, code: 1 });
      assert.deepEqual(await t.ledger.createTransfers([transfer(AMOUNT_YEN_MAX), transfer(AMOUNT_YEN_MAX + 1)]), ['ok', 'amount_exceeds_maximum']);
    });

    test('a balance that would pass the safe-integer range is refused with overflows_debits or overflows_credits', async () => {
      const source = await t.account();
      const target = await t.account();
      // Reaching 2^53 honestly takes 9,008 transfers of the largest amount; setting the start point directly keeps the test fast.
      const start_yen = Number.MAX_SAFE_INTEGER - 10;
      await t.db.query(`UPDATE ledger_accounts SET debits_posted = $2 WHERE id = $1`, [source, start_yen]);
      const transfer = (debit: string, credit: string, amount_yen: number) => ({ id: t.ids.next(), debit_account_id: debit, credit_account_id: credit, amount_yen, code: 1 });
      assert.deepEqual(await t.ledger.createTransfers([transfer(source, target, 11), transfer(source, target, 10), transfer(source, target, 1)]), [
        'overflows_debits',
        'ok',
        'overflows_debits',
      ]);
      const payee = await t.account();
      await t.db.query(`UPDATE ledger_accounts SET credits_posted = $2 WHERE id = $1`, [payee, start_yen]);
      assert.deepEqual(await t.ledger.createTransfers([transfer(target, payee, 11), transfer(target, payee, 10)]), ['overflows_credits', 'ok']);
      // Take the hand-set start points out again, so the ledger is back in step for the invariant check below.
      await t.db.query(`UPDATE ledger_accounts SET debits_posted = debits_posted - $2 WHERE id = $1`, [source, start_yen]);
      await t.db.query(`UPDATE ledger_accounts SET credits_posted = credits_posted - $2 WHERE id = $1`, [payee, start_yen]);
    });

    test('a malformed transfer is a programmer error that rejects only its own caller', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const good = t.ledger.createTransfers([{ id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 1, code: 2 }]);
      const bad = t.ledger.createTransfers([{ id: 'not-a-uuid', debit_account_id: customer, credit_account_id: bank, amount_yen: 1, code: 2 }]);
      const upper = t.ledger.createTransfers([{ id: t.ids.next().toUpperCase(), debit_account_id: customer, credit_account_id: bank, amount_yen: 1, code: 2 }]);
      const string_amount = t.ledger.createTransfers([
        { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: '1' as unknown as number, code: 2 },
      ]);
      await assert.rejects(bad, AssertionFailed);
      await assert.rejects(upper, AssertionFailed);
      await assert.rejects(string_amount, AssertionFailed);
      assert.deepEqual(await good, ['ok']);
    });

    test('applyTransfers works inside the caller’s transaction and rolls back with it', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const transfer = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 300, code: 2 };
      await assert.rejects(
        t.db.transaction(async (tx) => {
          assert.deepEqual(await t.ledger.applyTransfers(tx, [transfer]), ['ok']);
          throw new Error('the caller’s own insert failed');
        }),
        /own insert failed/,
      );
      assert.equal(await t.balance(customer), 1_000);
      assert.deepEqual(await t.ledger.lookupTransfers([transfer.id]), []);
      const results = await t.db.transaction((tx) => t.ledger.applyTransfers(tx, [transfer]));
      assert.deepEqual(results, ['ok']);
      assert.equal(await t.balance(customer), 700);
    });

    test('a batch written optimistically that holds stored ids is evaluated again and answers as one that read them first', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const stored = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 600, code: 2 };
      assert.deepEqual(await t.ledger.createTransfers([stored]), ['ok']);
      const fresh = { ...stored, id: t.ids.next(), amount_yen: 100 };
      // The retry would overdraw if it were new, so only a read can tell it is `exists`; the changed retry would be `ok` if new.
      const batch = [fresh, stored, { ...stored, amount_yen: 50 }];
      const expected = ['ok', 'exists', 'exists_with_different_amount'];
      for (const lookup_ids_first of [false, true]) {
        let conflicts = 0;
        const results = await t.db.transaction(async (tx) => {
          const answered = await applyTransfers(tx, batch, t.clock.now(), { lookup_ids_first, on_id_conflict: () => conflicts++ });
          throw Object.assign(new Error('roll back'), { answered });
        }).catch((error: { answered: unknown }) => error.answered);
        assert.deepEqual(results, expected);
        assert.equal(conflicts, lookup_ids_first ? 0 : 1);
      }
      const only_new = [{ ...stored, id: t.ids.next(), amount_yen: 50 }, { ...stored, amount_yen: 50 }];
      let conflicts = 0;
      const results = await t.db.transaction((tx) => applyTransfers(tx, only_new, t.clock.now(), { lookup_ids_first: false, on_id_conflict: () => conflicts++ }));
      assert.deepEqual(results, ['ok', 'exists_with_different_amount']);
      assert.equal(conflicts, 1);
      assert.equal(await t.balance(customer), 350);
    });

    test('lookupTransfers returns stored transfers in the order asked and leaves out unknown ids', async () => {
      const { bank, customer } = await fundedCustomer(1_000);
      const a = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 1, code: 2, user_data: t.ids.next() };
      const b = { ...a, id: t.ids.next(), user_data: null };
      assert.deepEqual(await t.ledger.createTransfers([a, b]), ['ok', 'ok']);
      const found = await t.ledger.lookupTransfers([b.id, t.ids.next(), a.id]);
      assert.deepEqual(found.map((transfer) => transfer.id), [b.id, a.id]);
      assert.deepEqual(found[1], {
        ...a,
        pending_id: null,
        timeout_seconds: 0,
        flags: { pending: false, post_pending_transfer: false, void_pending_transfer: false },
        created_at: t.clock.now(),
      });
    });

    test('the database itself refuses an overdraft on a flagged account, whatever the engine does', async () => {
      const { customer } = await fundedCustomer(100);
      await assert.rejects(t.db.query(`UPDATE ledger_accounts SET debits_posted = 101 WHERE id = $1`, [customer]), /ledger_accounts_debits_must_not_exceed_credits/);
      await assert.rejects(t.db.query(`UPDATE ledger_accounts SET debits_pending = 1, debits_posted = 100 WHERE id = $1`, [customer]), /debits_must_not_exceed_credits/);
      assert.equal(await t.balance(customer), 100);
    });

    test('after transfers, retries and refusals every balance is the sum of its transfers and the ledger sums to zero', async () => {
      // Made here, so that the test proves the invariants when it runs alone as well as after the others.
      const { bank, customer } = await fundedCustomer(1_000);
      const operator = await t.account();
      const pay = { id: t.ids.next(), debit_account_id: customer, credit_account_id: operator, amount_yen: 300, code: 2 };
      const refund = { id: t.ids.next(), debit_account_id: operator, credit_account_id: customer, amount_yen: 100, code: 3 };
      const overdraft = { id: t.ids.next(), debit_account_id: customer, credit_account_id: operator, amount_yen: 801, code: 2 };
      assert.deepEqual(await t.ledger.createTransfers([pay, refund, pay, overdraft]), ['ok', 'ok', 'exists', 'exceeds_credits']);
      const balances = Object.fromEntries((await t.ledger.lookupAccounts([bank, customer, operator])).map((a) => [a.id, [a.debits_posted, a.credits_posted]]));
      assert.deepEqual(balances, { [bank]: [1_000, 0], [customer]: [300, 1_100], [operator]: [100, 300] });
      const report = await t.ledger.checkInvariants();
      assert.deepEqual(report, { posted_sum_yen: 0, pending_sum_yen: 0, accounts_out_of_step: [], accounts_overdrawn: [], ok: true });
    });
  });
}
