/**
 * How an attacker gets a victim's one-time code, by what the attacker holds about the victim:
 * - `phone_number`: the victim's SIM was swapped to the attacker's, so the bank's texts to that number reach the
 *   attacker, and no longer the victim (src/lab/run-scenario.ts routes them): the attacker reads the code.
 * - `relayed_code`: the victim is on the attacker's fake page and types in the code they are sent. A text that names
 *   what it approves (the operator, or the payee and amount) and warns that the bank never asks for it elsewhere is
 *   heeded by a share of victims, who stop there. The login code the fake page asked for, and an authenticator
 *   app's code, name nothing, so they are typed in (only a passkey, bound to the bank's origin, cannot be relayed).
 * The victim reads the message the bank really sent: a text that named nothing could not be heeded. A victim stays on
 * the fake page for a while (`relay_session_minutes` from the first code relayed), then leaves: a code the thief needs
 * later is not relayed, as the thief would have to find and fool the victim again.
 */
import type { SeededRandom } from './seeded-random.ts';
import { usesAuthenticator, type LabCustomer } from './lab-actor.ts';
import type { LabWorld } from './lab-world.ts';
import type { Holding } from './holdings.ts';
import { codeInText } from './lab-phones.ts';
import { factorRefusalShown } from './bank-pages.ts';
import { MINUTE_MS } from './lab-time.ts';
import type { FactorGateRefusal } from '../mfa/factor-gate.ts';

/** The warning every code text carries (src/mfa/second-factors.ts): the bank never asks for the code elsewhere. */
const WARNS_AGAINST_RELAY = /Never enter it on another site/;

/**
 * Share of relaying victims who stop at a code text that names an operator or payee they did not expect and warns.
 * A guess, as no study measures it: most victims type what the fake page asks for (the 2020 victims never saw a
 * message at all). Scenarios set their own.
 */
export const VICTIM_HEEDS_SHARE_DEFAULT = 0.3;

/**
 * How long a victim stays on the fake page typing in codes, from the first one. A guess, as the heeds share is: a
 * phishing session is a few minutes of a customer "confirming their account"; half an hour is generous. Scenarios
 * set their own (a thief who calls the victim back is a longer session).
 */
export const RELAY_SESSION_MINUTES_DEFAULT = 30;

/** When each victim typed in their first code on the fake page: the relay session's start, for this run's victims. */
const relayStarted = new WeakMap<LabCustomer, Date>();

/** A code as the attacker obtained it, or why there is none. */
export type VictimCode =
  | { ok: true; code: string }
  | { ok: false; why: 'code_not_received' | 'victim_heeded_message' | 'code_not_held' | 'victim_left_fake_page' | FactorGateRefusal };

export interface CodeAsked {
  factor: 'sms' | 'totp';
  /** Which text carries it: its purpose, or the start of it (`charge_` for a step-up). */
  purpose?: string;
  purpose_prefix?: string;
  /** A text sent before this was not for this request (a refused request sends none). */
  sent_since: Date;
  /** The page the bank answered the request for a text with: it may refuse SMS for this act, saying why. */
  requested_page?: string;
  /** What the text names when it approves something the victim did not ask for: the operator's name, say. */
  names: readonly string[];
  /** Share of relaying victims who stop when the text names something and warns. */
  heeds_share: number;
  /** Minutes a relaying victim stays on the fake page from the first code (RELAY_SESSION_MINUTES_DEFAULT unless set). */
  relay_session_minutes?: number;
}

/** Is the victim still on the fake page? The first code asked of them starts the session. */
function stillRelaying(world: LabWorld, victim: LabCustomer, minutes: number): boolean {
  const started = relayStarted.get(victim);
  if (!started) {
    relayStarted.set(victim, world.now());
    return true;
  }
  return world.now().getTime() - started.getTime() <= minutes * MINUTE_MS;
}

/**
 * The factor the thief types on the bank's page: a relaying victim reads whatever their own factor shows; a swapped
 * SIM gives SMS only; a thief holding neither tries what the page offers (the victim's authenticator once established).
 */
export function factorTypedFor(victim: LabCustomer, holds: ReadonlySet<Holding>, now: Date): 'sms' | 'totp' {
  if (holds.has('phone_number') && !holds.has('relayed_code')) return 'sms';
  return usesAuthenticator(victim, now) ? 'totp' : 'sms';
}

/** The victim's code for `asked`, by SIM swap or relay, as `holds` allows. */
export async function codeFromVictim(world: LabWorld, random: SeededRandom, victim: LabCustomer, holds: ReadonlySet<Holding>, asked: CodeAsked): Promise<VictimCode> {
  const relayed = holds.has('relayed_code') && !holds.has('phone_number');
  if (relayed && !stillRelaying(world, victim, asked.relay_session_minutes ?? RELAY_SESSION_MINUTES_DEFAULT)) return { ok: false, why: 'victim_left_fake_page' };
  if (asked.factor === 'totp') {
    return holds.has('relayed_code') ? { ok: true, code: await world.totpCode(victim) } : { ok: false, why: 'code_not_held' };
  }
  if (!holds.has('phone_number') && !holds.has('relayed_code')) return { ok: false, why: 'code_not_held' };
  const refused = asked.requested_page === undefined ? undefined : factorRefusalShown(asked.requested_page);
  if (refused) return { ok: false, why: refused };
  const message = world.phones.lastCodeMessage(victim.person.phone, { purpose: asked.purpose, purpose_prefix: asked.purpose_prefix });
  const code = message && message.received_at >= asked.sent_since ? codeInText(message.text) : undefined;
  if (!code) return { ok: false, why: 'code_not_received' };
  if (holds.has('phone_number')) return { ok: true, code };
  const tellsWhat = WARNS_AGAINST_RELAY.test(message!.text) && asked.names.some((name) => message!.text.includes(name));
  if (tellsWhat && random.chance(asked.heeds_share)) return { ok: false, why: 'victim_heeded_message' };
  return { ok: true, code };
}
