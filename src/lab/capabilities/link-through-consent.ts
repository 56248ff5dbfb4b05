/**
 * The 2020 theft tried against the hardened path: the attacker passes an operator's eKYC with a forged document in
 * the victim's name and date of birth (and the attacker's own phone), and is sent to the bank, which asks for the
 * internet-banking login and a second factor, then the consent with a second factor again. With a leaked password
 * the attacker logs in; without one they guess (the PIN, the birth date). The second factor needs the victim's
 * phone (the attacker swaps the SIM first) or a relayed code (src/lab/victim-codes.ts); without them the attacker
 * guesses codes until the factor locks and the customer is told. src/authorization/interaction-routes.ts is the
 * path; the 2020 reports are seeds 001, 003.
 */
import { Type } from '@sinclair/typebox';
import { attackerCapability } from '../lab-capability.ts';
import { PaceParams, paceTargets } from '../attack-pace.ts';
import { Devices, deviceFor } from '../attacker-devices.ts';
import { approveConsent, openAuthorization, postLogin, postSecondFactor, requestSmsCode, type PageAt } from '../bank-pages.ts';
import type { LabCustomer } from '../lab-actor.ts';
import { HOUR_MS } from '../lab-time.ts';
import { CONSENT_READING_MS } from '../consent-walk.ts';
import { codeFromVictim, factorTypedFor, VICTIM_HEEDS_SHARE_DEFAULT } from '../victim-codes.ts';
import type { Holding } from '../holdings.ts';

/** The attacker's own phone, which the forged wallet account was verified with. */
const ATTACKER_PHONE = '080-0000-0000';

/** Passwords an attacker who holds none tries: what they do hold, in the forms people use. */
function passwordGuesses(victim: LabCustomer, holds: ReadonlySet<string>): string[] {
  const { person } = victim;
  const guesses = [person.birth_date.replaceAll('-', ''), person.birth_date.slice(5).replace('-', '')];
  if (holds.has('pin')) guesses.unshift(person.pin);
  return guesses;
}

