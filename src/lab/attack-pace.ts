import { Type } from '@sinclair/typebox';
import { Distribution, sample } from './distribution.ts';
import { DAY_MS, WakingHours, daysAfter, withinWakingHours } from './lab-time.ts';
import type { LabAttacker, LabCustomer } from './lab-actor.ts';
import type { Holding } from './holdings.ts';
import type { LabWorld } from './lab-world.ts';
import type { SeededRandom } from './seeded-random.ts';

/** When and how fast an attacker works through their targets: the parameters every targeting capability shares. */
export const PaceParams = {
  from_day: Type.Optional(Distribution),
  per_day: Distribution,
  hours: Type.Optional(WakingHours),
  targets_max: Type.Optional(Type.Integer({ minimum: 0, description: 'At most this many targets (default: every one held)' })),
};

/** Attackers work at any hour unless told otherwise: scripts do not sleep. */
const ALL_DAY: [number, number] = [0, 24];

/**
 * Works through the attacker's targets holding everything in `needs`, one at a time, in a random order, the first on
 * `from_day` and each next after a wait drawn so that `per_day` are tried a day on average.
 */
export function paceTargets(
  { actor, world, random }: { actor: LabAttacker; world: LabWorld; random: SeededRandom },
  params: { from_day?: Distribution | undefined; per_day: Distribution; hours?: [number, number] | undefined; targets_max?: number | undefined },
  needs: readonly Holding[],
  attempt: (target: LabCustomer, index: number) => Promise<void>,
): void {
  const targets = random.shuffle(actor.targets.filter((target) => needs.every((holding) => target.holds.has(holding))))
    .slice(0, params.targets_max ?? Number.POSITIVE_INFINITY);
  const hours = params.hours ?? ALL_DAY;
  const next = (index: number, after: Date) => {
    if (index >= targets.length) return;
    const per_day = Math.max(1e-6, sample(params.per_day, random));
    const at = withinWakingHours(new Date(after.getTime() - (DAY_MS / per_day) * Math.log(1 - random.next())), hours, random);
    world.at(actor, at, async () => {
      await attempt(targets[index]!.customer, index);
      next(index + 1, world.now());
    });
  };
  next(0, daysAfter(world.start, Math.max(0, sample(params.from_day ?? 0, random))));
}
