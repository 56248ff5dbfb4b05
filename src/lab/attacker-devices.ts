import { Type, type Static } from '@sinclair/typebox';
import type { LabAttacker } from './lab-actor.ts';

/**
 * Which device id an attacker's wallet app reports to the operator (and so to the bank): one phone for every victim,
 * a fresh one per victim (an emulator farm), or a pool of so many phones used in turn.
 */
export const Devices = Type.Union([Type.Literal('one'), Type.Literal('per-target'), Type.Integer({ minimum: 1, maximum: 100_000 })], {
  description: '"one" phone for all, "per-target" a fresh device id per victim, or a pool of N phones in turn',
});
export type Devices = Static<typeof Devices>;

/** The device id for the attacker's `index`-th target. */
export function deviceFor(attacker: LabAttacker, devices: Devices | undefined, index: number): string {
  const strategy = devices ?? 'one';
  // Device ids are relayed in a header that takes letters, digits and . _ : - only.
  const owner = attacker.key.replace(/[^A-Za-z0-9._:-]/g, '.');
  if (strategy === 'one') return `${owner}.phone`;
  if (strategy === 'per-target') return `${owner}.device-${index}`;
  return `${owner}.phone-${index % strategy}`;
}
