import { Type, type Static } from '@sinclair/typebox';
import type { SeededRandom } from './seeded-random.ts';

/** The z-score of the 90th percentile of a normal distribution: turns a median and a p90 into a lognormal's sigma. */
const Z_90 = 1.2815515655446004;

const Clamp = {
  min: Type.Optional(Type.Number({ description: 'No draw is below this' })),
  max: Type.Optional(Type.Number({ description: 'No draw is above this' })),
};

/**
 * A value in a scenario that varies between customers or between moves: a fixed number, or a distribution a
 * scenario author can read at a glance. Lognormal is given by its median and 90th percentile, the way a delay
 * is described ("most noticed within two weeks, one in ten after a month").
 */
export const Distribution = Type.Union([
  Type.Number({ description: 'Always this value' }),
  Type.Object({ uniform: Type.Tuple([Type.Number(), Type.Number()], { description: '[low, high]' }), ...Clamp }, { additionalProperties: false }),
  Type.Object({
    lognormal: Type.Object({ median: Type.Number({ exclusiveMinimum: 0 }), p90: Type.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false }),
    ...Clamp,
  }, { additionalProperties: false }),
  Type.Object({ exponential: Type.Object({ mean: Type.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false }), ...Clamp }, { additionalProperties: false }),
  Type.Object({
    choice: Type.Array(Type.Number(), { minItems: 1, maxItems: 100 }),
    weights: Type.Optional(Type.Array(Type.Number({ minimum: 0 }), { minItems: 1, maxItems: 100 })),
  }, { additionalProperties: false }),
], { description: 'A number, or {uniform: [low, high]}, {lognormal: {median, p90}}, {exponential: {mean}}, {choice: [...], weights: [...]}' });
export type Distribution = Static<typeof Distribution>;

/** What is wrong with a distribution beyond its shape (a p90 below the median, a reversed range), or nothing. */
export function distributionProblem(distribution: Distribution): string | undefined {
  if (typeof distribution === 'number') return Number.isFinite(distribution) ? undefined : 'must be a finite number';
  if ('uniform' in distribution && distribution.uniform[1] < distribution.uniform[0]) return 'uniform: high is below low';
  if ('lognormal' in distribution && distribution.lognormal.p90 < distribution.lognormal.median) return 'lognormal: p90 is below the median';
  if ('choice' in distribution && distribution.weights) {
    if (distribution.weights.length !== distribution.choice.length) return 'weights: one weight per choice';
    if (!distribution.weights.some((weight) => weight > 0)) return 'weights: at least one must be above 0';
  }
  if ('min' in distribution && 'max' in distribution && distribution.min !== undefined && distribution.max !== undefined && distribution.max < distribution.min) {
    return 'max is below min';
  }
  return undefined;
}

/** The least and the most a distribution can give: for checks such as "a balance is never negative". */
export function distributionRange(distribution: Distribution): [number, number] {
  if (typeof distribution === 'number') return [distribution, distribution];
  let range: [number, number];
  if ('uniform' in distribution) range = distribution.uniform;
  else if ('choice' in distribution) range = [Math.min(...distribution.choice), Math.max(...distribution.choice)];
  else range = [0, Number.POSITIVE_INFINITY];
  const min = 'min' in distribution && distribution.min !== undefined ? distribution.min : undefined;
  const max = 'max' in distribution && distribution.max !== undefined ? distribution.max : undefined;
  return [Math.max(range[0], min ?? range[0]), Math.min(range[1], max ?? range[1])];
}

/** Draws one value. */
export function sample(distribution: Distribution, random: SeededRandom): number {
  if (typeof distribution === 'number') return distribution;
  let value: number;
  if ('uniform' in distribution) {
    const [low, high] = distribution.uniform;
    value = low + random.next() * (high - low);
  } else if ('lognormal' in distribution) {
    const mu = Math.log(distribution.lognormal.median);
    const sigma = (Math.log(distribution.lognormal.p90) - mu) / Z_90;
    value = Math.exp(mu + sigma * random.normal());
  } else if ('exponential' in distribution) {
    value = -distribution.exponential.mean * Math.log(1 - random.next());
  } else {
    const weights = distribution.weights ?? distribution.choice.map(() => 1);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let point = random.next() * total;
    let index = 0;
    for (; index < weights.length - 1; index++) {
      point -= weights[index]!;
      if (point < 0) break;
    }
    return distribution.choice[index]!;
  }
  if (distribution.min !== undefined) value = Math.max(distribution.min, value);
  if (distribution.max !== undefined) value = Math.min(distribution.max, value);
  return value;
}

/** Draws a whole number (rounded to nearest). */
export function sampleInteger(distribution: Distribution, random: SeededRandom): number {
  return Math.round(sample(distribution, random));
}
