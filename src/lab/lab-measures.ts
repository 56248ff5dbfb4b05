import type { LabCustomer } from './lab-actor.ts';
import type { LabRecord } from './lab-world.ts';
import type { ObservedAlert, ObservedDecision } from './bank-observer.ts';
import { DAY_MS } from './lab-time.ts';

/** Charges the report lists one by one; results.json keeps them all. */
export const REPORTED_CHARGES_MAX = 60;
/** Above this many days the theft series is drawn per week rather than per day. */
const DAILY_SERIES_DAYS_MAX = 120;

/** A charge's state when the run ended, as the bank's API shows it to the operator. */
export interface ChargeFinal {
  status: string;
  refunded_yen: number;
}

/** One attacker charge with what became of it and which rules spoke. */
export interface AttackCharge {
  at: string;
  victim: string;
  operator: string;
  amount_yen: number;
  /** The bank's first answer: succeeded, pending_approval, held, or a refusal code. */
  answer: string;
  /** stolen, recovered (reserved then voided, refunded, or still reserved) or blocked (never moved). */
  fate: 'stolen' | 'recovered' | 'blocked';
  /** What stopped it, or for stolen money the rules that saw it. */
  controls: string[];
}

/** Yen and attempts per control: what stopped or recovered the attackers' money and refused their links. */
export interface ControlTally {
  control: string;
  yen: number;
  charges: number;
  links: number;
}

/** Friction for one group of honest customers. */
export interface GroupFriction {
  group: string;
  customers: number;
  charges: number;
  challenged: number;
  held: number;
  denied: number;
  /** Refused because the 180-day consent ran out (the customer then links again). */
  consent_expired: number;
  other_refused: number;
  step_ups_approved: number;
  links_attempted: number;
  links_made: number;
  /** Links made that the risk pipeline flagged (challenge or hold: a staff alert) or refused. */
  links_flagged: number;
  alerts: number;
  challenged_pct: number;
  held_pct: number;
  denied_pct: number;
  /** The rules behind this group's challenged, held and denied charges: what a fraud team tunes first. */
  frictioned_by: { rule: string; charges: number }[];
}

/** Everything measured in one scenario × configuration run. */
export interface RunMeasures {
  theft: {
    attempted_yen: number;
    stolen_yen: number;
    recovered_yen: number;
    blocked_yen: number;
    victims: number;
    victims_targeted: number;
    links_attempted: number;
    links_made: number;
    charges_attempted: number;
    /** Targeted customers the bank texted that a PIN, password or second factor locked: someone was guessing. */
    victims_told_of_locks: number;
    first_attempt_at: string | null;
    first_theft_at: string | null;
    first_alert_at: string | null;
    contained_at: string | null;
    /** From the first theft (or, with none, the first attempt) to the first staff alert about the attack. */
    detection_seconds: number | null;
    /** From the first theft to the bank's refusal after which nothing more was stolen; 0 when nothing was; null when never. */
    containment_seconds: number | null;
    caught_by: ControlTally[];
    /** For stolen yen: the rules that saw it (and, in observe mode, would have acted). */
    stolen_seen_by: { rule: string; yen: number }[];
    /** Cumulative stolen yen by simulated day (or week, on long timelines). */
    stolen_series: { day: number; yen: number }[];
    charges: AttackCharge[];
    /** The attackers' tries at the approval page, by outcome: approved, refused for the new link, the victim gone, heeded… (absent in files written before it) */
    step_up_answers?: Record<string, number>;
  };
  alerts: { about_attack: number; about_honest: number; first_kinds: string[] };
  friction: GroupFriction[];
}

/** Maps a refusal code to the control that refused. */
const REFUSAL_CONTROLS: Record<string, string> = {
  link_frozen: 'not-me: link frozen',
  link_revoked: 'link revoked',
  charges_suspended: 'operator switch: charges',
  new_links_suspended: 'operator switch: links',
  link_method_not_allowed: 'policy: no 2020 path',
  link_credentials_mismatch: 'PIN check',
  credential_attempts_locked: 'PIN lock',
  too_many_attempts: 'credential throttle',
  login_refused: 'bank login (password)',
  second_factor_refused: 'second factor',
  consent_not_approved: 'consent (second factor)',
  identity_mismatch: 'identity match',
  kyc_level_too_low: 'KYC level',
  consent_expired: 'consent expired',
  charge_yen_max_exceeded: 'per-charge limit',
  charges_yen_per_month_max_exceeded: 'monthly limit',
  insufficient_funds: 'balance',
};
/** How many times each value occurs. */
function tallyBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Refusals that stop an amount, not an attack: money the thief can try again next month or at a lower amount. */
const NOT_CONTAINING = new Set(['insufficient_funds', 'charges_yen_per_month_max_exceeded', 'charge_yen_max_exceeded']);

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100);
const iso = (at: Date | null) => (at ? at.toISOString() : null);

