import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from './error-codes.ts';
import { NON_OPERATOR_ERROR_CODES, OPERATOR_ERROR_CODES } from './operator-error-codes.ts';

test('every code in the registry is either one an operator can receive or named for another audience, never both', () => {
  const operator = new Set<string>(OPERATOR_ERROR_CODES);
  const others = new Set(Object.keys(NON_OPERATOR_ERROR_CODES));
  const unplaced = Object.keys(errorCodes).filter((code) => !operator.has(code) && !others.has(code));
  assert.deepEqual(unplaced, [], 'a new code must be placed in src/errors/operator-error-codes.ts');
  assert.deepEqual([...operator].filter((code) => others.has(code)), []);
  assert.equal(operator.size, OPERATOR_ERROR_CODES.length, 'no code listed twice');
});
