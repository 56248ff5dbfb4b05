import { recordChargeHistory } from '../../risk/charge-history.ts';
import type { ChargeStep } from '../charge.ts';

/**
 * history: charges whose money moved in this batch join the customer's, link's and customer–operator history
 * that the risk features read ("first charge", "amount relative to history", "used this operator before").
 * Same transaction as the money, so every process reads the same history. Waiting charges join when approved.
 */
export const history: ChargeStep = {
  name: 'history',
  async run({ tx, now }, items) {
    // Only charges the risk step decided: a path without it (a benchmark's baseline) keeps no history to read.
    const moved = items.filter((item) => item.outcome.kind === 'charged' && !item.outcome.replayed && item.risk);
    if (moved.length === 0) return;
    await recordChargeHistory(tx, moved.map((item) => ({
      customer_id: item.risk!.customer_id, operator_id: item.operator!.id, link_id: item.link!.id, amount_yen: item.request.amount_yen, confirmed: false,
    })), now);
  },
};
