import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandFor, bandProblems, worseOutcome, type RiskBand } from './risk-band.ts';

const bands: RiskBand[] = [
  { lower: 0, upper: 10, outcome: 'pass', reason: 'low' },
  { lower: 10, upper: 20, outcome: 'alert', reason: 'middle' },
  { lower: 20, upper: null, outcome: 'block', reason: 'high' },
];

test('a value at a band’s lower bound is inside it and one below its upper bound too, the upper bound is in the next', () => {
  assert.deepEqual(bandFor(bands, 0), { outcome: 'pass', reason: 'low' });
  assert.deepEqual(bandFor(bands, 9), { outcome: 'pass', reason: 'low' });
  assert.deepEqual(bandFor(bands, 10), { outcome: 'alert', reason: 'middle' });
  assert.deepEqual(bandFor(bands, 19), { outcome: 'alert', reason: 'middle' });
  assert.deepEqual(bandFor(bands, 20), { outcome: 'block', reason: 'high' });
  assert.deepEqual(bandFor(bands, Number.MAX_SAFE_INTEGER), { outcome: 'block', reason: 'high' });
});

test('a value below every band, NaN or infinity throws, which the pipeline turns into an error outcome', () => {
  assert.throws(() => bandFor(bands, -1), /no band holds -1/);
  assert.throws(() => bandFor(bands, Number.NaN), /not a finite number/);
  assert.throws(() => bandFor(bands, Number.POSITIVE_INFINITY), /not a finite number/);
});

test('well-formed bands have no problems', () => {
  assert.deepEqual(bandProblems(bands), []);
});

test('gaps, overlaps, empty lists, a closed last band, bad outcomes and bad reasons are each reported', () => {
  assert.deepEqual(bandProblems([]), ['has no bands']);
  assert.match(bandProblems([{ ...bands[0]!, upper: 9 }, bands[1]!, bands[2]!]).join(), /ends at 9 but band 1 starts at 10/);
  assert.match(bandProblems([{ ...bands[0]!, upper: 11 }, bands[1]!, bands[2]!]).join(), /ends at 11 but band 1 starts at 10/);
  assert.match(bandProblems([bands[0]!, bands[1]!]).join(), /last band ends at 20; it must be open/);
  assert.match(bandProblems([{ ...bands[0]!, upper: 0 }]).join(), /upper 0 not above lower 0/);
  assert.match(bandProblems([{ ...bands[0]!, upper: null, outcome: 'maybe' as never }]).join(), /outcome maybe/);
  assert.match(bandProblems([{ ...bands[0]!, upper: null, reason: 'Not A Code' }]).join(), /not a snake_case code/);
});

test('the worse of two outcomes is taken, error over block over alert over pass, the first on a tie', () => {
  assert.equal(worseOutcome({ outcome: 'pass', reason: 'a' }, { outcome: 'alert', reason: 'b' }).reason, 'b');
  assert.equal(worseOutcome({ outcome: 'block', reason: 'a' }, { outcome: 'alert', reason: 'b' }).reason, 'a');
  assert.equal(worseOutcome({ outcome: 'alert', reason: 'a' }, { outcome: 'alert', reason: 'b' }).reason, 'a');
  assert.equal(worseOutcome({ outcome: 'block', reason: 'a' }, { outcome: 'error', reason: 'b' }).reason, 'b');
});