/** Computes the run's measures from what the actors did and saw, and the bank's records. */
export function measureRun(input: {
  records: readonly LabRecord[];
  finals: ReadonlyMap<string, ChargeFinal>;
  decisions: readonly ObservedDecision[];
  alerts: readonly ObservedAlert[];
  customers: readonly LabCustomer[];
  /** The bank's id of each scenario operator, by key: an alert about an operator the attack went through is about the attack. */
  operator_ids: ReadonlyMap<string, string>;
  start: Date;
  end: Date;
}): RunMeasures {
  const { records, finals, decisions, alerts, customers, start, end } = input;
  const byKey = new Map(customers.map((customer) => [customer.key, customer]));
  const decisionByCharge = new Map(decisions.filter((d) => d.charge_id).map((d) => [d.charge_id!, d]));
  const deniedCharges = decisions.filter((d) => d.stage === 'charge' && d.charge_id === null);
  const deniedLinks = decisions.filter((d) => d.stage === 'link' && d.link_id === null && d.action === 'deny');
  const rulesAt = (list: readonly ObservedDecision[], customer_id: string | undefined, at: Date, amount_yen?: number) =>
    list.find((d) => d.customer_id === customer_id && d.decided_at.getTime() === at.getTime() && (amount_yen === undefined || d.amount_yen === amount_yen))?.rules_fired ?? [];

  const attack = records.filter((record) => record.role === 'attacker');
  const attackLinks = new Set(attack.flatMap((record) => (record.what === 'link' && record.link_id ? [record.link_id] : [])));
  const targeted = new Set(attack.flatMap((record) => ('victim_key' in record && record.victim_key ? [record.victim_key] : [])));
  const targetedIds = new Set([...targeted].map((key) => byKey.get(key)?.customer_id));
  const attackOperatorIds = new Set(attack.flatMap((record) => ('operator_key' in record ? [input.operator_ids.get(record.operator_key)] : [])).filter((id) => id !== undefined));

  const tallies = new Map<string, ControlTally>();
  const tally = (control: string, yen: number, kind: 'charges' | 'links') => {
    const entry = tallies.get(control) ?? { control, yen: 0, charges: 0, links: 0 };
    entry.yen += yen;
    entry[kind]++;
    tallies.set(control, entry);
  };
  const seen = new Map<string, number>();
  const stolenBy = new Map<string, number>();
  const charges: AttackCharge[] = [];
  let attempted_yen = 0, stolen_yen = 0, recovered_yen = 0, blocked_yen = 0, links_made = 0, links_attempted = 0;
  let first_theft: Date | null = null;
  let last_success: Date | null = null;
  const refusalsAfter: Date[] = [];

  for (const record of attack) {
    if (record.what === 'link') {
      links_attempted++;
      if (record.outcome === 'made') {
        links_made++;
        last_success = record.at;
        continue;
      }
      const victim = record.victim_key ? byKey.get(record.victim_key) : undefined;
      const rules = rulesAt(deniedLinks, victim?.customer_id, record.at);
      const controls = rules.length > 0 ? rules : [REFUSAL_CONTROLS[record.outcome] ?? record.outcome];
      for (const control of controls) tally(control, 0, 'links');
      refusalsAfter.push(record.at);
      continue;
    }
    if (record.what !== 'charge') continue;
    attempted_yen += record.amount_yen;
    const victim = record.victim_key ? byKey.get(record.victim_key) : undefined;
    const final = record.charge_id ? finals.get(record.charge_id) : undefined;
    const decision = record.charge_id ? decisionByCharge.get(record.charge_id) : undefined;
    let fate: AttackCharge['fate'];
    let controls: string[];
    if (record.charge_id && final) {
      const moved = final.status === 'succeeded' ? record.amount_yen - final.refunded_yen : 0;
      const back = record.amount_yen - moved;
      stolen_yen += moved;
      recovered_yen += back;
      fate = moved > 0 ? 'stolen' : 'recovered';
      const rules = decision?.rules_fired ?? [];
      if (moved > 0) {
        first_theft ??= record.at;
        last_success = record.at;
        for (const rule of rules) stolenBy.set(rule, (stolenBy.get(rule) ?? 0) + moved);
        controls = rules;
        if (final.refunded_yen > 0) tally('refund', final.refunded_yen, 'charges');
      } else {
        controls = [...rules, `${record.outcome === 'held' ? 'hold' : 'challenge'}: ${final.status}`];
        for (const control of controls) tally(control, back, 'charges');
        refusalsAfter.push(record.at);
      }
    } else {
      blocked_yen += record.amount_yen;
      fate = 'blocked';
      const rules = record.outcome === 'charge_denied' ? rulesAt(deniedCharges, victim?.customer_id, record.at, record.amount_yen) : [];
      controls = rules.length > 0 ? rules : [REFUSAL_CONTROLS[record.outcome] ?? record.outcome];
      for (const control of controls) tally(control, record.amount_yen, 'charges');
      if (!NOT_CONTAINING.has(record.outcome)) refusalsAfter.push(record.at);
    }
    charges.push({ at: record.at.toISOString(), victim: record.victim_key ?? '', operator: record.operator_key, amount_yen: record.amount_yen, answer: record.outcome, fate, controls });
    if (fate === 'stolen' && victim) seen.set(victim.key, (seen.get(victim.key) ?? 0) + 1);
  }

  const first_attempt = attack[0]?.at ?? null;
  const attackAlerts = alerts.filter((alert) => first_attempt && alert.at.getTime() >= first_attempt.getTime()
    && ((alert.link_id && attackLinks.has(alert.link_id)) || (alert.customer_id && targetedIds.has(alert.customer_id)) || alert.kind.startsWith('credential_')
      || (alert.operator_id !== null && attackOperatorIds.has(alert.operator_id))));
  const first_alert = attackAlerts[0]?.at ?? null;
  const reference = first_theft ?? first_attempt;
  let contained: Date | null = null;
  if (first_attempt && stolen_yen === 0 && links_made === 0) contained = first_attempt;
  else if (last_success) contained = refusalsAfter.find((at) => at.getTime() >= last_success!.getTime()) ?? null;

  // The theft series: cumulative stolen yen at the end of each day (or week).
  const days = Math.ceil((end.getTime() - start.getTime()) / DAY_MS);
  const bucket = days > DAILY_SERIES_DAYS_MAX ? 7 : 1;
  const stolenAt = charges.filter((charge) => charge.fate === 'stolen').map((charge) => ({ day: (Date.parse(charge.at) - start.getTime()) / DAY_MS, yen: charge.amount_yen }));
  const stolen_series: { day: number; yen: number }[] = [];
  let cumulative = 0;
  for (let day = 0, index = 0; day <= days; day += bucket) {
    while (index < stolenAt.length && stolenAt[index]!.day < day + bucket) cumulative += stolenAt[index++]!.yen;
    stolen_series.push({ day, yen: cumulative });
  }

  // Friction per honest group.
  const honest = customers.filter((customer) => customer.group !== null);
  const groupOf = new Map(honest.map((customer) => [customer.customer_id, customer.group!]));
  const honestLinks = new Map<string, string>();
  const groups = new Map<string, GroupFriction>();
  const groupEntry = (group: string) => {
    let entry = groups.get(group);
    if (!entry) {
      entry = { group, customers: 0, charges: 0, challenged: 0, held: 0, denied: 0, consent_expired: 0, other_refused: 0, step_ups_approved: 0,
        links_attempted: 0, links_made: 0, links_flagged: 0, alerts: 0, challenged_pct: 0, held_pct: 0, denied_pct: 0, frictioned_by: [] };
      groups.set(group, entry);
    }
    return entry;
  };
  for (const customer of honest) groupEntry(customer.group!).customers++;
  const frictionRules = new Map<string, Map<string, number>>();
  const countFriction = (group: string, rules: readonly string[]) => {
    const tally = frictionRules.get(group) ?? new Map<string, number>();
    for (const rule of rules.length > 0 ? rules : ['(no rule recorded)']) tally.set(rule, (tally.get(rule) ?? 0) + 1);
    frictionRules.set(group, tally);
  };
  for (const record of records) {
    if (record.role !== 'honest') continue;
    const entry = groupEntry(record.group);
    if (record.what === 'charge') {
      entry.charges++;
      if (record.outcome === 'pending_approval') entry.challenged++;
      else if (record.outcome === 'held') entry.held++;
      else if (record.outcome === 'charge_denied') entry.denied++;
      else if (record.outcome === 'consent_expired') entry.consent_expired++;
      else if (record.outcome !== 'succeeded') entry.other_refused++;
      // A challenge or hold has a charge and its decision; a denial has no charge, so its decision is found by time.
      if (record.outcome === 'pending_approval' || record.outcome === 'held') countFriction(record.group, (record.charge_id && decisionByCharge.get(record.charge_id)?.rules_fired) || []);
      else if (record.outcome === 'charge_denied') countFriction(record.group, rulesAt(deniedCharges, byKey.get(record.actor_key)?.customer_id, record.at, record.amount_yen));
    } else if (record.what === 'link') {
      entry.links_attempted++;
      if (record.outcome === 'made') {
        entry.links_made++;
        if (record.link_id) honestLinks.set(record.link_id, record.group);
      }
    } else if (record.what === 'step_up' && record.answer === 'approved') entry.step_ups_approved++;
  }
  for (const decision of decisions) {
    if (decision.stage !== 'link' || decision.action === 'allow' || !decision.enforced) continue;
    const group = (decision.link_id && honestLinks.get(decision.link_id)) ?? (decision.link_id === null ? groupOf.get(decision.customer_id) : undefined);
    if (group) groupEntry(group).links_flagged++;
  }
  for (const alert of alerts) {
    const group = alert.customer_id ? groupOf.get(alert.customer_id) : undefined;
    if (group && !targetedIds.has(alert.customer_id!)) groupEntry(group).alerts++;
  }
  const friction = [...groups.values()].map((entry) => ({
    ...entry, challenged_pct: pct(entry.challenged, entry.charges), held_pct: pct(entry.held, entry.charges), denied_pct: pct(entry.denied, entry.charges),
    frictioned_by: [...(frictionRules.get(entry.group) ?? new Map<string, number>()).entries()]
      .map(([rule, charges]) => ({ rule, charges })).sort((a, b) => b.charges - a.charges || a.rule.localeCompare(b.rule)),
  }));

  return {
    theft: {
      attempted_yen, stolen_yen, recovered_yen, blocked_yen,
      victims: seen.size, victims_targeted: targeted.size, links_attempted, links_made, charges_attempted: charges.length,
      victims_told_of_locks: new Set(records.filter((record) => record.what === 'told' && targeted.has(record.actor_key)).map((record) => record.actor_key)).size,
      first_attempt_at: iso(first_attempt), first_theft_at: iso(first_theft), first_alert_at: iso(first_alert), contained_at: iso(contained),
      detection_seconds: reference && first_alert ? Math.round((first_alert.getTime() - reference.getTime()) / 1000) : null,
      containment_seconds: stolen_yen === 0 && first_attempt ? 0 : first_theft && contained ? Math.round((contained.getTime() - first_theft.getTime()) / 1000) : null,
      caught_by: [...tallies.values()].sort((a, b) => b.yen - a.yen || b.links - a.links || a.control.localeCompare(b.control)),
      stolen_seen_by: [...stolenBy.entries()].map(([rule, yen]) => ({ rule, yen })).sort((a, b) => b.yen - a.yen || a.rule.localeCompare(b.rule)),
      stolen_series,
      charges,
      step_up_answers: Object.fromEntries([...tallyBy(attack.flatMap((record) => (record.what === 'step_up' ? [record.answer] : [])))].sort(([a], [b]) => a.localeCompare(b))),
    },
    alerts: {
      about_attack: attackAlerts.length,
      about_honest: alerts.filter((alert) => alert.customer_id && groupOf.has(alert.customer_id) && !targetedIds.has(alert.customer_id)).length,
      first_kinds: [...new Set(attackAlerts.slice(0, 20).map((alert) => alert.kind))],
    },
    friction: friction.sort((a, b) => a.group.localeCompare(b.group)),
  };
}
