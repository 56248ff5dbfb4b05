/**
 * A customer takes cash from the bank's ATMs now and then, so money leaves the account outside any operator: the
 * bank's dormancy feature ("days since money last left the account") sees an active account, as it would for a
 * customer who pays bills and shops. A dormant cohort starts later, or never.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { customerCapability } from '../lab-capability.ts';
import { WAKING_HOURS_DEFAULT, daysAfter, nextPoisson, withinWakingHours } from '../lab-time.ts';

/** ATMs pay out whole thousands of yen. */
const ATM_NOTE_YEN = 1000;

export const spendCash = customerCapability({
  id: 'spend-cash',
  does: 'withdraws cash at the bank’s ATM a few times a month, so the account is not dormant',
  params: Type.Object({
    per_month: Distribution,
    amount_yen: Distribution,
    from_day: Type.Optional(Distribution),
  }, { additionalProperties: false }),
  start({ actor, params, world, random }) {
    const per_month = Math.max(0.01, sample(params.per_month, random));
    const withdraw = async () => {
      const amount_yen = Math.max(ATM_NOTE_YEN, Math.round(sample(params.amount_yen, random) / ATM_NOTE_YEN) * ATM_NOTE_YEN);
      await world.withdraw(actor, amount_yen);
      plan(world.now());
    };
    const plan = (after: Date) => world.at(actor, withinWakingHours(nextPoisson(after, per_month, random), WAKING_HOURS_DEFAULT, random), withdraw);
    plan(daysAfter(world.start, Math.max(0, sample(params.from_day ?? 0, random))));
  },
});
