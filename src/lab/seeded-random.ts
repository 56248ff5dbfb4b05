import { createHash } from 'node:crypto';

/**
 * Deterministic random numbers for the lab: the same seed gives the same run. Not for secrets (the bank's own
 * tokens and codes come from node:crypto). Each actor draws from its own stream, named after it, so adding a
 * customer or an attacker to a scenario does not change what every other actor does.
 */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  integer(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A copy of the list in a random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** A standard normal deviate (Box–Muller). */
  normal(): number;
  /** An independent stream for `name`, derived from this stream's seed. */
  stream(name: string): SeededRandom;
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counter): 128 bits of state, passes PractRand, and is a few lines.
 * Seeded from SHA-256 of the seed and the stream's name, so streams are unrelated to each other.
 */
export function seededRandom(seed: number | string, name = 'root'): SeededRandom {
  const key = `${seed}/${name}`;
  const digest = createHash('sha256').update(key).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const nextUint32 = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of a freshly seeded counter generator are the least mixed: discard a few.
  for (let i = 0; i < 12; i++) nextUint32();

  const random: SeededRandom = {
    next: () => nextUint32() / 4294967296,
    integer(min, max) {
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) throw new RangeError(`bad integer range [${min}, ${max}]`);
      return min + Math.floor(random.next() * (max - min + 1));
    },
    chance: (p) => random.next() < p,
    pick(items) {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(random.next() * items.length)]!;
    },
    shuffle(items) {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy;
    },
    normal() {
      // 1 - next() is in (0, 1], so the logarithm is finite.
      const u = 1 - random.next();
      const v = random.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    stream: (child) => seededRandom(seed, `${name}/${child}`),
  };
  return random;
}
