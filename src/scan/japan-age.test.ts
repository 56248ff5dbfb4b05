import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { customerAgeYears } from '../risk/customer-age.ts';
import { japanDate } from '../shared/japan-time.ts';
import { ageOnJapanDate, japanMonthKey, parseBirthDate } from './japan-age.ts';

test('the scan’s age on a Japan date is the risk features’ age, for any birth date and instant', () => {
  fc.assert(fc.property(
    fc.date({ min: new Date('1920-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
    fc.date({ min: new Date('2010-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
    (birth, at) => {
      const birth_date = japanDate(birth);
      assert.equal(ageOnJapanDate(parseBirthDate(birth_date), at.getTime()), customerAgeYears(birth_date, japanDate(at)));
    },
  ), { numRuns: 2000 });
});

test('a birthday counts from midnight in Japan, not in UTC', () => {
  const birth = parseBirthDate('1955-09-10');
  assert.equal(ageOnJapanDate(birth, Date.parse('2020-09-09T14:59:59Z')), 64);
  assert.equal(ageOnJapanDate(birth, Date.parse('2020-09-09T15:00:00Z')), 65);
});

test('the month of an instant is its Japan-time month', () => {
  assert.equal(japanMonthKey(Date.parse('2020-09-30T15:00:00Z')), 202010);
  assert.equal(japanMonthKey(Date.parse('2020-09-30T14:59:59Z')), 202009);
});
