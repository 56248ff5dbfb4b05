import { Type, type Static } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import type { LabCustomer } from './lab-actor.ts';

/** The operator a customer uses: one key, or a list from which each customer has their own, the same in every capability. */
export const OperatorChoice = Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1, maxItems: 20 })], {
  description: 'An operator key, or a list of them: each customer uses one of the list (the same one for linking and topping up)',
});
export type OperatorChoice = Static<typeof OperatorChoice>;

/** The customer's operator: by a hash of the customer's key, so link-account and top-up agree without sharing state. */
export function operatorFor(customer: LabCustomer, choice: OperatorChoice): string {
  if (typeof choice === 'string') return choice;
  return choice[createHash('sha256').update(customer.key).digest().readUInt32LE(0) % choice.length]!;
}

/** Every key the choice names. */
export function operatorsOf(choice: OperatorChoice): string[] {
  return typeof choice === 'string' ? [choice] : choice;
}
