-- oidc-provider's models (sessions, interactions, codes, PAR requests, grants, tokens), shared by every process.
CREATE TABLE oidc_payloads (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  user_code text,
  uid text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oidc_payloads_grant ON oidc_payloads (grant_id);
CREATE INDEX oidc_payloads_uid ON oidc_payloads (uid);

-- The authorization server's signing keys and cookie secrets, made once so every process and restart agrees.
CREATE TABLE authorization_secrets (
  name text PRIMARY KEY,
  value jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- State of one login/consent interaction beyond what oidc-provider keeps: the form token and the customer
-- whose password was checked, waiting for the second factor.
CREATE TABLE interaction_states (
  uid text PRIMARY KEY,
  csrf_token text NOT NULL,
  customer_id uuid,
  password_verified boolean NOT NULL DEFAULT false,
  expires_at timestamptz NOT NULL
);
