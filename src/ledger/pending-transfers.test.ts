import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { expirePendingTransfers } from './expire-pending-transfers.ts';
import type { Account, NewTransfer } from './ledger-types.ts';
import { openTestLedger, type TestLedger } from './open-test-ledger.ts';

const SECOND_MS = 1000;

for (const backend of testBackends) {
  describe(`two-phase transfers on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestLedger;
    before(async () => {
      t = await openTestLedger(backend);
    });
    after(() => t.close());

    async function customerWith(funded_yen: number) {
      const bank = await t.account();
      const customer = await t.account({ debits_must_not_exceed_credits: true });
      const operator = await t.account();
      assert.deepEqual(
        await t.ledger.createTransfers([{ id: t.ids.next(), debit_account_id: bank, credit_account_id: customer, amount_yen: funded_yen, code: 1 }]),
        ['ok'],
      );
      return { bank, customer, operator };
    }

    async function account(id: string): Promise<Account> {
      const [found] = await t.ledger.lookupAccounts([id]);
      assert.ok(found);
      return found;
    }

    function hold(customer: string, operator: string, amount_yen: number, timeout_seconds = 0): NewTransfer {
      return { id: t.ids.next(), debit_account_id: customer, credit_account_id: operator, amount_yen, code: 10, flags: { pending: true }, timeout_seconds };
    }

    const post = (pending_id: string, amount_yen?: number): NewTransfer => ({
      id: t.ids.next(),
      pending_id,
      amount_yen,
      code: 11,
      flags: { post_pending_transfer: true },
    });
    const voiding = (pending_id: string): NewTransfer => ({ id: t.ids.next(), pending_id, code: 12, flags: { void_pending_transfer: true } });

    test('a pending transfer reserves the amount: it counts against the balance but is not posted', async () => {
      const { customer, operator } = await customerWith(1_000);
      const pending = hold(customer, operator, 700);
      assert.deepEqual(await t.ledger.createTransfers([pending]), ['ok']);
      const debited = await account(customer);
      assert.equal(debited.debits_pending, 700);
      assert.equal(debited.debits_posted, 0);
      assert.equal((await account(operator)).credits_pending, 700);
      // The reservation counts against the no-overdraft rule: 301 more would overdraw.
      assert.deepEqual(await t.ledger.createTransfers([hold(customer, operator, 301), hold(customer, operator, 300)]), ['exceeds_credits', 'ok']);
    });

    test('posting moves the whole pending amount to posted and settles the reservation', async () => {
      const { customer, operator } = await customerWith(1_000);
      const pending = hold(customer, operator, 700);
      const posting = post(pending.id);
      assert.deepEqual(await t.ledger.createTransfers([pending]), ['ok']);
      assert.deepEqual(await t.ledger.createTransfers([posting]), ['ok']);
      const debited = await account(customer);
      assert.deepEqual([debited.debits_pending, debited.debits_posted], [0, 700]);
      const credited = await account(operator);
      assert.deepEqual([credited.credits_pending, credited.credits_posted], [0, 700]);
      const [stored] = await t.ledger.lookupTransfers([posting.id]);
      assert.equal(stored?.amount_yen, 700);
      assert.equal(stored?.debit_account_id, customer);
      assert.equal(stored?.credit_account_id, operator);
      assert.deepEqual(await t.ledger.createTransfers([posting, post(pending.id)]), ['exists', 'pending_transfer_already_posted']);
      assert.deepEqual(await t.ledger.createTransfers([voiding(pending.id)]), ['pending_transfer_already_posted']);
    });

    test('a partial post posts part and releases the rest', async () => {
      const { customer, operator } = await customerWith(1_000);
      const pending = hold(customer, operator, 700);
      const posting = post(pending.id, 250);
      assert.deepEqual(await t.ledger.createTransfers([pending, posting]), ['ok', 'ok']);
      const debited = await account(customer);
      assert.deepEqual([debited.debits_pending, debited.debits_posted, debited.credits_posted], [0, 250, 1_000]);
      assert.equal(await t.balance(operator), 250);
      // Retrying with the amount omitted means "all of it", which is not what was posted.
      assert.deepEqual(await t.ledger.createTransfers([posting, { ...posting, amount_yen: undefined }]), ['exists', 'exists_with_different_amount']);
    });

    test('posting the whole pending amount passes and one yen more fails with exceeds_pending_transfer_amount', async () => {
      const { customer, operator } = await customerWith(1_000);
      const pending = hold(customer, operator, 700);
      assert.deepEqual(await t.ledger.createTransfers([pending, post(pending.id, 701), post(pending.id, 700)]), [
        'ok',
        'exceeds_pending_transfer_amount',
        'ok',
      ]);
    });

    test('voiding releases the reservation and posts nothing', async () => {
      const { customer, operator } = await customerWith(1_000);
      const pending = hold(customer, operator, 700);
      const released = voiding(pending.id);
      assert.deepEqual(await t.ledger.createTransfers([pending]), ['ok']);
      assert.deepEqual(await t.ledger.createTransfers([released]), ['ok']);
      const debited = await account(customer);
      assert.deepEqual([debited.debits_pending, debited.debits_posted], [0, 0]);
      assert.equal((await account(operator)).credits_pending, 0);
      assert.deepEqual(await t.ledger.createTransfers([released, voiding(pending.id), post(pending.id)]), [
        'exists',
        'pending_transfer_already_voided',
        'pending_transfer_already_voided',
      ]);
    });

    test('a void names no amount, or exactly the pending amount', async () => {
      const { customer, operator } = await customerWith(1_000);
      const pending = hold(customer, operator, 700);
      assert.deepEqual(
        await t.ledger.createTransfers([pending, { ...voiding(pending.id), amount_yen: 699 }, { ...voiding(pending.id), amount_yen: 700 }]),
        ['ok', 'pending_transfer_has_different_amount', 'ok'],
      );
    });

    test('settling a transfer that is missing or not pending is refused', async () => {
      const { bank, customer, operator } = await customerWith(1_000);
      const plain = { id: t.ids.next(), debit_account_id: customer, credit_account_id: bank, amount_yen: 5, code: 2 };
      assert.deepEqual(await t.ledger.createTransfers([plain]), ['ok']);
      const pending = hold(customer, operator, 10);
      assert.deepEqual(
        await t.ledger.createTransfers([post(t.ids.next()), voiding(t.ids.next()), post(plain.id), voiding(plain.id), pending, post(pending.id)]),
        ['pending_transfer_not_found', 'pending_transfer_not_found', 'pending_transfer_not_pending', 'pending_transfer_not_pending', 'ok', 'ok'],
      );
    });

    test('a post naming other accounts than the pending transfer is refused', async () => {
      const { bank, customer, operator } = await customerWith(1_000);
      const pending = hold(customer, operator, 100);
      assert.deepEqual(
        await t.ledger.createTransfers([
          pending,
          { ...post(pending.id), debit_account_id: bank },
          { ...post(pending.id), credit_account_id: bank },
          { ...post(pending.id), debit_account_id: customer, credit_account_id: operator },
        ]),
        ['ok', 'pending_transfer_has_different_accounts', 'pending_transfer_has_different_accounts', 'ok'],
      );
    });

    test('a retried post or void is compared with what was stored, field by field', async () => {
      const { bank, customer, operator } = await customerWith(1_000);
      const first = hold(customer, operator, 100);
      const second = hold(customer, operator, 100);
      const posting = { ...post(first.id, 60), user_data: t.ids.next() };
      assert.deepEqual(await t.ledger.createTransfers([first, second, posting]), ['ok', 'ok', 'ok']);
      assert.deepEqual(
        await t.ledger.createTransfers([
          posting,
          { ...posting, flags: { void_pending_transfer: true }, amount_yen: undefined },
          { ...posting, pending_id: second.id },
          { ...posting, debit_account_id: bank },
          { ...posting, credit_account_id: bank },
          { ...posting, amount_yen: 61 },
          { ...posting, user_data: t.ids.next() },
          { ...posting, user_data: undefined },
          { ...posting, code: 99 },
        ]),
        [
          'exists',
          'exists_with_different_flags',
          'exists_with_different_pending_id',
          'exists_with_different_debit_account_id',
          'exists_with_different_credit_account_id',
          'exists_with_different_amount',
          'exists_with_different_user_data',
          'exists',
          'exists_with_different_code',
        ],
      );
    });

    test('a post inherits the pending transfer’s user_data when it names none', async () => {
      const { customer, operator } = await customerWith(1_000);
      const pending = { ...hold(customer, operator, 100), user_data: t.ids.next() };
      const posting = post(pending.id);
      assert.deepEqual(await t.ledger.createTransfers([pending, posting]), ['ok', 'ok']);
      const [stored] = await t.ledger.lookupTransfers([posting.id]);
      assert.equal(stored?.user_data, pending.user_data);
    });

    test('a post one second before the timeout passes; at the timeout it fails with pending_transfer_expired', async () => {
      const { customer, operator } = await customerWith(1_000);
      const early = hold(customer, operator, 100, 60);
      const late = hold(customer, operator, 100, 60);
      assert.deepEqual(await t.ledger.createTransfers([early, late]), ['ok', 'ok']);
      t.clock.advance(59 * SECOND_MS);
      assert.deepEqual(await t.ledger.createTransfers([post(early.id)]), ['ok']);
      t.clock.advance(1 * SECOND_MS);
      assert.deepEqual(await t.ledger.createTransfers([post(late.id), voiding(late.id)]), ['pending_transfer_expired', 'pending_transfer_expired']);
      // The reservation stays until expiry releases it.
      assert.equal((await account(customer)).debits_pending, 100);
    });

    test('expirePendingTransfers releases every expired reservation once and leaves the rest', async () => {
      const { customer, operator } = await customerWith(1_000);
      // Settle whatever earlier tests left expiring, so the counts below are this test's own.
      t.clock.advance(400 * 24 * 3600 * SECOND_MS);
      await t.ledger.expirePendingTransfers();
      const short = hold(customer, operator, 100, 30);
      const long = hold(customer, operator, 200, 3600);
      const forever = hold(customer, operator, 300, 0);
      assert.deepEqual(await t.ledger.createTransfers([short, long, forever]), ['ok', 'ok', 'ok']);
      assert.equal(await t.ledger.expirePendingTransfers(), 0);
      t.clock.advance(30 * SECOND_MS);
      assert.equal(await t.ledger.expirePendingTransfers(), 1);
      assert.equal(await t.ledger.expirePendingTransfers(), 0);
      assert.equal((await account(customer)).debits_pending, 500);
      assert.equal((await account(operator)).credits_pending, 500);
      assert.deepEqual(await t.ledger.createTransfers([post(short.id)]), ['pending_transfer_expired']);
      t.clock.advance(3600 * SECOND_MS);
      assert.equal(await t.ledger.expirePendingTransfers(), 1);
      assert.equal((await account(customer)).debits_pending, 300);
      // The freed money is spendable again.
      assert.deepEqual(await t.ledger.createTransfers([hold(customer, operator, 700), hold(customer, operator, 1)]), ['ok', 'exceeds_credits']);
    });

    test('expiry works through more reservations than one chunk holds', async () => {
      const { customer, operator } = await customerWith(100_000);
      const holds = Array.from({ length: 50 }, () => hold(customer, operator, 1, 5));
      assert.ok((await t.ledger.createTransfers(holds)).every((result) => result === 'ok'));
      t.clock.advance(5 * SECOND_MS);
      // Chunks of 7: seven full transactions and one of 1.
      assert.equal(await expirePendingTransfers(t.db, t.clock.now(), 7), 50);
      assert.equal(await t.ledger.expirePendingTransfers(), 0);
      assert.equal((await account(customer)).debits_pending, 0);
    });

    test('after pending, posted, part-posted, voided and expired transfers every balance is the sum of its transfers', async () => {
      // Made here, so that the test proves the invariants when it runs alone as well as after the others.
      const { bank, customer, operator } = await customerWith(1_000);
      const [posted, partial, voided, expiring, open] = [100, 200, 50, 30, 20].map((amount_yen, index) => hold(customer, operator, amount_yen, index === 3 ? 5 : 0));
      assert.deepEqual(await t.ledger.createTransfers([posted!, partial!, voided!, expiring!, open!]), ['ok', 'ok', 'ok', 'ok', 'ok']);
      assert.deepEqual(await t.ledger.createTransfers([post(posted!.id), post(partial!.id, 150), voiding(voided!.id)]), ['ok', 'ok', 'ok']);
      t.clock.advance(5 * SECOND_MS);
      assert.ok((await t.ledger.expirePendingTransfers()) >= 1);
      const [expired] = await t.db.query<{ state: string }>(`SELECT state FROM ledger_pending_transfers WHERE id = $1`, [expiring!.id]);
      assert.equal(expired?.state, 'expired');
      const balances = Object.fromEntries((await t.ledger.lookupAccounts([bank, customer, operator])).map((a) => [a.id,
        { debits_pending: a.debits_pending, debits_posted: a.debits_posted, credits_pending: a.credits_pending, credits_posted: a.credits_posted }]));
      assert.deepEqual(balances, {
        [bank]: { debits_pending: 0, debits_posted: 1_000, credits_pending: 0, credits_posted: 0 },
        // Posted: 100 + 150 of the 200; still reserved: the 20 nobody settled. The void, the rest of the part-post and the expiry released theirs.
        [customer]: { debits_pending: 20, debits_posted: 250, credits_pending: 0, credits_posted: 1_000 },
        [operator]: { debits_pending: 0, debits_posted: 0, credits_pending: 20, credits_posted: 250 },
      });
      const report = await t.ledger.checkInvariants();
      assert.deepEqual(report, { posted_sum_yen: 0, pending_sum_yen: 0, accounts_out_of_step: [], accounts_overdrawn: [], ok: true });
    });
  });
}
