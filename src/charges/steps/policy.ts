import { FurikaeError } from '../../errors/furikae-error.ts';
import { openItems, type ChargeStep } from '../charge.ts';

/** policy: the operator's kill switch allows charges (read under the share lock taken by authenticate). */
export const policy: ChargeStep = {
  name: 'policy',
  async run(_context, items) {
    for (const item of openItems(items)) {
      if (item.operator!.charges_suspended) {
        item.outcome = { kind: 'refused', error: new FurikaeError('charges_suspended', `Charges by ${item.operator!.display_name} are suspended`) };
      }
    }
  },
};
