-- The hardened wallet: a verified phone, an eKYC record, the wallet's own signing key, and FAPI 2.0 links
-- whose credential is a DPoP-bound token pair instead of a link token. The 2020 wallet leaves these empty.

-- The phone the user typed at sign-up, and when a code sent to it came back.
ALTER TABLE wallet_users ADD COLUMN phone text;
ALTER TABLE wallet_users ADD COLUMN phone_verified_at timestamptz;
-- One verified phone opens one wallet: a thief cannot reuse a phone number someone else already proved.
CREATE UNIQUE INDEX wallet_users_phone_verified ON wallet_users (phone) WHERE phone_verified_at IS NOT NULL;

CREATE TABLE wallet_phone_codes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES wallet_users (id) ON DELETE CASCADE,
  -- Normalised E.164; the code proves this number, not whatever the user's row says later.
  phone text NOT NULL,
  -- scrypt of the 6-digit code; the code itself is only ever in the SMS.
  code_hash text NOT NULL,
  attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set on success, or when the attempts run out: a spent code never works again.
  spent_at timestamptz
);
CREATE INDEX wallet_phone_codes_user ON wallet_phone_codes (user_id, created_at);

-- Every eKYC check the wallet asked its vendor for, passed or refused: who, when, how, and on what evidence.
-- The document image itself is not kept (the vendor has it); its hash and size identify it.
CREATE TABLE wallet_ekyc_checks (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES wallet_users (id) ON DELETE CASCADE,
  vendor text NOT NULL,
  vendor_reference text,
  outcome text NOT NULL CHECK (outcome IN ('verified', 'refused')),
  refusal_code text,
  level text,
  method text,
  name_kana text NOT NULL,
  -- YYYY-MM-DD as text: a calendar date in Japan, never shifted by a time zone on the way out.
  birth_date text NOT NULL CHECK (birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  phone text NOT NULL,
  document_media_type text NOT NULL,
  document_bytes int NOT NULL CHECK (document_bytes > 0),
  document_sha256 text NOT NULL,
  face_evidence text NOT NULL,
  checked_at timestamptz NOT NULL,
  CHECK ((outcome = 'verified') = (level IS NOT NULL AND method IS NOT NULL AND refusal_code IS NULL))
);
CREATE INDEX wallet_ekyc_checks_user ON wallet_ekyc_checks (user_id, checked_at);

-- The wallet's private_key_jwt and KYC attestation key. Generated on first start; the bank has its public half.
-- Demo-grade storage: a real operator keeps this in an HSM or a KMS, never in a table.
CREATE TABLE wallet_signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  -- The key in use. One at a time: when two first starts race, both insert an active key and only one row lands.
  active boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX wallet_signing_keys_one_active ON wallet_signing_keys (active) WHERE active;

-- An authorization the wallet started (PAR sent, user on their way to the bank). Found again by its state.
CREATE TABLE wallet_link_authorizations (
  -- sha256 of the state: the state travels in URLs, the table keeps only what recognises it.
  state_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES wallet_users (id) ON DELETE CASCADE,
  code_verifier text NOT NULL,
  -- The DPoP key the code will be bound to (PAR sends its thumbprint); moves to the link's grant on success.
  dpop_private_jwk jsonb NOT NULL,
  dpop_public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set when the bank's answer arrives, whatever it says: a state works once.
  used_at timestamptz
);
CREATE INDEX wallet_link_authorizations_expires_at ON wallet_link_authorizations (expires_at);

-- A FAPI 2.0 link has no link token: its credential is the grant below.
ALTER TABLE wallet_bank_links ALTER COLUMN link_token DROP NOT NULL;
ALTER TABLE wallet_bank_links ADD CONSTRAINT wallet_bank_links_credential
  CHECK (method <> 'legacy_pin' OR link_token IS NOT NULL);

-- The tokens and the DPoP key of one FAPI 2.0 link. Kept server-side only; deleted when the link ends.
CREATE TABLE wallet_bank_grants (
  link_id text PRIMARY KEY REFERENCES wallet_bank_links (id) ON DELETE CASCADE,
  access_token text NOT NULL,
  access_token_expires_at timestamptz NOT NULL,
  refresh_token text,
  dpop_private_jwk jsonb NOT NULL,
  dpop_public_jwk jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
