-- Links made through FAPI 2.0 consent keep what the customer agreed to and how they proved it.
ALTER TABLE links
  -- The oidc-provider grant this link's tokens come from.
  ADD COLUMN grant_id text UNIQUE,
  ADD COLUMN consent_expires_at timestamptz,
  -- The second factor the customer approved the consent with ('totp', 'sms').
  ADD COLUMN approved_with_factor text,
  -- The operator's signed KYC attestation, as verified, and the identity match against the bank's record.
  ADD COLUMN kyc_attestation jsonb,
  ADD COLUMN identity_match_score integer,
  ADD COLUMN identity_match_reasons text[];

-- DPoP proofs already used at the charge API: a replayed proof is refused (RFC 9449 §11.1).
CREATE TABLE dpop_proofs_seen (
  jti_hash text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

-- Operators that link through FAPI 2.0 register their public keys (private_key_jwt, KYC attestations)
-- and the exact redirect URIs the bank may send customers back to.
ALTER TABLE operators
  ADD COLUMN jwks jsonb,
  ADD COLUMN redirect_uris text[] NOT NULL DEFAULT ARRAY[]::text[];
