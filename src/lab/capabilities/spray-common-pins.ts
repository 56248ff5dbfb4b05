/**
 * Reverse brute force: with leaked account numbers, names and dates of birth but no PINs, the attacker tries one
 * or a few common PINs (1234, 0000…, or the birth date's month and day) against many accounts, a few an hour,
 * spread over operators and devices so that no account sees more than one wrong PIN and no single source looks
 * busy. Suspected in 2020 (seeds 001: "passwords... possibly phishing"; the FSA's questions to 77 operators,
 * seeds 002). Each success is a link made on a victim's account; the attacker's other capabilities drain it.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { attackerCapability } from '../lab-capability.ts';
import { HOUR_MS, WakingHours, daysAfter, withinWakingHours } from '../lab-time.ts';
import { Devices, deviceFor } from '../attacker-devices.ts';
import type { LabCustomer } from '../lab-actor.ts';

/** The PIN the attacker derives from the birth date they hold: month and day, the commonest personal PIN. */
const BIRTH_MONTH_DAY = 'birth-mmdd';

function pinFor(guess: string, victim: LabCustomer): string {
  return guess === BIRTH_MONTH_DAY ? victim.person.birth_date.slice(5).replace('-', '') : guess;
}

export const sprayCommonPins = attackerCapability({
  id: 'spray-common-pins',
  does: 'tries a few common PINs across many accounts on the 2020 path, spread over operators and devices',
  needs: ['account_number', 'name_and_birth_date'],
  params: Type.Object({
    pins: Type.Array(Type.Union([Type.String({ pattern: '^[0-9]{4}$' }), Type.Literal(BIRTH_MONTH_DAY)]), { minItems: 1, maxItems: 10 }),
    operators: Type.Array(Type.String(), { minItems: 1, maxItems: 20, description: 'Operator keys, used in turn' }),
    devices: Type.Optional(Devices),
    attempts_per_hour: Distribution,
    from_day: Type.Optional(Distribution),
    hours: Type.Optional(WakingHours),
    targets_max: Type.Optional(Type.Integer({ minimum: 0 })),
  }, { additionalProperties: false }),
  operatorsNamed: (params) => params.operators,
  start({ actor, params, world, random }) {
    const targets = random.shuffle(actor.targets.filter((target) => sprayCommonPins.needs.every((holding) => target.holds.has(holding))))
      .slice(0, params.targets_max ?? Number.POSITIVE_INFINITY).map((target) => target.customer);
    // PIN by PIN across every account: each account sees one wrong PIN per round, never three in a row.
    const attempts = params.pins.flatMap((guess) => targets.map((victim) => ({ guess, victim })));
    const linked = new Set<string>();
    const hours = params.hours ?? [0, 24] as [number, number];
    const next = (index: number, after: Date) => {
      if (index >= attempts.length) return;
      const per_hour = Math.max(1e-6, sample(params.attempts_per_hour, random));
      const at = withinWakingHours(new Date(after.getTime() - (HOUR_MS / per_hour) * Math.log(1 - random.next())), hours, random);
      world.at(actor, at, async () => {
        const { guess, victim } = attempts[index]!;
        if (!linked.has(victim.key)) {
          const operator_key = params.operators[index % params.operators.length]!;
          const device_id = deviceFor(actor, params.devices, index);
          const { person } = victim;
          const answer = await world.operator(operator_key).legacyLink({
            branch_code: person.branch_code, account_number: person.account_number, pin: pinFor(guess, victim), name_kana: person.name_kana, birth_date: person.birth_date,
          }, device_id);
          world.record(actor, { what: 'link', operator_key, victim_key: victim.key, method: 'legacy_pin', outcome: answer.ok ? 'made' : answer.code, link_id: answer.ok ? answer.link.link_id : null });
          if (answer.ok) {
            linked.add(victim.key);
            actor.links.push({ link: answer.link, victim, device_id });
            world.tell(actor, { kind: 'linked', link: answer.link, victim, device_id });
          }
        }
        next(index + 1, world.now());
      });
    };
    next(0, daysAfter(world.start, Math.max(0, sample(params.from_day ?? 0, random))));
  },
});
