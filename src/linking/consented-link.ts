import type { Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Operator } from '../operators/operator.ts';
import type { KycAttestationClaims } from '../kyc/kyc-attestation.ts';
import type { IdentityMatch } from '../kyc/identity-match.ts';
import { LINK_COLUMNS, type Link } from './link.ts';

export interface ConsentedLinkInput {
  operator: Operator;
  account_id: string;
  grant_id: string;
  factor: string;
  /** When the carrier last changed the SIM behind the holder's number, for a link approved by SMS; null otherwise. */
  sms_sim_changed_at: Date | null;
  attestation: KycAttestationClaims;
  identity: IdentityMatch;
  consent_expires_at: Date;
}

/**
 * Records a link the customer consented to at the bank after MFA: the consent's expiry, the factor that
 * approved it, the operator's KYC attestation and the identity match. No bearer credential is issued:
 * the operator gets DPoP-bound access tokens from the authorization server instead.
 */
export async function insertConsentedLink(tx: Queryable, { clock, ids }: { clock: Clock; ids: Ids }, input: ConsentedLinkInput): Promise<Link> {
  const [link] = await tx.query<Link>(
    `INSERT INTO links (id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at,
       grant_id, consent_expires_at, approved_with_factor, kyc_attestation, identity_match_score, identity_match_reasons, sms_sim_changed_at)
     VALUES ($1, $2, $3, 'fapi2', 'active', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${LINK_COLUMNS}`,
    [
      ids.next(), input.operator.id, input.account_id, input.operator.charge_yen_max, input.operator.charges_yen_per_month_max,
      clock.now(), input.grant_id, input.consent_expires_at, input.factor, JSON.stringify(input.attestation),
      input.identity.score, input.identity.reasons, input.sms_sim_changed_at,
    ],
  );
  if (!link) throw new Error('link insert returned nothing');
  return link;
}
