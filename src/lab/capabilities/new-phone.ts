/**
 * A customer gets a new phone and has the carrier move their own number to its SIM. Texts still reach them, but the
 * carrier's SIM Swap API now dates a change, exactly as after a thief's swap: the lab counts what that costs an honest
 * customer (a refused SMS within the carrier window, held charges on a link approved by SMS soon after).
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { customerCapability } from '../lab-capability.ts';
import { WAKING_HOURS_DEFAULT, daysAfter, withinWakingHours } from '../lab-time.ts';

export const newPhone = customerCapability({
  id: 'new-phone',
  does: 'moves the customer’s own number to a new SIM once (a new handset): the carrier dates the change, texts still reach them',
  params: Type.Object({
    at_day: Distribution,
  }, { additionalProperties: false }),
  start({ actor, params, world, random }) {
    const when = withinWakingHours(daysAfter(world.start, Math.max(0, sample(params.at_day, random))), WAKING_HOURS_DEFAULT, random);
    world.at(actor, when, async () => world.changeSim(actor, actor));
  },
});
