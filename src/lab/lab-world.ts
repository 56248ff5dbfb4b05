import type { LabActor, LabAttacker, LabCustomer } from './lab-actor.ts';
import type { HeldLink, LabOperator } from './lab-operator.ts';
import type { LabBrowser } from './lab-browser.ts';
import type { LabPhones, ReceivedSms } from './lab-phones.ts';
import type { ReceivedMail } from './lab-mailboxes.ts';

/** Something that reached an actor, which their capabilities may react to. */
export type Happening =
  | { kind: 'email'; mail: ReceivedMail }
  | { kind: 'sms'; sms: ReceivedSms }
  /** The actor now holds a working link (an honest customer's own, or an attacker's on a victim's account). */
  | { kind: 'linked'; link: HeldLink; victim: LabCustomer | null; device_id: string }
  /** The bank refused a charge on one of the actor's links (e.g. consent_expired, link_frozen). */
  | { kind: 'charge_refused'; link: HeldLink; code: string }
  /** The bank is holding an attacker's charge for the account holder's approval (a step-up). */
  | { kind: 'charge_waiting'; link: HeldLink; victim: LabCustomer; charge_id: string };

/** Who an entry in the run's record is about: an honest customer (with their friction group), another customer (a victim only), or an attacker. */
export type RecordRole = { role: 'honest'; group: string } | { role: 'customer' } | { role: 'attacker' };

/** One thing an actor tried and what the bank answered: the lab's measures are computed from these. */
export type LabRecord = RecordRole & { at: Date; actor_key: string } & (
  | { what: 'link'; operator_key: string; victim_key: string | null; method: 'legacy_pin' | 'fapi2'; outcome: string; link_id: string | null }
  | { what: 'charge'; operator_key: string; victim_key: string | null; link_id: string; amount_yen: number; outcome: string; charge_id: string | null }
  | { what: 'step_up'; charge_id: string; answer: string }
  | { what: 'not_me'; outcome: string }
  /** The customer was told by text that a credential or second factor locked (someone was guessing). */
  | { what: 'told'; purpose: string }
);

/** Distributive Omit, so each kind of record keeps its own fields. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A new record: the world stamps the time and the actor. */
export type NewLabRecord = Without<LabRecord, 'at' | 'actor_key' | 'role' | 'group'>;

/** What a capability can do in a run: the bank's entry points, the clock, and the run's plan. */
export interface LabWorld {
  readonly start: Date;
  readonly end: Date;
  /** The bank's clock. */
  now(): Date;
  /**
   * Plans a move. Moves run in time order; moves of different actors close together run side by side (at most the
   * scenario's resolution early), one actor's moves one after another. An `exact` move never runs early.
   */
  at(actor: LabActor, when: Date, move: () => Promise<void>, options?: { exact?: boolean }): void;
  /** The scenario's operator by its key. */
  operator(key: string): LabOperator;
  /** What the operator's database holds now: each customer's link at it, in the customers' order. */
  linksHeldBy(operator_key: string): { customer: LabCustomer; link: HeldLink }[];
  /** The customer's own browser (cookies kept between moves). */
  browser(customer: LabCustomer): LabBrowser;
  /** A fresh browser from `ip` (an attacker's, or one opened once). */
  newBrowser(ip: string): LabBrowser;
  /** The bank's origin, as its pages and redirects name it. */
  readonly bank_origin: string;
  phones: LabPhones;
  /**
   * The carrier moves the customer's number to a new SIM held by `holder`: the attacker's (a SIM swap, after which
   * the bank's texts to the number reach the attacker and not the customer), or the customer's own (a new phone).
   * Either way the carrier's SIM Swap API knows of the change.
   */
  changeSim(customer: LabCustomer, holder: LabActor): void;
  /** Writes down an attempt and the bank's answer. */
  record(actor: LabActor, entry: NewLabRecord): void;
  /** Tells the actor's capabilities that something happened. */
  tell(actor: LabActor, happening: Happening): void;
  /** A cash withdrawal at the bank's ATM (a bank channel with no HTTP API): true when the money came out. */
  withdraw(customer: LabCustomer, amount_yen: number): Promise<boolean>;
  /** The code the customer's authenticator app shows now. */
  totpCode(customer: LabCustomer): Promise<string>;
  /** A new idempotency key: deterministic, so a replayed run sends the same keys. */
  idempotencyKey(actor: LabActor): string;
}

/** The role of an actor for the record. */
export function roleOf(actor: LabActor): RecordRole {
  if (actor.kind === 'attacker') return { role: 'attacker' };
  return actor.group === null ? { role: 'customer' } : { role: 'honest', group: actor.group };
}

export type { LabAttacker, LabCustomer };
