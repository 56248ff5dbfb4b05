import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAmountYen, parseEmail, parseName, parseUuid, FORM_FIELD_CHARS_MAX, NAME_CHARS_MAX } from './form-fields.ts';

test('an amount is whole yen written plainly, from ¥1 up to twelve digits', () => {
  assert.equal(parseAmountYen('1'), 1);
  assert.equal(parseAmountYen('5000'), 5000);
  assert.equal(parseAmountYen(' 300 '), 300);
  assert.equal(parseAmountYen('999999999999'), 999_999_999_999);
});

test('zero, signs, leading zeros, decimals, exponents, separators, full-width digits and thirteen digits are refused', () => {
  for (const text of ['', '0', '-1', '+1', '01', '1.5', '1e3', '1,000', '１０００', '1000000000000', ' ', 'abc', '0x10']) {
    assert.equal(parseAmountYen(text), null, text);
  }
});

test('an amount that is not a single string is refused', () => {
  assert.equal(parseAmountYen(5000), null);
  assert.equal(parseAmountYen(['1', '2']), null);
  assert.equal(parseAmountYen(undefined), null);
});

test('a form id must be a UUID and is read in lower case', () => {
  assert.equal(parseUuid('0190A000-0000-7000-8000-000000000101'), '0190a000-0000-7000-8000-000000000101');
  assert.equal(parseUuid('not-a-uuid'), null);
  assert.equal(parseUuid("0190a000-0000-7000-8000-000000000101' OR 1=1"), null);
});

test('an e-mail is trimmed and lower-cased, and needs one @ and a dotted domain', () => {
  assert.equal(parseEmail('  Taro@Example.JP '), 'taro@example.jp');
  for (const text of ['taro', 'taro@', '@example.jp', 'taro@example', 'ta ro@example.jp', 'a@b@example.jp']) assert.equal(parseEmail(text), null, text);
  assert.equal(parseEmail(`${'a'.repeat(250)}@example.jp`), null);
});

test(`a name is 1 to ${NAME_CHARS_MAX} characters without control characters`, () => {
  assert.equal(parseName(' 山田 太郎 '), '山田 太郎');
  assert.equal(parseName('山'.repeat(NAME_CHARS_MAX)), '山'.repeat(NAME_CHARS_MAX));
  assert.equal(parseName('山'.repeat(NAME_CHARS_MAX + 1)), null);
  assert.equal(parseName('   '), null);
  assert.equal(parseName('Taro\u0000'), null);
  assert.equal(parseName('x'.repeat(FORM_FIELD_CHARS_MAX + 1)), null);
});
