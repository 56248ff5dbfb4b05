import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhoneNumber } from './phone-number.ts';

test('a mobile number written domestically or in E.164, with or without separators, normalises to the same E.164', () => {
  for (const written of [
    '090-1234-5678',
    '09012345678',
    '+81 90 1234 5678',
    '+819012345678',
    '+81 (0)90-1234-5678',
    '(090) 1234-5678',
    '０９０－１２３４－５６７８',
    '090 1234 5678',
    '090.1234.5678',
  ]) {
    assert.equal(normalizePhoneNumber(written), '+819012345678', written);
  }
});

test('a Tokyo landline keeps its nine national digits', () => {
  assert.equal(normalizePhoneNumber('03-1234-5678'), '+81312345678');
  assert.equal(normalizePhoneNumber('+81 3 1234 5678'), '+81312345678');
});

test('a foreign number in E.164 keeps its country code', () => {
  assert.equal(normalizePhoneNumber('+1 415 555 0100'), '+14155550100');
});

test('different numbers stay different', () => {
  assert.notEqual(normalizePhoneNumber('090-1234-5678'), normalizePhoneNumber('090-1234-5679'));
  assert.notEqual(normalizePhoneNumber('090-1234-5678'), normalizePhoneNumber('080-1234-5678'));
});

test('what is not a phone number normalises to null', () => {
  for (const written of ['', 'abc', '0', '+', '+81', '12345678', '1234-5678', '090-1234-5678-9', '03-123-456', '+0 90 1234 5678', '090-abcd-5678', '+1234567890123456']) {
    assert.equal(normalizePhoneNumber(written), null, written);
  }
});
