import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionFailed } from '../shared/assert.ts';
import { splitCompensation } from './compensation-split.ts';

test('the default agreement puts the whole amount on the operator', () => {
  assert.deepEqual(splitCompensation(100_000, 100), { operator_yen: 100_000, bank_yen: 0 });
});

test('a half share of an odd amount leaves the odd yen with the bank, and the shares always add up', () => {
  assert.deepEqual(splitCompensation(10_001, 50), { operator_yen: 5_000, bank_yen: 5_001 });
  assert.deepEqual(splitCompensation(1, 99), { operator_yen: 0, bank_yen: 1 });
  assert.deepEqual(splitCompensation(999_999_999_999, 33), { operator_yen: 329_999_999_999, bank_yen: 670_000_000_000 });
  for (const [amount, share] of [[7, 13], [123_457, 67], [300_000, 0]] as const) {
    const split = splitCompensation(amount, share);
    assert.equal(split.operator_yen + split.bank_yen, amount);
  }
});

test('a share outside 0 to 100 or a fraction, or an amount that is not whole yen, is a programming error', () => {
  for (const share of [-1, 101, 50.5, Number.NaN]) assert.throws(() => splitCompensation(1000, share), AssertionFailed);
  for (const amount of [0, -5, 1.5, Number.MAX_SAFE_INTEGER + 1]) assert.throws(() => splitCompensation(amount, 50), AssertionFailed);
});
