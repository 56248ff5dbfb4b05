-- The reference wallet's own tables. Money lives in the wallet's ledger (same ledger module as the bank);
-- these tables hold who is who, the bank link, and the business records each ledger transfer belongs to.
-- Names carry a wallet_ prefix so they never collide with the ledger's tables in the same database.

CREATE TABLE wallet_users (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  -- Stored lower-cased; the unique index is what makes a duplicate sign-up fail even under a race.
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  -- scrypt$N$r$p$salt$hash; never the password itself.
  password_hash text NOT NULL,
  -- The user's e-money account in the wallet ledger (no overdraft).
  account_id uuid NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);

CREATE TABLE wallet_sessions (
  -- sha256 of the cookie value: a leaked table does not hand out live sessions.
  id_hash text PRIMARY KEY,
  -- null for an anonymous session, which exists only to carry a CSRF token for sign-up and login.
  user_id uuid REFERENCES wallet_users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX wallet_sessions_expires_at ON wallet_sessions (expires_at);

CREATE TABLE wallet_merchants (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  account_id uuid NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Demo merchants; their ledger accounts are opened at start-up (ledger accounts are the ledger's business, not SQL's).
INSERT INTO wallet_merchants (id, name, account_id) VALUES
  ('0190a000-0000-7000-8000-000000000101', 'ファミリーマート 渋谷店', '0190a000-0000-7000-8000-000000000201'),
  ('0190a000-0000-7000-8000-000000000102', 'Tokyo Books', '0190a000-0000-7000-8000-000000000202'),
  ('0190a000-0000-7000-8000-000000000103', 'カフェ・ド・フリカエ', '0190a000-0000-7000-8000-000000000203');

CREATE TABLE wallet_bank_links (
  -- The bank's link id, as the bank returned it.
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES wallet_users (id),
  -- The credential for charges on this link. The PIN the user typed is never stored anywhere.
  link_token text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'revoked')),
  method text NOT NULL,
  branch_code text NOT NULL,
  account_number_masked text NOT NULL,
  charge_yen_max bigint NOT NULL,
  charges_yen_per_month_max bigint NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
-- One active bank link per wallet user.
CREATE UNIQUE INDEX wallet_bank_links_one_active ON wallet_bank_links (user_id) WHERE status = 'active';

CREATE TABLE wallet_top_ups (
  -- Also the bank's Idempotency-Key and the ledger transfer id, so a retry can never credit twice.
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES wallet_users (id),
  link_id text NOT NULL REFERENCES wallet_bank_links (id),
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  -- pending: asked the bank, answer not known yet (a retry with the same key settles it).
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  bank_charge_id text,
  failure_code text,
  failure_detail text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX wallet_top_ups_user ON wallet_top_ups (user_id, created_at);

CREATE TABLE wallet_payments (
  -- Also the ledger transfer id: the form carries it, so a double-submitted form pays once.
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES wallet_users (id),
  merchant_id uuid NOT NULL REFERENCES wallet_merchants (id),
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  created_at timestamptz NOT NULL
);
CREATE INDEX wallet_payments_user ON wallet_payments (user_id, created_at);

CREATE TABLE wallet_sends (
  -- Also the ledger transfer id, for the same reason as payments.
  id uuid PRIMARY KEY,
  source_user_id uuid NOT NULL REFERENCES wallet_users (id),
  target_user_id uuid NOT NULL REFERENCES wallet_users (id),
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  created_at timestamptz NOT NULL,
  CHECK (source_user_id <> target_user_id)
);
CREATE INDEX wallet_sends_source ON wallet_sends (source_user_id, created_at);
CREATE INDEX wallet_sends_target ON wallet_sends (target_user_id, created_at);
