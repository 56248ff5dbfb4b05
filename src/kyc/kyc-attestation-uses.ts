import type { Queryable } from '../storage/database.ts';
import { KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX, KYC_ATTESTATION_LIFETIME_SECONDS_MAX, type KycAttestationClaims } from './kyc-attestation.ts';

/** Whether an attestation was used now for the first time, or had been used before. */
export type KycAttestationUse = 'first_use' | 'replayed';

/**
 * The last moment an attestation could still verify: its exp, or iat plus the lifetime cap if that is later
 * (verifyKycAttestation enforces both), plus the clock skew allowed. Its use must be remembered until then.
 */
export function kycAttestationValidUntil(claims: Pick<KycAttestationClaims, 'iat' | 'exp'>): Date {
  const last_seconds = Math.max(claims.exp, claims.iat + KYC_ATTESTATION_LIFETIME_SECONDS_MAX) + KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX;
  return new Date(last_seconds * 1000);
}

/**
 * Records that a verified attestation is being used, once for all bank processes: the (iss, jti) primary key
 * decides between two consents racing with the same attestation. Uses whose attestation can no longer verify
 * are forgotten here too, so the table holds only the last few minutes of consents.
 */
export async function useKycAttestation(tx: Queryable, claims: KycAttestationClaims, now: Date): Promise<KycAttestationUse> {
  await tx.query(`DELETE FROM kyc_attestation_uses WHERE expires_at < $1`, [now]);
  const inserted = await tx.query(
    `INSERT INTO kyc_attestation_uses (issuer, jti, used_at, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (issuer, jti) DO NOTHING RETURNING 1`,
    [claims.iss, claims.jti, now, kycAttestationValidUntil(claims)],
  );
  return inserted.length === 1 ? 'first_use' : 'replayed';
}
