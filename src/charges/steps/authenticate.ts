import { FurikaeError } from '../../errors/furikae-error.ts';
import { hashToken } from '../../shared/secret-hash.ts';
import type { Link } from '../../linking/link.ts';
import type { Operator } from '../../operators/operator.ts';
import { openItems, type ChargeStep } from '../charge.ts';

interface Row {
  token_hash: string;
  id: string;
  operator_id: string;
  account_id: string;
  method: Link['method'];
  status: Link['status'];
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  created_at: Date;
  o_display_name: string;
  o_passbook_label: string;
  o_client_id: string;
  o_settlement_account_id: string;
  o_link_methods_allowed: Operator['link_methods_allowed'];
  o_kyc_level_min: Operator['kyc_level_min'];
  o_charge_yen_max: number;
  o_charges_yen_per_month_max: number;
  o_new_links_suspended: boolean;
  o_charges_suspended: boolean;
  o_created_at: Date;
}

function toLink(row: Row): Link {
  const { id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at } = row;
  return { id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at, revoked_at: null, revoked_by: null };
}

function toOperator(row: Row): Operator {
  return {
    id: row.operator_id, display_name: row.o_display_name, passbook_label: row.o_passbook_label, client_id: row.o_client_id,
    settlement_account_id: row.o_settlement_account_id, link_methods_allowed: row.o_link_methods_allowed,
    kyc_level_min: row.o_kyc_level_min, charge_yen_max: row.o_charge_yen_max, charges_yen_per_month_max: row.o_charges_yen_per_month_max,
    new_links_suspended: row.o_new_links_suspended, charges_suspended: row.o_charges_suspended, created_at: row.o_created_at,
  };
}

/**
 * authenticate: the credential names an active link. Link rows are locked for the batch (ordered by id,
 * so batches in several processes never deadlock), which serialises charges with revocation and with
 * each other's monthly totals; operator rows are share-locked so a kill switch waits for this batch.
 */
export const authenticate: ChargeStep = {
  name: 'authenticate',
  async run({ tx }, items) {
    const open = openItems(items);
    const hashes = [...new Set(open.map((item) => hashToken(item.request.link_token)))];
    const rows = await tx.query<Row>(
      `SELECT l.token_hash, l.id, l.operator_id, l.account_id, l.method, l.status, l.charge_yen_max,
              l.charges_yen_per_month_max, l.created_at,
              o.display_name AS o_display_name, o.passbook_label AS o_passbook_label, o.client_id AS o_client_id,
              o.settlement_account_id AS o_settlement_account_id, o.link_methods_allowed AS o_link_methods_allowed,
              o.kyc_level_min AS o_kyc_level_min, o.charge_yen_max AS o_charge_yen_max,
              o.charges_yen_per_month_max AS o_charges_yen_per_month_max, o.new_links_suspended AS o_new_links_suspended,
              o.charges_suspended AS o_charges_suspended, o.created_at AS o_created_at
         FROM links l JOIN operators o ON o.id = l.operator_id
        WHERE l.token_hash = ANY($1::text[])
        ORDER BY l.id
        FOR NO KEY UPDATE OF l FOR SHARE OF o`,
      [hashes],
    );
    const byHash = new Map(rows.map((row) => [row.token_hash, row]));
    for (const item of open) {
      const row = byHash.get(hashToken(item.request.link_token));
      if (!row) {
        item.outcome = { kind: 'refused', error: new FurikaeError('link_token_invalid', 'The link credential is not known') };
      } else if (row.status !== 'active') {
        item.outcome = { kind: 'refused', error: new FurikaeError('link_revoked', `Link ${row.id} was revoked`) };
      } else {
        item.link = toLink(row);
        item.operator = toOperator(row);
      }
    }
  },
};
