import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CONTAINMENT_POLICIES } from '../throttle/reverse-brute-force-containment.ts';
import { KYC_LEVELS } from '../operators/operator.ts';
import { Distribution } from './distribution.ts';
import { HOLDING_NAMES, HOLDINGS } from './holdings.ts';
import type { LabCapability } from './lab-capability.ts';

/** The longest timeline a scenario may have: 20 years, more than any history a bank would replay (Japan Post Bank's review went back three). */
export const TIMELINE_DAYS_MAX = 7305;
/** Customers per cohort at most: a lab run, not a census; the bench runs thousands. */
export const COHORT_CUSTOMERS_MAX = 1_000_000;
/** The longest step between moves run side by side: a day. */
export const RESOLUTION_MINUTES_MAX = 1440;

const Key = (description: string) => Type.String({ pattern: '^[a-z0-9][a-z0-9+-]{0,39}$', description });

/** One capability an actor has, with its parameters beside `capability:` (checked against the capability's own schema). */
export const Behaviour = Type.Object({
  capability: Type.String({ description: 'A capability id (furikae lab list shows them)' }),
}, { additionalProperties: true });

/** An operator the scenario registers at the bank. */
export const OperatorSpec = Type.Object({
  key: Key('How the scenario refers to this operator'),
  display_name: Type.String({ minLength: 1, maxLength: 60 }),
  passbook_label: Type.String({ minLength: 1, maxLength: 30, description: 'What the passbook line says' }),
  charge_yen_max: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  charges_yen_per_month_max: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
  relays_end_user_address: Type.Optional(Type.Boolean({
    description: "Relay each user's address in PSU-IP-Address (one address per device id); the 2020 operators relayed none",
  })),
}, { additionalProperties: false });

/** A group of bank customers opened alike, with what they do. */
export const Cohort = Type.Object({
  id: Key('How attackers and the report refer to this cohort'),
  group: Type.Optional(Key('The friction group honest customers are counted in: typical, heavy, 65+, dormant; absent for customers who only appear as victims')),
  customers: Type.Integer({ minimum: 0, maximum: COHORT_CUSTOMERS_MAX, description: 'How many customers' }),
  age_years: Distribution,
  balance_yen: Distribution,
  idle_days: Type.Optional(Distribution),
  authenticator_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share with an authenticator app; the others use SMS codes' })),
  pins: Type.Optional(Type.Object({
    common: Type.Array(Type.String({ pattern: '^[0-9]{4}$' }), { minItems: 1, maxItems: 20 }),
    common_share: Type.Number({ minimum: 0, maximum: 1, description: 'Share whose PIN is one of `common`' }),
    birth_month_day_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share whose PIN is their birth month and day' })),
  }, { additionalProperties: false })),
  behaviours: Type.Array(Behaviour, { maxItems: 20 }),
}, { additionalProperties: false });

/** What an attacker holds: details of a cohort's customers, or an operator's keys. */
export const Holdings = Type.Union([
  Type.Object({
    of: Type.String({ description: 'A cohort id: the customers whose details leaked' }),
    share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of the cohort held (default all)' })),
    what: Type.Array(Type.Union(HOLDING_NAMES.filter((name) => name !== 'operator_keys').map((name) => Type.Literal(name, { description: HOLDINGS[name] }))), { minItems: 1, uniqueItems: true }),
  }, { additionalProperties: false }),
  Type.Object({
    operator: Type.String({ description: 'An operator key' }),
    what: Type.Array(Type.Literal('operator_keys', { description: HOLDINGS.operator_keys }), { minItems: 1, maxItems: 1 }),
  }, { additionalProperties: false }),
]);

/** An attacker: what they hold and what they do with it. */
export const Attacker = Type.Object({
  id: Key('How the report refers to this attacker'),
  holds: Type.Array(Holdings, { minItems: 1, maxItems: 20 }),
  plays: Type.Array(Behaviour, { minItems: 1, maxItems: 20 }),
}, { additionalProperties: false });

