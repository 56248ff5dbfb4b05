import { FurikaeError } from '../../errors/furikae-error.ts';
import { hashToken } from '../../shared/secret-hash.ts';
import type { Link } from '../../linking/link.ts';
import type { Operator } from '../../operators/operator.ts';
import { openItems, type ChargeItem, type ChargeStep } from '../charge.ts';

interface Row {
  token_hash: string | null;
  id: string;
  operator_id: string;
  account_id: string;
  method: Link['method'];
  status: Link['status'];
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  consent_expires_at: Date | null;
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
  o_containment_level: number | null;
  o_containment_action: Operator['containment_action'];
  o_source_addresses: string[];
  o_containment_active: Operator['containment_active'];
}

function toLink(row: Row): Link {
  const { id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at, consent_expires_at } = row;
  return { id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at, revoked_at: null, revoked_by: null, consent_expires_at };
}

function toOperator(row: Row): Operator {
  return {
    id: row.operator_id, display_name: row.o_display_name, passbook_label: row.o_passbook_label, client_id: row.o_client_id,
    settlement_account_id: row.o_settlement_account_id, link_methods_allowed: row.o_link_methods_allowed,
    kyc_level_min: row.o_kyc_level_min, charge_yen_max: row.o_charge_yen_max, charges_yen_per_month_max: row.o_charges_yen_per_month_max,
    new_links_suspended: row.o_new_links_suspended, charges_suspended: row.o_charges_suspended, created_at: row.o_created_at,
    containment_level: row.o_containment_level, containment_action: row.o_containment_action, source_addresses: row.o_source_addresses,
    containment_active: row.o_containment_active,
  };
}

const refuse = (item: ChargeItem, error: FurikaeError) => {
  item.outcome = { kind: 'refused', error };
};

/**
 * authenticate: the credential names an active link of this operator (neither revoked nor frozen by the customer's
 * "this wasn't me"). A legacy credential is found by its hash; an access token (already verified against its DPoP
 * proof) names its link, must come from the link's operator, within the consent's lifetime, and its proof may be
 * used once. Link rows are locked for the batch (ordered by id, so batches in several processes never deadlock),
 * which serialises charges with revocation, freezing and monthly totals; operator rows are share-locked so a kill
 * switch waits for this batch.
 */
export const authenticate: ChargeStep = {
  name: 'authenticate',
  async run({ tx, now }, items) {
    const open = openItems(items);
    const tokenHashes: string[] = [];
    const linkIds: string[] = [];
    for (const item of open) {
      const { credential } = item.request;
      if (credential.kind === 'link_token') tokenHashes.push(hashToken(credential.token));
      else linkIds.push(credential.link_id);
    }
    const rows = await tx.query<Row>(
      `SELECT l.token_hash, l.id, l.operator_id, l.account_id, l.method, l.status, l.charge_yen_max,
              l.charges_yen_per_month_max, l.consent_expires_at, l.created_at,
              o.display_name AS o_display_name, o.passbook_label AS o_passbook_label, o.client_id AS o_client_id,
              o.settlement_account_id AS o_settlement_account_id, o.link_methods_allowed AS o_link_methods_allowed,
              o.kyc_level_min AS o_kyc_level_min, o.charge_yen_max AS o_charge_yen_max,
              o.charges_yen_per_month_max AS o_charges_yen_per_month_max, o.new_links_suspended AS o_new_links_suspended,
              o.charges_suspended AS o_charges_suspended, o.created_at AS o_created_at,
              o.containment_level AS o_containment_level, o.containment_action AS o_containment_action,
              o.source_addresses AS o_source_addresses,
              (SELECT c.action FROM operator_containments c WHERE c.operator_id = o.id AND c.released_at IS NULL) AS o_containment_active
         FROM links l JOIN operators o ON o.id = l.operator_id
        WHERE l.token_hash = ANY($1::text[]) OR l.id = ANY($2::uuid[])
        ORDER BY l.id
        FOR NO KEY UPDATE OF l FOR SHARE OF o`,
      [[...new Set(tokenHashes)], [...new Set(linkIds)]],
    );
    const byHash = new Map(rows.filter((row) => row.token_hash).map((row) => [row.token_hash!, row]));
    const byId = new Map(rows.map((row) => [row.id, row]));
    const proofs: ChargeItem[] = [];
    for (const item of open) {
      const { credential } = item.request;
      const row = credential.kind === 'link_token' ? byHash.get(hashToken(credential.token)) : byId.get(credential.link_id);
      if (!row) {
        refuse(item, credential.kind === 'link_token'
          ? new FurikaeError('link_token_invalid', 'The link credential is not known')
          : new FurikaeError('access_token_invalid', 'The access token names no link'));
      } else if (credential.kind === 'access_token' && (row.o_client_id !== credential.client_id || row.method !== 'fapi2')) {
        refuse(item, new FurikaeError('link_mismatch', 'The access token was not issued to this link’s operator'));
      } else if (item.request.link_id !== null && item.request.link_id !== row.id) {
        refuse(item, new FurikaeError('link_mismatch', `The credential is for another link than ${item.request.link_id}`));
      } else if (row.status === 'frozen') {
        refuse(item, new FurikaeError('link_frozen', `Link ${row.id} is frozen: the customer reported it as not theirs`));
      } else if (row.status !== 'active') {
        refuse(item, new FurikaeError('link_revoked', `Link ${row.id} was revoked`));
      } else if (row.consent_expires_at && row.consent_expires_at <= now) {
        refuse(item, new FurikaeError('consent_expired', `The consent for link ${row.id} expired`));
      } else {
        item.link = toLink(row);
        item.operator = toOperator(row);
        if (credential.kind === 'access_token') proofs.push(item);
      }
    }
    if (proofs.length === 0) return;
    // RFC 9449 §11.1: each proof once. The insert is the check, so two processes cannot both accept one proof.
    const jtiHash = (item: ChargeItem) => hashToken((item.request.credential as { dpop_jti: string }).dpop_jti);
    const inserted = await tx.query<{ jti_hash: string }>(
      `INSERT INTO dpop_proofs_seen (jti_hash, expires_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
       ON CONFLICT (jti_hash) DO NOTHING RETURNING jti_hash`,
      [proofs.map(jtiHash), proofs.map((item) => (item.request.credential as { dpop_expires_at: Date }).dpop_expires_at)],
    );
    const fresh = new Set(inserted.map((row) => row.jti_hash));
    for (const item of proofs) {
      const hash = jtiHash(item);
      if (fresh.delete(hash)) continue;
      refuse(item, new FurikaeError('dpop_proof_replayed', 'This DPoP proof was already used'));
    }
  },
};
