import { FurikaeError } from '../../errors/furikae-error.ts';
import type { NewAlert } from '../../cases/alert.ts';
import { sourceAddressAllowed, sourceRefusalAlertId } from '../../operators/operator-source-addresses.ts';
import { openItems, type ChargeStep } from '../charge.ts';

/**
 * policy: the operator's kill switch allows charges (read under the share lock taken by authenticate), and the request
 * comes from an address the operator registered, if it registered any: a leaked token used from a thief's server is
 * refused (`operator_source_not_registered`) and staff are alerted.
 */
export const policy: ChargeStep = {
  name: 'policy',
  async run({ risk, now, tx }, items) {
    const alerts = new Map<string, NewAlert>();
    for (const item of openItems(items)) {
      const operator = item.operator!;
      if (operator.charges_suspended) {
        item.outcome = { kind: 'refused', error: new FurikaeError('charges_suspended', `Charges by ${operator.display_name} are suspended`) };
      } else if (!sourceAddressAllowed(operator.source_addresses, item.request.source_ip)) {
        item.outcome = { kind: 'refused', error: new FurikaeError('operator_source_not_registered', 'This request comes from an address the operator did not register') };
        const id = sourceRefusalAlertId(operator.id, item.request.source_ip, now);
        alerts.set(id, {
          id, kind: 'operator_source_refused', severity: 'high', operator_id: operator.id, at: now,
          summary: `${operator.display_name}: a charge from ${item.request.source_ip}, not a registered address, refused`,
          reason_codes: ['operator_source_not_registered'], details: { source_ip: item.request.source_ip, path: 'charge' },
        });
      }
    }
    if (alerts.size > 0 && risk) await risk.raiseAlerts(tx, [...alerts.values()]);
  },
};
