-- Every KYC attestation the bank has accepted at a consent, so each is used once: a second presentation of the
-- same (iss, jti), from any bank process, is refused as kyc_attestation_replayed. A row is kept while its
-- attestation could still verify (exp, or iat plus the 10-minute lifetime cap, plus the clock skew allowed);
-- after that the signature check refuses the attestation anyway, so the row is forgotten.
CREATE TABLE kyc_attestation_uses (
  -- The operator's client_id: jti values are unique only per issuer.
  issuer text NOT NULL CHECK (char_length(issuer) BETWEEN 1 AND 256),
  jti text NOT NULL CHECK (char_length(jti) BETWEEN 1 AND 256),
  used_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX kyc_attestation_uses_expiry ON kyc_attestation_uses (expires_at);
