/**
 * An honest customer links their account to an operator, the way the configuration's policy allows: at the bank's
 * consent pages with a password and a second factor (FAPI 2.0), or, where an operator still offers it, by typing
 * the account number, cash-card PIN, name and date of birth into the wallet (the 2020 path). Some mistype their
 * password or PIN first, as people do. When a consent runs out (180 days) and a charge is refused, they link again.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { customerCapability } from '../lab-capability.ts';
import { OperatorChoice, operatorFor, operatorsOf } from '../operator-choice.ts';
import { HOUR_MS, WAKING_HOURS_DEFAULT, daysAfter, withinWakingHours } from '../lab-time.ts';
import { CONSENT_READING_MS, beginConsent, finishConsent, type ConsentInProgress } from '../consent-walk.ts';
import type { LinkAnswer } from '../lab-operator.ts';
import type { LabCustomer } from '../lab-actor.ts';
import type { LabWorld } from '../lab-world.ts';

/** A relink waits this long after the refused charge: the wallet says why, the customer goes through the bank again. */
const RELINK_AFTER_MS = HOUR_MS;
/** A link refused for a reason that may pass (too many attempts from the operator's address) is tried again the next day… */
const RETRY_AFTER_MS = 24 * HOUR_MS;
/** …at most this many times in all, as a person gives up after a few tries. */
const LINK_TRIES_MAX = 3;
/** Refusals that say "not now" rather than "no": a throttled source, a suspended operator. */
const PASSING_REFUSALS = new Set(['too_many_attempts', 'new_links_suspended']);

async function linkNow(world: LabWorld, customer: LabCustomer, operator_key: string, typo: { password: boolean; pin: boolean }): Promise<LinkAnswer | ConsentInProgress> {
  const operator = world.operator(operator_key);
  if (operator.policy.link_methods.includes('fapi2')) {
    return beginConsent(world, customer, operator, typo.password);
  }
  const { person } = customer;
  const details = { branch_code: person.branch_code, account_number: person.account_number, name_kana: person.name_kana, birth_date: person.birth_date };
  if (typo.pin) await operator.legacyLink({ ...details, pin: person.pin === '0000' ? '0001' : '0000' }, customer.device_id);
  return operator.legacyLink({ ...details, pin: person.pin }, customer.device_id);
}

export const linkAccount = customerCapability({
  id: 'link-account',
  does: "links the customer's account to an operator the way its policy allows: consent at the bank with a second factor, or the 2020 PIN form",
  params: Type.Object({
    operator: OperatorChoice,
    at_day: Type.Optional(Distribution),
    password_typo_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of logins that start with a mistyped password' })),
    pin_typo_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of 2020-path links that start with a mistyped PIN' })),
  }, { additionalProperties: false }),
  operatorsNamed: (params) => operatorsOf(params.operator),
  start({ actor, params, world, random, memory }) {
    const operator_key = operatorFor(actor, params.operator);
    const link = async (): Promise<void> => {
      const typo = { password: random.chance(params.password_typo_share ?? 0), pin: random.chance(params.pin_typo_share ?? 0) };
      const answer = await linkNow(world, actor, operator_key, typo);
      if ('pending' in answer) {
        const walk = answer;
        world.at(actor, new Date(world.now().getTime() + CONSENT_READING_MS), async () => settle(await finishConsent(world, actor, walk), 'fapi2'), { exact: true });
        return;
      }
      settle(answer, 'legacy_pin');
    };
    let tries = 0;
    const settle = (answer: LinkAnswer, method: 'fapi2' | 'legacy_pin') => {
      tries++;
      world.record(actor, { what: 'link', operator_key, victim_key: null, method, outcome: answer.ok ? 'made' : answer.code, link_id: answer.ok ? answer.link.link_id : null });
      if (!answer.ok && PASSING_REFUSALS.has(answer.code) && tries < LINK_TRIES_MAX) {
        world.at(actor, withinWakingHours(new Date(world.now().getTime() + RETRY_AFTER_MS), WAKING_HOURS_DEFAULT, random), link);
        return;
      }
      memory.set('linking', false);
      tries = 0;
      if (!answer.ok) return;
      actor.links.set(operator_key, answer.link);
      world.tell(actor, { kind: 'linked', link: answer.link, victim: null, device_id: actor.device_id });
    };
    memory.set('relink', () => {
      if (memory.get('linking') === true) return;
      memory.set('linking', true);
      world.at(actor, withinWakingHours(new Date(world.now().getTime() + RELINK_AFTER_MS), WAKING_HOURS_DEFAULT, random), link);
    });
    memory.set('linking', true);
    world.at(actor, withinWakingHours(daysAfter(world.start, Math.max(0, sample(params.at_day ?? 0, random))), WAKING_HOURS_DEFAULT, random), link);
  },
  react({ actor, params, memory }, happening) {
    if (happening.kind === 'charge_refused' && happening.code === 'consent_expired' && happening.link.operator_key === operatorFor(actor, params.operator)) {
      (memory.get('relink') as () => void)();
    }
  },
});
