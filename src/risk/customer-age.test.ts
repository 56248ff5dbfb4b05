import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customerAgeYears } from './customer-age.ts';

test('a customer turns a year older on their birthday, not the day before', () => {
  assert.equal(customerAgeYears('1961-11-10', '2026-11-09'), 64);
  assert.equal(customerAgeYears('1961-11-10', '2026-11-10'), 65);
  assert.equal(customerAgeYears('1948-03-15', '2026-11-10'), 78);
});

test('someone born on 29 February is a year older from 1 March in other years', () => {
  assert.equal(customerAgeYears('1960-02-29', '2025-02-28'), 64);
  assert.equal(customerAgeYears('1960-02-29', '2025-03-01'), 65);
});

test('a malformed or future birth date gives no age', () => {
  assert.equal(customerAgeYears('1948/03/15', '2026-11-10'), null);
  assert.equal(customerAgeYears('', '2026-11-10'), null);
  assert.equal(customerAgeYears('2030-01-01', '2026-11-10'), null);
});
