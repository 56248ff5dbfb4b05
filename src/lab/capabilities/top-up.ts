/**
 * An honest customer tops up their wallet from their bank account: a few times a month at their own rate, amounts
 * from the scenario's distribution, while awake, the first soon after linking. A charge refused because the consent
 * ran out waits for the customer to link again and is then sent once more.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { customerCapability } from '../lab-capability.ts';
import { OperatorChoice, operatorFor, operatorsOf } from '../operator-choice.ts';
import { HOUR_MS, WAKING_HOURS_DEFAULT, WakingHours, daysAfter, nextPoisson, withinWakingHours } from '../lab-time.ts';
import type { HeldLink } from '../lab-operator.ts';

/** Charges are whole hundreds of yen: wallets offer ¥1,000, ¥3,000, ¥5,000 buttons and round amounts. */
const AMOUNT_ROUNDING_YEN = 100;
/** The bank refused for good: the link is frozen or revoked; the customer stops using it. */
const LINK_GONE = new Set(['link_frozen', 'link_revoked', 'link_token_invalid']);

export const topUp = customerCapability({
  id: 'top-up',
  does: 'charges the linked account a few times a month at the customer’s own rate and amounts, while awake',
  params: Type.Object({
    operator: OperatorChoice,
    per_month: Distribution,
    amount_yen: Distribution,
    first_charge_hours: Type.Optional(Distribution),
    active_days: Type.Optional(Distribution),
    hours: Type.Optional(WakingHours),
  }, { additionalProperties: false }),
  operatorsNamed: (params) => operatorsOf(params.operator),
  paramProblems: (params) => (typeof params.per_month === 'number' && params.per_month <= 0 ? [{ path: '/per_month', message: 'must be above 0' }] : []),
  start({ params, random, memory }) {
    // Each customer keeps their own habits for the whole run.
    memory.set('per_month', Math.max(0.01, sample(params.per_month, random)));
    memory.set('active_days', params.active_days === undefined ? Number.POSITIVE_INFINITY : sample(params.active_days, random));
  },
  react({ actor, params, world, random, memory }, happening) {
    const operator_key = operatorFor(actor, params.operator);
    if (happening.kind !== 'linked' || happening.victim !== null || happening.link.operator_key !== operator_key) return;
    const hours = params.hours ?? WAKING_HOURS_DEFAULT;
    const charge = async (amount_yen: number): Promise<void> => {
      const link = actor.links.get(operator_key) as HeldLink;
      const answer = await world.operator(operator_key).charge(link, { amount_yen, device_id: actor.device_id, idempotency_key: world.idempotencyKey(actor) });
      const outcome = answer.kind === 'answered' ? answer.status : answer.code;
      world.record(actor, { what: 'charge', operator_key, victim_key: null, link_id: link.link_id, amount_yen, outcome, charge_id: answer.kind === 'answered' ? answer.charge_id : null });
      if (answer.kind === 'answered') actor.charges.set(answer.charge_id, { amount_yen, operator_key });
      if (answer.kind === 'refused' && answer.code === 'consent_expired') {
        memory.set('retry_yen', amount_yen);
        world.tell(actor, { kind: 'charge_refused', link, code: answer.code });
        return;
      }
      if (answer.kind === 'refused' && LINK_GONE.has(answer.code)) return;
      plan();
    };
    const plan = () => {
      const next = withinWakingHours(nextPoisson(world.now(), memory.get('per_month') as number, random), hours, random);
      if (next.getTime() > daysAfter(memory.get('first_at') as Date, memory.get('active_days') as number).getTime()) return;
      world.at(actor, next, () => charge(amountOf()));
    };
    const amountOf = () => Math.max(AMOUNT_ROUNDING_YEN, Math.round(sample(params.amount_yen, random) / AMOUNT_ROUNDING_YEN) * AMOUNT_ROUNDING_YEN);
    const retry = memory.get('retry_yen') as number | undefined;
    if (retry !== undefined) {
      memory.delete('retry_yen');
      world.at(actor, world.now(), () => charge(retry));
      return;
    }
    if (memory.has('first_at')) return;
    memory.set('first_at', world.now());
    const first = new Date(world.now().getTime() + Math.max(0, sample(params.first_charge_hours ?? 0, random)) * HOUR_MS);
    world.at(actor, withinWakingHours(first, hours, random), () => charge(amountOf()));
  },
});