/** A configuration of the scenario's own, on top of a shipped one. */
export const CustomConfiguration = Type.Object({
  id: Key('How the report names this configuration'),
  based_on: Type.Union([Type.Literal('2020'), Type.Literal('hardened')]),
  describes: Type.Optional(Type.String({ maxLength: 200 })),
  link_methods: Type.Optional(Type.Array(Type.Union([Type.Literal('legacy_pin'), Type.Literal('fapi2')]), { minItems: 1, uniqueItems: true })),
  kyc_level_min: Type.Optional(Type.Union(KYC_LEVELS.map((level) => Type.Literal(level)))),
  registers_server_address: Type.Optional(Type.Boolean({ description: "Whether operators register their server's address, so the bank takes their credentials from there only" })),
  risk_mode: Type.Optional(Type.Union([Type.Literal('enforce'), Type.Literal('observe')])),
  asks_carrier_about_sim_swaps: Type.Optional(Type.Boolean({ description: "Whether the bank asks the carrier's SIM Swap API before trusting an SMS code" })),
  new_link_code_cooling_off_hours: Type.Optional(Type.Number({ minimum: 0, maximum: 720, description: "Hours after a link is made during which a typed code (SMS, authenticator) approves none of its charges; a passkey still does (hardened: 24, 2020: 0)" })),
  reverse_brute_force_containment: Type.Optional(Type.Union(CONTAINMENT_POLICIES.map((policy) => Type.Literal(policy)))),
  new_link_unconfirmed_yen_max: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: "Turns on the new-link limit: yen a link moves in the 30 days from its first charge before its holder confirms one of its charges at the bank; past it, charges are challenged (off in the shipped configurations; the bank's default limit is 50000)" })),
  risk_config: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'A whole risk config (src/risk/risk-config.ts), checked by the bank as at start-up' })),
}, { additionalProperties: false });

/** A scenario file (JSON or YAML). */
export const Scenario = Type.Object({
  $schema: Type.Optional(Type.String()),
  id: Key('Its name on the command line: furikae lab run <id>'),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  summary: Type.Optional(Type.String({ maxLength: 4000 })),
  sources: Type.Array(Type.String({ minLength: 1, maxLength: 600 }), { minItems: 1, maxItems: 30, description: 'Where the numbers come from' }),
  seed: Type.Integer({ minimum: 0, maximum: 4294967295, description: 'The default seed; --seed overrides it' }),
  timeline: Type.Object({
    start: Type.String({ format: 'date-time', description: 'When the simulated time starts, e.g. 2020-08-01T00:00:00+09:00' }),
    days: Type.Number({ exclusiveMinimum: 0, maximum: TIMELINE_DAYS_MAX, description: 'Length in simulated days: at most 20 years (7,305 days)' }),
    resolution_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: RESOLUTION_MINUTES_MAX, description: 'Moves this close together run side by side (default 60)' })),
  }, { additionalProperties: false }),
  configurations: Type.Array(Type.Union([Type.String({ description: 'A shipped configuration: 2020 or hardened' }), CustomConfiguration]), { minItems: 1, maxItems: 6 }),
  operators: Type.Array(OperatorSpec, { minItems: 1, maxItems: 20 }),
  cohorts: Type.Array(Cohort, { minItems: 1, maxItems: 50 }),
  attackers: Type.Array(Attacker, { maxItems: 50 }),
  quick: Type.Optional(Type.Object({
    scale: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'The factor --quick applies to every cohort and to attackers’ targets (default 0.1)' }),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export type Scenario = Static<typeof Scenario>;
export type CohortSpec = Static<typeof Cohort>;
export type AttackerSpec = Static<typeof Attacker>;
export type BehaviourSpec = Static<typeof Behaviour>;
export type CustomConfigurationSpec = Static<typeof CustomConfiguration>;

/** A behaviour's schema with a capability's own parameters, for the shipped JSON Schema (editors check params too). */
function behaviourFor(capability: LabCapability): TSchema {
  return Type.Object({ capability: Type.Literal(capability.id, { description: capability.does }), ...capability.params.properties }, { additionalProperties: false });
}

/**
 * The JSON Schema that ships as lab/scenario.schema.json: the scenario with every behaviour spelled out per
 * capability, so an editor completes and checks parameters. The loader checks the same, in two passes, to name the
 * exact problem (an unknown capability, a parameter of a known one).
 */
export function scenarioJsonSchema(capabilities: readonly LabCapability[]): Record<string, unknown> {
  const schema = JSON.parse(JSON.stringify(Scenario)) as Record<string, any>;
  const forActor = (actor: 'customer' | 'attacker') => ({ anyOf: capabilities.filter((c) => c.actor === actor).map((c) => JSON.parse(JSON.stringify(behaviourFor(c)))) });
  schema.properties.cohorts.items.properties.behaviours.items = forActor('customer');
  schema.properties.attackers.items.properties.plays.items = forActor('attacker');
  return {
    // TypeBox writes draft-07 (tuples as `items: [...]`), so that is the dialect it declares.
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://furikae.example/lab/scenario.schema.json',
    title: 'furikae lab scenario',
    description: 'A scenario for `furikae lab run --scenario FILE`: honest customers, attackers with what they hold and what they do, a timeline, the configurations to compare. See docs/lab.md.',
    ...schema,
  };
}
