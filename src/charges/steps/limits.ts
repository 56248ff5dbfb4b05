import { FurikaeError } from '../../errors/furikae-error.ts';
import { japanDate } from '../../shared/japan-time.ts';
import { openItems, type ChargeStep } from '../charge.ts';

/** The first day of the Japan-time calendar month an instant falls in. */
export function japanMonth(instant: Date): string {
  return `${japanDate(instant).slice(0, 7)}-01`;
}

/**
 * limits: the amount is within the per-charge cap, and the link's month-to-date total plus this charge is
 * within the monthly cap. Each cap is the lower of the link's (agreed at consent) and the operator's current
 * policy. Totals are read under the link lock and counted forward through the batch in order.
 */
export const limits: ChargeStep = {
  name: 'limits',
  async run({ tx, now }, items) {
    const open = openItems(items);
    if (open.length === 0) return;
    const month = japanMonth(now);
    const linkIds = [...new Set(open.map((item) => item.link!.id))];
    const rows = await tx.query<{ link_id: string; charged_yen: number }>(
      `SELECT link_id, charged_yen FROM link_monthly_totals WHERE link_id = ANY($1::uuid[]) AND month = $2`,
      [linkIds, month],
    );
    const chargedYen = new Map(rows.map((row) => [row.link_id, row.charged_yen]));
    for (const item of open) {
      const link = item.link!;
      const operator = item.operator!;
      const amount = item.request.amount_yen;
      const chargeMax = Math.min(link.charge_yen_max, operator.charge_yen_max);
      const monthMax = Math.min(link.charges_yen_per_month_max, operator.charges_yen_per_month_max);
      const soFar = chargedYen.get(link.id) ?? 0;
      if (amount > chargeMax) {
        item.outcome = { kind: 'refused', error: new FurikaeError('charge_yen_max_exceeded', `At most ¥${chargeMax.toLocaleString('en-US')} per charge`, { charge_yen_max: chargeMax }) };
      } else if (soFar + amount > monthMax) {
        item.outcome = {
          kind: 'refused',
          error: new FurikaeError('charges_yen_per_month_max_exceeded', `At most ¥${monthMax.toLocaleString('en-US')} a month; ¥${soFar.toLocaleString('en-US')} charged so far`, {
            charges_yen_per_month_max: monthMax,
            charged_yen_this_month: soFar,
          }),
        };
      } else {
        item.month = month;
        chargedYen.set(link.id, soFar + amount);
      }
    }
  },
};
