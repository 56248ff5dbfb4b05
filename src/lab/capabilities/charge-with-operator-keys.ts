/**
 * A leaked operator database: the attacker holds an operator's client key and every link credential it keeps for its
 * users (link tokens, or refresh tokens with their DPoP keys), and charges each link once, a modest sum, within
 * minutes, from a server of its own. Each charge looks like the operator's; only the pattern across the operator
 * (hundreds of charges where its busiest hour had a few) and the address they come from give it away. Seen in
 * review (furikae issue 12, point 4): ¥30,000 from about 500 links in 10 minutes, every decision `allow`, the first
 * alert a customer's "not me" 70 minutes later. The operator's own copy of each credential is left as it was, so a
 * refresh by the thief rotates the token under the operator, as it would.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { attackerCapability } from '../lab-capability.ts';
import { MINUTE_MS, daysAfter } from '../lab-time.ts';
import type { HeldLink } from '../lab-operator.ts';

/** The device the thief's charges claim: one server, relayed as the operator would relay a user's phone. */
const BREACH_DEVICE_ID = 'leaked-database-runner';

export const chargeWithOperatorKeys = attackerCapability({
  id: 'charge-with-operator-keys',
  does: 'charges every link a leaked operator database holds, once each within minutes, from the attacker’s own server',
  needs: [],
  params: Type.Object({
    operator: Type.String({ description: 'The operator whose database leaked; the attacker must hold its operator_keys' }),
    at_day: Distribution,
    over_minutes: Type.Optional(Type.Number({ minimum: 0, maximum: 1440, description: 'The charges are spread evenly over this many minutes (default 10)' })),
    amount_yen: Type.Optional(Distribution),
    links_max: Type.Optional(Type.Integer({ minimum: 1 })),
  }, { additionalProperties: false }),
  operatorsNamed: (params) => [params.operator],
  start({ actor, params, world, random }) {
    if (!actor.operator_keys.includes(params.operator)) throw new Error(`${actor.key} plays charge-with-operator-keys on ${params.operator} but holds no operator_keys of it`);
    const breach_at = daysAfter(world.start, Math.max(0, sample(params.at_day, random)));
    world.at(actor, breach_at, async () => {
      const held = random.shuffle(world.linksHeldBy(params.operator)).slice(0, params.links_max ?? Number.POSITIVE_INFINITY);
      const spacing_ms = held.length === 0 ? 0 : ((params.over_minutes ?? 10) * MINUTE_MS) / held.length;
      const stolen = world.operator(params.operator).from(actor.ip);
      held.forEach(({ customer, link }, index) => {
        // The database's copy of the credential: what the thief refreshes is its own from here on.
        const copy: HeldLink = { ...link, credential: { ...link.credential } };
        world.at(actor, new Date(breach_at.getTime() + index * spacing_ms), async () => {
          const amount_yen = Math.round(sample(params.amount_yen ?? 30_000, random));
          const answer = await stolen.charge(copy, { amount_yen, device_id: BREACH_DEVICE_ID, idempotency_key: world.idempotencyKey(actor) });
          world.record(actor, {
            what: 'charge', operator_key: params.operator, victim_key: customer.key, link_id: link.link_id, amount_yen,
            outcome: answer.kind === 'answered' ? answer.status : answer.code, charge_id: answer.kind === 'answered' ? answer.charge_id : null,
          });
        }, { exact: true });
      });
    }, { exact: true });
  },
});
