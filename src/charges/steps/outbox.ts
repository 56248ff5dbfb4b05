import { enqueueChargeNotices } from '../../notify/enqueue-charge-notices.ts';
import type { ChargeStep } from '../charge.ts';

/**
 * outbox: a notice to the customer for every charge that succeeded in this batch (not replays, which were told
 * the first time), written in the batch's transaction so it commits or rolls back with the money (DESIGN.md step 7).
 */
export const outbox: ChargeStep = {
  name: 'outbox',
  async run({ tx, ids, now }, items) {
    const charged = items.filter((item) => item.outcome.kind === 'charged' && !item.outcome.replayed);
    await enqueueChargeNotices(tx, now, charged.map((item) => ({
      notice_id: ids.next(),
      charge_id: item.charge_id,
      link_id: item.link!.id,
      account_id: item.link!.account_id,
      operator_name: item.operator!.display_name,
      passbook_label: item.operator!.passbook_label,
      amount_yen: item.request.amount_yen,
    })));
  },
};
