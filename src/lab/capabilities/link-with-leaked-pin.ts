/**
 * The 2020 theft itself: the attacker opens a wallet in the victim's name (name and e-mail only) and links the
 * victim's account by typing the leaked account number, cash-card PIN, name and date of birth into the wallet,
 * which sends them to the bank server-to-server with no second factor. NTT Docomo's "ドコモ口座", September 2020:
 * 66 cases, ¥18M at 11 of 35 banks (seeds 003); Japan Post Bank through PayPay, Kyash and others, about 380 cases
 * and ¥60M from July 2017 (seeds 000, 002, 004). Where the operator's policy no longer allows the path, the bank
 * refuses it (`link_method_not_allowed`) and nothing is learnt about the PIN.
 */
import { Type } from '@sinclair/typebox';
import { attackerCapability } from '../lab-capability.ts';
import { PaceParams, paceTargets } from '../attack-pace.ts';
import { Devices, deviceFor } from '../attacker-devices.ts';

export const linkWithLeakedPin = attackerCapability({
  id: 'link-with-leaked-pin',
  does: 'links victims’ accounts on the 2020 path with the leaked account number, PIN, name and date of birth',
  needs: ['account_number', 'pin', 'name_and_birth_date'],
  params: Type.Object({
    operators: Type.Array(Type.String(), { minItems: 1, maxItems: 20, description: 'Operator keys, used in turn' }),
    devices: Type.Optional(Devices),
    ...PaceParams,
  }, { additionalProperties: false }),
  operatorsNamed: (params) => params.operators,
  start(use) {
    const { actor, params, world } = use;
    paceTargets(use, params, linkWithLeakedPin.needs, async (victim, index) => {
      const operator_key = params.operators[index % params.operators.length]!;
      const device_id = deviceFor(actor, params.devices, index);
      const { person } = victim;
      const answer = await world.operator(operator_key).legacyLink({
        branch_code: person.branch_code, account_number: person.account_number, pin: person.pin, name_kana: person.name_kana, birth_date: person.birth_date,
      }, device_id);
      world.record(actor, { what: 'link', operator_key, victim_key: victim.key, method: 'legacy_pin', outcome: answer.ok ? 'made' : answer.code, link_id: answer.ok ? answer.link.link_id : null });
      if (!answer.ok) return;
      actor.links.push({ link: answer.link, victim, device_id });
      world.tell(actor, { kind: 'linked', link: answer.link, victim, device_id });
    });
  },
});
