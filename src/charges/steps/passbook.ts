import type { ChargeStep } from '../charge.ts';

/** passbook: the customer's passbook line carries the operator's registered label, as "ドコモ口座" did. */
export const passbook: ChargeStep = {
  name: 'passbook',
  async run({ tx }, items) {
    const charged = items.filter((item) => item.outcome.kind === 'charged' && !item.outcome.replayed);
    if (charged.length === 0) return;
    await tx.query(
      `INSERT INTO passbook_labels (transfer_id, label) SELECT * FROM unnest($1::uuid[], $2::text[])`,
      [charged.map((item) => item.charge_id), charged.map((item) => item.operator!.passbook_label)],
    );
  },
};
