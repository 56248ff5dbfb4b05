-- Every attempt to prove a credential (the 2020 PIN link, an internet-banking password, a second factor),
-- kept in SQL rather than process memory so that every API process sees the same counts.
CREATE TABLE credential_attempts (
  id uuid PRIMARY KEY,
  credential text NOT NULL CHECK (credential IN ('legacy_pin', 'password', 'second_factor')),
  -- Whose credential: 'branch-account number' for a PIN, the login id for a password.
  account_key text NOT NULL CHECK (char_length(account_key) BETWEEN 1 AND 100),
  operator_id uuid,
  source_ip text NOT NULL CHECK (char_length(source_ip) BETWEEN 1 AND 64),
  device_id text CHECK (char_length(device_id) BETWEEN 1 AND 128),
  -- HMAC-SHA256 of the secret tried, under a server key kept outside the database: equal secrets compare
  -- equal (reverse brute force shows up), yet a copy of this table alone cannot be searched for PINs.
  secret_fingerprint text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('failure', 'success')),
  at timestamptz NOT NULL
);
CREATE INDEX credential_attempts_account ON credential_attempts (credential, account_key, at);
CREATE INDEX credential_attempts_ip_failures ON credential_attempts (source_ip, at) WHERE outcome = 'failure';
CREATE INDEX credential_attempts_device_failures ON credential_attempts (device_id, at) WHERE outcome = 'failure' AND device_id IS NOT NULL;
CREATE INDEX credential_attempts_operator_failures ON credential_attempts (operator_id, at) WHERE outcome = 'failure' AND operator_id IS NOT NULL;
CREATE INDEX credential_attempts_fingerprint_failures ON credential_attempts (credential, secret_fingerprint, at) WHERE outcome = 'failure';

-- Consecutive failures per account and credential, and the lock they lead to. An unknown account number
-- gets a row too, so a lock never tells an attacker whether the account exists.
CREATE TABLE credential_account_states (
  id uuid NOT NULL UNIQUE,
  credential text NOT NULL CHECK (credential IN ('legacy_pin', 'password', 'second_factor')),
  account_key text NOT NULL CHECK (char_length(account_key) BETWEEN 1 AND 100),
  -- Counted when an attempt starts and cleared by a success, so attempts racing in several processes
  -- can never verify more than the limit between two successes.
  failures_consecutive integer NOT NULL DEFAULT 0 CHECK (failures_consecutive >= 0),
  -- The account holder, when the account exists: whom to notify and whom staff are looking at.
  customer_id uuid REFERENCES customers (id),
  -- Set when the limit was reached; only an explicit unlock by staff clears it.
  locked_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (credential, account_key)
);
CREATE INDEX credential_account_states_locked ON credential_account_states (locked_at) WHERE locked_at IS NOT NULL;

-- Locks and unlocks, with who did it.
CREATE TABLE credential_lock_events (
  id uuid PRIMARY KEY,
  state_id uuid NOT NULL REFERENCES credential_account_states (id),
  event text NOT NULL CHECK (event IN ('locked', 'unlocked')),
  -- 'system' or 'staff:<staff id>'.
  actor text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX credential_lock_events_state ON credential_lock_events (state_id, at);

-- Patterns staff must see: one secret failing across many accounts (reverse brute force, as suspected in
-- 2020), or one operator's users failing far more than typos explain. One open alert per subject.
CREATE TABLE credential_alerts (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('reverse_brute_force', 'operator_failure_rate')),
  credential text NOT NULL CHECK (credential IN ('legacy_pin', 'password', 'second_factor')),
  -- A secret fingerprint (reverse brute force) or an operator id (failure rate).
  subject text NOT NULL,
  accounts_count integer NOT NULL CHECK (accounts_count >= 0),
  failures_count integer NOT NULL CHECK (failures_count >= 0),
  source_ips text[] NOT NULL,
  device_ids text[] NOT NULL,
  operator_ids text[] NOT NULL,
  raised_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by text
);
CREATE UNIQUE INDEX credential_alerts_open ON credential_alerts (kind, credential, subject) WHERE resolved_at IS NULL;

-- Sources and secrets refused outright until a time, or until staff lift the block.
CREATE TABLE credential_blocks (
  id uuid PRIMARY KEY,
  dimension text NOT NULL CHECK (dimension IN ('source_ip', 'device_id', 'secret_fingerprint')),
  value text NOT NULL,
  alert_id uuid REFERENCES credential_alerts (id),
  blocked_at timestamptz NOT NULL,
  blocked_until timestamptz NOT NULL,
  lifted_at timestamptz,
  -- 'staff:<staff id>'.
  lifted_by text,
  CHECK (blocked_until > blocked_at)
);
CREATE UNIQUE INDEX credential_blocks_live ON credential_blocks (dimension, value) WHERE lifted_at IS NULL;
