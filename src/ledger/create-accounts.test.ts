import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionFailed } from '../shared/assert.ts';
import { testBackends } from '../testing/test-databases.ts';
import { openTestLedger, type TestLedger } from './open-test-ledger.ts';

for (const backend of testBackends) {
  describe(`accounts on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestLedger;
    before(async () => {
      t = await openTestLedger(backend);
    });
    after(() => t.close());

    test('creating an account again is exists; with another code or flags it is a conflict', async () => {
      const id = t.ids.next();
      const account = { id, code: 5, flags: { debits_must_not_exceed_credits: true } };
      assert.deepEqual(await t.ledger.createAccounts([account]), ['ok']);
      assert.deepEqual(
        await t.ledger.createAccounts([
          account,
          { ...account, code: 6 },
          { ...account, flags: {} },
          { ...account, flags: { credits_must_not_exceed_debits: true } },
          // Flags come before code.
          { id, code: 6 },
        ]),
        ['exists', 'exists_with_different_code', 'exists_with_different_flags', 'exists_with_different_flags', 'exists_with_different_flags'],
      );
      const [stored] = await t.ledger.lookupAccounts([id]);
      assert.equal(stored?.code, 5);
      assert.deepEqual(stored?.created_at, t.clock.now());
    });

    test('a duplicate id within one call is compared with the first', async () => {
      const id = t.ids.next();
      assert.deepEqual(await t.ledger.createAccounts([{ id, code: 1 }, { id, code: 1 }, { id, code: 2 }]), ['ok', 'exists', 'exists_with_different_code']);
    });

    test('both no-overdraft flags at once are refused with flags_are_mutually_exclusive', async () => {
      const id = t.ids.next();
      assert.deepEqual(
        await t.ledger.createAccounts([{ id, code: 1, flags: { debits_must_not_exceed_credits: true, credits_must_not_exceed_debits: true } }]),
        ['flags_are_mutually_exclusive'],
      );
      assert.deepEqual(await t.ledger.lookupAccounts([id]), []);
    });

    test('a malformed account id is a programmer error', async () => {
      await assert.rejects(t.ledger.createAccounts([{ id: 'x', code: 1 }]), AssertionFailed);
      await assert.rejects(t.ledger.createAccounts([{ id: t.ids.next(), code: 1.5 }]), AssertionFailed);
      await assert.rejects(t.ledger.lookupAccounts(['x']), AssertionFailed);
    });

    test('lookupAccounts returns found accounts in the order asked', async () => {
      const a = await t.account();
      const b = await t.account();
      assert.deepEqual((await t.ledger.lookupAccounts([b, t.ids.next(), a])).map((account) => account.id), [b, a]);
    });
  });
}
