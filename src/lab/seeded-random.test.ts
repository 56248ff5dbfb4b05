import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from './seeded-random.ts';
import { sample, distributionProblem } from './distribution.ts';

test('the same seed and stream give the same numbers; another stream or seed gives others', () => {
  const draw = (seed: number, name: string) => Array.from({ length: 5 }, ((random) => () => random.next())(seededRandom(seed, name)));
  assert.deepEqual(draw(7, 'a'), draw(7, 'a'));
  assert.notDeepEqual(draw(7, 'a'), draw(7, 'b'));
  assert.notDeepEqual(draw(7, 'a'), draw(8, 'a'));
  assert.deepEqual(draw(7, 'a/x'), Array.from({ length: 5 }, ((random) => () => random.next())(seededRandom(7, 'a').stream('x'))));
});

test('integers stay within their bounds, both included, and cover them', () => {
  const random = seededRandom(1);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const value = random.integer(3, 6);
    assert.ok(value >= 3 && value <= 6);
    seen.add(value);
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
  assert.throws(() => random.integer(5, 4), RangeError);
});

test('distributions: a lognormal has about the median and p90 it was given; clamps and choices hold', () => {
  const random = seededRandom(2);
  const draws = Array.from({ length: 20_000 }, () => sample({ lognormal: { median: 14, p90: 40 } }, random)).sort((a, b) => a - b);
  assert.ok(Math.abs(draws[10_000]! - 14) < 1, `median ${draws[10_000]}`);
  assert.ok(Math.abs(draws[18_000]! - 40) < 3, `p90 ${draws[18_000]}`);
  for (let i = 0; i < 500; i++) {
    const value = sample({ exponential: { mean: 10 }, max: 12 }, random);
    assert.ok(value >= 0 && value <= 12);
    assert.ok([1, 2].includes(sample({ choice: [1, 2], weights: [0, 1] }, random)) && sample({ choice: [1, 2], weights: [0, 1] }, random) === 2);
  }
  assert.equal(distributionProblem({ uniform: [5, 1] }), 'uniform: high is below low');
  assert.equal(distributionProblem({ choice: [1, 2], weights: [1] }), 'weights: one weight per choice');
});