export const linkThroughConsent = attackerCapability({
  id: 'link-through-consent',
  does: 'tries the hardened path with a forged eKYC: the bank login with what is held, then the second factor',
  needs: ['name_and_birth_date', 'identity_document'],
  params: Type.Object({
    operators: Type.Array(Type.String(), { minItems: 1, maxItems: 20, description: 'Operator keys, used in turn' }),
    devices: Type.Optional(Devices),
    password_guesses: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'Passwords tried when none is held' })),
    code_guesses: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'Codes tried when neither the phone nor a relay is held' })),
    sim_swap_lead_hours: Type.Optional(Type.Number({ minimum: 0, maximum: 2400, description: 'Holding the phone: hours between the SIM swap and the link (a patient thief waits out the carrier check)' })),
    wallet_phone: Type.Optional(Type.Union([Type.Literal('attacker'), Type.Literal('victim')], {
      description: "The phone the forged wallet verified: the attacker's own (default), or the victim's number, its check code taken by the swapped SIM or relayed by the victim, for a full identity match",
    })),
    victim_heeds_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Holding a relay: share of victims who stop when the code text names an operator and warns (default 0.3)' })),
    ...PaceParams,
  }, { additionalProperties: false }),
  operatorsNamed: (params) => params.operators,
  start(use) {
    const { actor, params, world } = use;
    paceTargets(use, params, linkThroughConsent.needs, async (victim, index) => {
      const holds = actor.targets.find((target) => target.customer === victim)!.holds;
      if (!holds.has('phone_number')) return tryLink(victim, index, holds);
      world.changeSim(victim, actor);
      const lead_hours = params.sim_swap_lead_hours ?? 0;
      if (lead_hours === 0) return tryLink(victim, index, holds);
      world.at(actor, new Date(world.now().getTime() + lead_hours * HOUR_MS), () => tryLink(victim, index, holds));
    });

    async function tryLink(victim: LabCustomer, index: number, holds: ReadonlySet<Holding>): Promise<void> {
      const operator_key = params.operators[index % params.operators.length]!;
      const operator = world.operator(operator_key);
      const device_id = deviceFor(actor, params.devices, index);
      const record = (outcome: string, link_id: string | null = null) =>
        world.record(actor, { what: 'link', operator_key, victim_key: victim.key, method: 'fapi2', outcome, link_id });
      if (!operator.policy.link_methods.includes('fapi2')) return record('link_method_not_allowed');
      const { person } = victim;
      const pending = await operator.startConsent(await operator.attest({ name_kana: person.name_kana, birth_date: person.birth_date, phone: params.wallet_phone === 'victim' ? person.phone : ATTACKER_PHONE }));
      const browser = world.newBrowser(actor.ip);
      const opened = await openAuthorization(browser, pending.url);
      if (opened.at !== 'page') return record('authorization_refused');
      // Without the login id the attacker has only the account number to try as one.
      const login_id = holds.has('password') ? person.login_id : person.account_number;
      const passwords = holds.has('password') ? [person.password] : passwordGuesses(victim, holds).slice(0, params.password_guesses ?? 3);
      let login = { passed: false, at: opened };
      for (const password of passwords) {
        login = await postLogin(browser, login.at, { login_id, password });
        if (login.passed) break;
      }
      if (!login.passed) return record('login_refused');
      const readsCodes = holds.has('phone_number') || holds.has('relayed_code');
      const factor = factorTypedFor(victim, holds, world.now());
      const codeFor = async (purpose: 'login' | 'consent', at: Extract<PageAt, { at: 'page' }>) => {
        const sent_since = world.now();
        const next = factor === 'sms' ? await requestSmsCode(browser, at, purpose) : at;
        const got = await codeFromVictim(world, use.random, victim, holds, {
          factor, purpose, sent_since, requested_page: factor === 'sms' ? next.page : undefined, names: [operator.operator.display_name], heeds_share: params.victim_heeds_share ?? VICTIM_HEEDS_SHARE_DEFAULT,
        });
        return { at: next, got };
      };
      let at = login.at;
      let consent = null;
      if (readsCodes) {
        const asked = await codeFor('login', at);
        if (!asked.got.ok) return record(asked.got.why);
        const next = await postSecondFactor(browser, asked.at, factor, asked.got.code, world.bank_origin);
        if (next.at === 'page' && next.uid !== opened.uid) consent = next;
      } else {
        for (let guess = 0; guess < (params.code_guesses ?? 5); guess++) {
          const next = await postSecondFactor(browser, at, factor, String(use.random.integer(100_000, 999_999)), world.bank_origin);
          if (next.at !== 'page') break;
          if (next.uid !== opened.uid) {
            consent = next;
            break;
          }
          at = next;
        }
      }
      if (!consent) return record('second_factor_refused');
      const consentPage = consent;
      const approve = async () => {
        const approval = await codeFor('consent', consentPage);
        if (!approval.got.ok) return record(approval.got.why);
        const back = await approveConsent(browser, approval.at, factor, approval.got.code, world.bank_origin);
        if (back.at !== 'operator') return record('consent_not_approved');
        const answer = await operator.finishConsent(back.callback, pending);
        if (!answer.ok) return record(answer.code);
        record('made', answer.link.link_id);
        actor.links.push({ link: answer.link, victim, device_id });
        world.tell(actor, { kind: 'linked', link: answer.link, victim, device_id });
      };
      // An authenticator code is accepted once per 30-second step, so a relaying victim types the consent's code from a
      // later step, as an honest customer does (src/lab/consent-walk.ts); an SMS code is a new one anyway.
      if (factor === 'sms') return approve();
      world.at(actor, new Date(world.now().getTime() + CONSENT_READING_MS), approve, { exact: true });
    }
  },
});
