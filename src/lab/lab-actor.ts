import type { SeededRandom } from './seeded-random.ts';
import type { HeldLink } from './lab-operator.ts';
import type { Holding } from './holdings.ts';

/** A bank customer as the lab made them: who they are, what they know, and what the bank calls them. */
export interface LabPerson {
  name_kanji: string;
  name_kana: string;
  /** YYYY-MM-DD. */
  birth_date: string;
  phone: string;
  email: string;
  login_id: string;
  password: string;
  branch_code: string;
  account_number: string;
  pin: string;
}

/** One customer of the run: an honest user, a victim, or both. */
export interface LabCustomer {
  kind: 'customer';
  /** `cohort#index`: stable across runs, so it names the actor's random stream. */
  key: string;
  cohort: string;
  /** The friction group the customer is counted in, if the cohort is an honest one. */
  group: string | null;
  person: LabPerson;
  customer_id: string;
  account_id: string;
  /** The address the customer's browser reaches the bank from. */
  ip: string;
  /** The phone's device id, which operators relay to the bank. */
  device_id: string;
  /** The authenticator app's secret, when the customer uses one (otherwise SMS codes). */
  totp_secret: string | null;
  /** When the bank lets the app approve links and payments (its cooling-off over); before then the customer uses SMS, as the page says. */
  totp_usable_from: Date | null;
  random: SeededRandom;
  /** Links the customer made, by operator key: what they would recognise in a notice. */
  links: Map<string, HeldLink>;
  /** Charges the customer made, by id: a step-up request or a notice about one of these is theirs. */
  charges: Map<string, { amount_yen: number; operator_key: string }>;
}

/** One attacker of the run: what they hold, about whom, and what they have obtained. */
export interface LabAttacker {
  kind: 'attacker';
  key: string;
  /** The customers whose details the attacker holds, with what is held about each. */
  targets: { customer: LabCustomer; holds: ReadonlySet<Holding> }[];
  /** The address the attacker's own browser comes from. */
  ip: string;
  /** Operators whose keys the attacker holds. */
  operator_keys: readonly string[];
  random: SeededRandom;
  /** Links the attacker obtained, with the customer each drains. */
  links: { link: HeldLink; victim: LabCustomer; device_id: string }[];
}

export type LabActor = LabCustomer | LabAttacker;

/** Does the customer approve with the authenticator app now? Only once it is out of its cooling-off; SMS until then. */
export function usesAuthenticator(customer: LabCustomer, now: Date): boolean {
  return customer.totp_secret !== null && customer.totp_usable_from !== null && customer.totp_usable_from <= now;
}
