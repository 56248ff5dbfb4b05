import { createHash } from 'node:crypto';

/** Letters of the binding digest in a purpose: 24 base-26 letters ≈ 112 bits, and `charge_` + 24 fits the 40-character purpose. */
const BINDING_LETTERS = 24;

/**
 * The SMS-code purpose that binds a step-up approval to one charge, its exact amount and its payee (PSD2 RTS
 * Art. 5, dynamic linking): a code sent for ¥100,000 to one operator verifies only for that charge, that amount
 * and that operator. Purposes are lower-case letters and underscores (src/mfa/second-factors.ts), so the binding
 * is a SHA-256 digest written in letters.
 */
export function stepUpPurpose(binding: { charge_id: string; amount_yen: number; payee_operator_id: string }): string {
  const digest = createHash('sha256').update(JSON.stringify(['furikae.step_up.v1', binding.charge_id, binding.amount_yen, binding.payee_operator_id])).digest();
  let letters = '';
  for (let index = 0; index < BINDING_LETTERS; index++) letters += String.fromCharCode(97 + (digest[index]! % 26));
  return `charge_${letters}`;
}
