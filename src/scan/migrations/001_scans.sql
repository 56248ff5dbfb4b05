-- Retrospective scans (src/scan): today's risk rules and the scan-only typologies run over a past window of links
-- and charges. A scan keeps what it found under its own id: the suspects with their scores and reasons, and totals.

CREATE TABLE scans (
  id uuid PRIMARY KEY,
  -- The incident the scan serves (src/incidents, when it exists); no foreign key so either can land first.
  incident_id uuid,
  -- The window as typed, in Japan-time calendar days, both inclusive; and as instants, [from_at, to_at).
  from_date date NOT NULL,
  to_date date NOT NULL,
  from_at timestamptz NOT NULL,
  to_at timestamptz NOT NULL,
  -- Only this operator's links and charges; null for all operators.
  operator_id uuid REFERENCES operators (id),
  -- The configs the scan ran under: today's risk config and the scan typologies' config.
  risk_config_id text NOT NULL,
  scan_config_id text NOT NULL,
  -- 'staff:<staff id>' from the console, 'cli' from furikae incident scan.
  started_by text NOT NULL CHECK (started_by ~ '^(cli|staff:[0-9a-f-]{36})$'),
  status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  chunks_total integer NOT NULL CHECK (chunks_total >= 0),
  chunks_done integer NOT NULL DEFAULT 0 CHECK (chunks_done >= 0 AND chunks_done <= chunks_total),
  customers_total integer NOT NULL CHECK (customers_total >= 0),
  links_scanned bigint NOT NULL DEFAULT 0,
  charges_scanned bigint NOT NULL DEFAULT 0,
  charged_yen_scanned bigint NOT NULL DEFAULT 0,
  suspect_links integer NOT NULL DEFAULT 0,
  suspect_charges integer NOT NULL DEFAULT 0,
  suspect_customers integer NOT NULL DEFAULT 0,
  suspect_yen bigint NOT NULL DEFAULT 0,
  -- Why a failed scan stopped (never a secret: an error message).
  failure text CHECK (char_length(failure) <= 500),
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz,
  CHECK (from_date <= to_date AND from_at < to_at),
  CHECK ((status = 'running') = (finished_at IS NULL)),
  CHECK (status <> 'failed' OR failure IS NOT NULL)
);
CREATE INDEX scans_started ON scans (started_at);
CREATE INDEX scans_incident ON scans (incident_id, started_at) WHERE incident_id IS NOT NULL;

-- Suspect links: the scan typology's score over the link's whole history, and its reasons.
CREATE TABLE scan_links (
  scan_id uuid NOT NULL REFERENCES scans (id),
  link_id uuid NOT NULL REFERENCES links (id),
  customer_id uuid NOT NULL,
  operator_id uuid NOT NULL,
  method text NOT NULL,
  linked_at timestamptz NOT NULL,
  score integer NOT NULL CHECK (score >= 0),
  reasons text[] NOT NULL,
  -- Today's rules on the link as it was made: allow, challenge, hold or deny.
  decision text NOT NULL CHECK (decision IN ('allow', 'challenge', 'hold', 'deny')),
  -- Its suspect charges in the window.
  charges_count integer NOT NULL CHECK (charges_count >= 0),
  charged_yen bigint NOT NULL CHECK (charged_yen >= 0),
  -- The fraud review an analyst opened from this row (bulk opening never opens a second one).
  case_id uuid REFERENCES cases (id),
  PRIMARY KEY (scan_id, link_id)
);
CREATE INDEX scan_links_score ON scan_links (scan_id, score DESC);

-- Suspect charges in the window: the link's score plus what today's rules say about the charge itself.
CREATE TABLE scan_charges (
  scan_id uuid NOT NULL REFERENCES scans (id),
  charge_id uuid NOT NULL,
  link_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  operator_id uuid NOT NULL,
  amount_yen bigint NOT NULL CHECK (amount_yen > 0),
  charged_at timestamptz NOT NULL,
  score integer NOT NULL CHECK (score >= 0),
  reasons text[] NOT NULL,
  decision text NOT NULL CHECK (decision IN ('allow', 'challenge', 'hold', 'deny')),
  PRIMARY KEY (scan_id, charge_id)
);
CREATE INDEX scan_charges_link ON scan_charges (scan_id, link_id);
CREATE INDEX scan_charges_customer ON scan_charges (scan_id, customer_id);

-- Suspect customers: those with a suspect link; the score is their worst link's.
CREATE TABLE scan_customers (
  scan_id uuid NOT NULL REFERENCES scans (id),
  customer_id uuid NOT NULL REFERENCES customers (id),
  score integer NOT NULL CHECK (score >= 0),
  reasons text[] NOT NULL,
  links_count integer NOT NULL CHECK (links_count > 0),
  charges_count integer NOT NULL CHECK (charges_count >= 0),
  charged_yen bigint NOT NULL CHECK (charged_yen >= 0),
  PRIMARY KEY (scan_id, customer_id)
);

-- Totals per operator and Japan-time month: everything scanned, and what of it is suspect.
CREATE TABLE scan_totals (
  scan_id uuid NOT NULL REFERENCES scans (id),
  operator_id uuid NOT NULL,
  month date NOT NULL,
  charges_scanned integer NOT NULL CHECK (charges_scanned >= 0),
  charged_yen bigint NOT NULL CHECK (charged_yen >= 0),
  suspect_charges integer NOT NULL CHECK (suspect_charges >= 0),
  suspect_yen bigint NOT NULL CHECK (suspect_yen >= 0),
  PRIMARY KEY (scan_id, operator_id, month)
);

-- The ledger's history indexes, widened for the scan: the same keys and the same rows (posted lines only), now
-- carrying what the scan reads, so its read of millions of ledger lines is an index-only scan in account order
-- rather than a random heap visit per line. Each entry grows by about 60 bytes; no index is added to the write path.
DROP INDEX ledger_transfers_debit_history;
CREATE INDEX ledger_transfers_debit_history ON ledger_transfers (debit_account_id, seq)
  INCLUDE (created_at, amount_yen, code, user_data, pending_id, id) WHERE flags & 5 = 0;
DROP INDEX ledger_transfers_credit_history;
CREATE INDEX ledger_transfers_credit_history ON ledger_transfers (credit_account_id, seq) INCLUDE (created_at, amount_yen) WHERE flags & 5 = 0;

-- Indexes made for the scan, partial so the charge and login paths pay little: sign-ins to the bank's pages per
-- login (counted per customer over the window without visiting the table), and failed attempts per credential
-- (found without stepping over a customer's many successful sign-ins).
CREATE INDEX credential_attempts_sign_ins ON credential_attempts (account_key, at) WHERE credential = 'password' AND outcome = 'success';
CREATE INDEX credential_attempts_account_failures ON credential_attempts (credential, account_key, at) WHERE outcome = 'failure';

-- One scan runs at a time (a second is refused with scan_busy): a scan is heavy, and the charge path shares the database.
CREATE UNIQUE INDEX scans_one_running ON scans ((true)) WHERE status = 'running';
