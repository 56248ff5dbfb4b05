import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';

/** Who pays how much of a compensation. */
export interface CompensationSplit {
  operator_yen: number;
  bank_yen: number;
}

/**
 * Splits a compensation by the operator's agreed share. The operator's part is rounded down to whole yen, so the
 * bank bears any odd yen: the customer is always paid the whole amount, and no operator pays more than it agreed to.
 */
export function splitCompensation(amount_yen: number, operator_share_percent: number): CompensationSplit {
  assert(isAmountYen(amount_yen), 'a compensation is a positive whole number of yen');
  assert(Number.isInteger(operator_share_percent) && operator_share_percent >= 0 && operator_share_percent <= 100, 'a share is a whole percentage');
  const operator_yen = Math.floor((amount_yen * operator_share_percent) / 100);
  const split = { operator_yen, bank_yen: amount_yen - operator_yen };
  assert(split.operator_yen + split.bank_yen === amount_yen && split.bank_yen >= 0, 'the shares add up to the amount');
  return split;
}
