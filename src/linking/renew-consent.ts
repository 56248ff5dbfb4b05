import type { Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { KycAttestationClaims } from '../kyc/kyc-attestation.ts';
import type { IdentityMatch } from '../kyc/identity-match.ts';
import { enqueueOperatorEvent } from '../webhooks/webhook-event.ts';
import { enqueueLinkNotices } from '../notify/enqueue-link-notices.ts';

/** Why a renewal is refused; each a stable code in the error registry. Nothing changes on a refusal. */
export type ConsentRenewalRefusal = 'link_not_found' | 'link_revoked' | 'link_frozen' | 'link_not_renewable' | 'identity_mismatch';

/** What renewing a consent did: the link's new end, or why not. */
export type ConsentRenewal =
  | { ok: true; link_id: string; account_id: string; consent_expires_at: Date }
  | { ok: false; code: ConsentRenewalRefusal };

/** The link a renewal names, if it may be renewed by this customer through this operator, or why not. */
export type RenewableLink =
  | { ok: true; link_id: string; account_id: string; charge_yen_max: number; charges_yen_per_month_max: number; consent_expires_at: Date | null }
  | { ok: false; code: ConsentRenewalRefusal };

interface LinkRow {
  id: string;
  account_id: string;
  method: string;
  status: string;
  grant_id: string | null;
  charge_yen_max: number;
  charges_yen_per_month_max: number;
  consent_expires_at: Date | null;
  customer_id: string;
  wallet_subject: string | null;
}

async function readLink(tx: Queryable, link_id: string, operator_id: string, lock: boolean): Promise<LinkRow | undefined> {
  const [row] = await tx.query<LinkRow>(
    `SELECT l.id, l.account_id, l.method, l.status, l.grant_id, l.charge_yen_max, l.charges_yen_per_month_max, l.consent_expires_at,
            a.customer_id, l.kyc_attestation->>'sub' AS wallet_subject
       FROM links l JOIN bank_accounts a ON a.id = l.account_id
      WHERE l.id = $1 AND l.operator_id = $2 ${lock ? 'FOR NO KEY UPDATE OF l' : ''}`,
    [link_id, operator_id],
  );
  return row;
}

/**
 * Whether `customer_id` may renew link `link_id` of `operator_id`. Another operator's link and another customer's
 * link are both link_not_found: neither the operator nor the customer learns that it exists. A legacy (PIN) link
 * has no consent to renew: the hardened flow makes a new link. A revoked link stays revoked; a frozen one waits
 * for the dispute staff work (renewing would undo the customer's "this wasn't me"). An expired one may be renewed.
 */
export async function findRenewableLink(tx: Queryable, { link_id, operator_id, customer_id }: { link_id: string; operator_id: string; customer_id: string }, lock = false): Promise<RenewableLink & { row?: LinkRow }> {
  const row = await readLink(tx, link_id, operator_id, lock);
  if (!row || row.customer_id !== customer_id) return { ok: false, code: 'link_not_found' };
  if (row.method !== 'fapi2') return { ok: false, code: 'link_not_renewable' };
  if (row.status === 'revoked') return { ok: false, code: 'link_revoked' };
  if (row.status === 'frozen') return { ok: false, code: 'link_frozen' };
  return {
    ok: true, link_id: row.id, account_id: row.account_id, charge_yen_max: row.charge_yen_max,
    charges_yen_per_month_max: row.charges_yen_per_month_max, consent_expires_at: row.consent_expires_at, row,
  };
}

export interface ConsentRenewalInput {
  link_id: string;
  operator_id: string;
  /** The customer who signed in at the bank and approved with a second factor. */
  customer_id: string;
  /** The new oidc-provider grant the operator's new tokens come from. */
  grant_id: string;
  factor: string;
  attestation: KycAttestationClaims;
  identity: IdentityMatch;
  consent_expires_at: Date;
}

/**
 * Renews a FAPI link's consent inside the caller's transaction, after the customer signed in and approved with a
 * second factor: the same link gets the new end, the new grant (the old grant's tokens are deleted, so only the
 * tokens of this approval charge) and the approval's factor, attestation and identity match. Its id, charges,
 * limits and history stay. The wallet user must be the one the link was made for (the attestation's `sub`), so
 * another account at the operator cannot take a link over by renewing it. The customer is told by e-mail (with
 * "this wasn't me") and SMS, the operator by a `link.consent_renewed` webhook, in the same transaction.
 */
export async function renewConsent(tx: Queryable, { clock, ids }: { clock: Clock; ids: Ids }, input: ConsentRenewalInput): Promise<ConsentRenewal> {
  const found = await findRenewableLink(tx, input, true);
  if (!found.ok) return found;
  const row = found.row!;
  if (row.wallet_subject !== null && row.wallet_subject !== input.attestation.sub) return { ok: false, code: 'identity_mismatch' };
  const now = clock.now();
  await tx.query(
    `UPDATE links SET consent_expires_at = $2, grant_id = $3, approved_with_factor = $4, kyc_attestation = $5,
            identity_match_score = $6, identity_match_reasons = $7, consent_renewed_at = $8
      WHERE id = $1`,
    [row.id, input.consent_expires_at, input.grant_id, input.factor, JSON.stringify(input.attestation), input.identity.score, input.identity.reasons, now],
  );
  // The old approval's refresh tokens stop here: the operator holds the new ones, and nothing else should charge.
  if (row.grant_id) await tx.query(`DELETE FROM oidc_payloads WHERE grant_id = $1`, [row.grant_id]);
  await enqueueLinkNotices(tx, { ids, clock }, row.id, 'consent_renewed');
  await enqueueOperatorEvent(tx, {
    id: ids.next(), operator_id: input.operator_id, type: 'link.consent_renewed', at: now,
    data: { link: { id: row.id, consent_expires_at: input.consent_expires_at.toISOString() } },
  });
  return { ok: true, link_id: row.id, account_id: row.account_id, consent_expires_at: input.consent_expires_at };
}
