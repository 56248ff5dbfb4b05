/**
 * Once a link is made, the attacker charges it: soon after linking, up to the per-charge cap (¥100,000 in 2020),
 * again until the month's cap (¥300,000) or the balance runs out, the next month again; the largest 2020 loss was
 * ¥600,000 (seeds 001, 003). When the balance is too low the attacker halves the amount. A link the bank freezes,
 * revokes or keeps refusing is given up.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { attackerCapability } from '../lab-capability.ts';
import { HOUR_MS, MINUTE_MS, nextJapanMonth } from '../lab-time.ts';

/** The attacker stops halving below this: a few thousand yen is not worth the risk of a notice. */
const AMOUNT_YEN_MIN = 1000;
/** Refusals that end a link for good. */
const LINK_GONE = new Set(['link_frozen', 'link_revoked', 'link_token_invalid', 'consent_expired', 'access_token_invalid']);

export const drainLink = attackerCapability({
  id: 'drain-link',
  does: 'charges each link obtained up to the per-charge and monthly caps until the bank stops it or the money runs out',
  needs: [],
  params: Type.Object({
    first_charge_minutes: Type.Optional(Distribution),
    amount_yen: Type.Optional(Distribution),
    interval_hours: Type.Optional(Distribution),
    charges_per_link_max: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    refusals_max: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Refusals by the bank after which a link is given up' })),
  }, { additionalProperties: false }),
  start() {},
  react({ actor, params, world, random }, happening) {
    if (happening.kind !== 'linked' || happening.victim === null) return;
    const { link, victim, device_id } = happening;
    const operator = world.operator(link.operator_key);
    const cap = Math.min(operator.operator.charge_yen_max, operator.operator.charges_yen_per_month_max);
    let amount = params.amount_yen === undefined ? cap : Math.min(cap, Math.round(sample(params.amount_yen, random)));
    let charges = 0;
    let refusals = 0;
    const charge = async () => {
      charges++;
      const answer = await operator.charge(link, { amount_yen: amount, device_id, idempotency_key: world.idempotencyKey(actor) });
      const outcome = answer.kind === 'answered' ? answer.status : answer.code;
      world.record(actor, { what: 'charge', operator_key: link.operator_key, victim_key: victim.key, link_id: link.link_id, amount_yen: amount, outcome, charge_id: answer.kind === 'answered' ? answer.charge_id : null });
      if (answer.kind === 'answered' && answer.status === 'pending_approval') world.tell(actor, { kind: 'charge_waiting', link, victim, charge_id: answer.charge_id });
      let next = new Date(world.now().getTime() + Math.max(0, sample(params.interval_hours ?? { uniform: [0.5, 6] }, random)) * HOUR_MS);
      if (answer.kind === 'refused') {
        if (LINK_GONE.has(answer.code)) return;
        if (answer.code === 'insufficient_funds') {
          amount = Math.floor(amount / 2);
          if (amount < AMOUNT_YEN_MIN) return;
          charges--;
        } else if (answer.code === 'charges_yen_per_month_max_exceeded') {
          next = new Date(nextJapanMonth(world.now()).getTime() + random.next() * 6 * HOUR_MS);
          charges--;
        } else if (++refusals >= (params.refusals_max ?? 3)) {
          return;
        }
      }
      if (charges >= (params.charges_per_link_max ?? 100)) return;
      world.at(actor, next, charge);
    };
    const first = Math.max(0, sample(params.first_charge_minutes ?? { uniform: [2, 30] }, random));
    world.at(actor, new Date(world.now().getTime() + first * MINUTE_MS), charge, { exact: true });
  },
});
