import type { Static, TObject } from '@sinclair/typebox';
import type { SeededRandom } from './seeded-random.ts';
import type { LabActor, LabAttacker, LabCustomer } from './lab-actor.ts';
import type { Happening, LabWorld } from './lab-world.ts';
import type { Holding } from './holdings.ts';

/** One actor's use of one capability in a run: its parameters from the scenario, its own random stream and memory. */
export interface CapabilityUse<Params, Actor extends LabActor> {
  actor: Actor;
  params: Params;
  world: LabWorld;
  random: SeededRandom;
  /** What this use remembers between moves (e.g. the links it already reported). */
  memory: Map<string, unknown>;
}

/**
 * Something an actor can do, in its own file: what it does, what it needs to hold, its parameters (validated from
 * the scenario file), the moves it plans at the start, and how it reacts to what reaches the actor. A scenario
 * combines capabilities; a new kind of attack is a new file and a line in src/lab/lab-capabilities.ts.
 */
export interface LabCapability<Schema extends TObject = TObject, Actor extends LabActor = LabActor> {
  id: string;
  actor: Actor['kind'];
  /** One line: what the actor does, for `furikae lab list` and the docs. */
  does: string;
  /** Attackers: what they must hold about their targets to use it. */
  needs: readonly Holding[];
  /** Parameters in the scenario file, beside `capability:`. */
  params: Schema;
  /** Problems with the parameters that the schema cannot express (a range the wrong way round), or none. */
  paramProblems?(params: Static<Schema>): { path: string; message: string }[];
  /** Operator keys the parameters name, so a scenario naming an unknown operator is refused before it runs. */
  operatorsNamed?(params: Static<Schema>): string[];
  /** Plans the actor's first moves. */
  start(use: CapabilityUse<Static<Schema>, Actor>): void;
  /** Reacts to something that reached the actor. */
  react?(use: CapabilityUse<Static<Schema>, Actor>, happening: Happening): void;
}

/** Declares a customer capability with its parameter types checked. */
export function customerCapability<Schema extends TObject>(capability: Omit<LabCapability<Schema, LabCustomer>, 'actor' | 'needs'>): LabCapability<Schema, LabCustomer> {
  return { ...capability, actor: 'customer', needs: [] };
}

/** Declares an attacker capability with its parameter types checked. */
export function attackerCapability<Schema extends TObject>(capability: Omit<LabCapability<Schema, LabAttacker>, 'actor'>): LabCapability<Schema, LabAttacker> {
  return { ...capability, actor: 'attacker' };
}
