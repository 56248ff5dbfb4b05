import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionFailed } from '../shared/assert.ts';
import type { Transfer } from './ledger-types.ts';
import { reversalOf } from './reversal-of.ts';

const charge: Transfer = {
  id: '01900000-0000-7000-8000-000000000001',
  debit_account_id: '01900000-0000-7000-8000-00000000000a',
  credit_account_id: '01900000-0000-7000-8000-00000000000b',
  amount_yen: 5_000,
  code: 2,
  user_data: '01900000-0000-7000-8000-0000000000c1',
  flags: { pending: false, post_pending_transfer: false, void_pending_transfer: false },
  pending_id: null,
  timeout_seconds: 0,
  created_at: new Date('2026-11-21T00:00:00Z'),
};

test('a reversal swaps the accounts and moves the whole amount unless told otherwise', () => {
  assert.deepEqual(reversalOf(charge, { id: '01900000-0000-7000-8000-000000000002', code: 7 }), {
    id: '01900000-0000-7000-8000-000000000002',
    debit_account_id: charge.credit_account_id,
    credit_account_id: charge.debit_account_id,
    amount_yen: 5_000,
    code: 7,
    user_data: charge.user_data,
  });
  assert.equal(reversalOf(charge, { id: '01900000-0000-7000-8000-000000000003', code: 7, amount_yen: 1_200 }).amount_yen, 1_200);
});

test('a reversal of more than the original, or of a pending transfer, is a programmer error', () => {
  assert.throws(() => reversalOf(charge, { id: '01900000-0000-7000-8000-000000000004', code: 7, amount_yen: 5_001 }), AssertionFailed);
  assert.throws(() => reversalOf({ ...charge, flags: { ...charge.flags, pending: true } }, { id: '01900000-0000-7000-8000-000000000005', code: 7 }), AssertionFailed);
});
