-- A link is the bank's record of a consent: this operator may charge this account, within these limits.
CREATE TABLE links (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operators (id),
  account_id uuid NOT NULL REFERENCES bank_accounts (id),
  method text NOT NULL CHECK (method IN ('legacy_pin', 'fapi2')),
  status text NOT NULL CHECK (status IN ('active', 'revoked')),
  -- SHA-256 of the bearer credential issued to the operator for this one link (legacy path).
  token_hash text UNIQUE,
  -- Limits agreed at link time; the operator's current policy may only lower them.
  charge_yen_max bigint NOT NULL,
  charges_yen_per_month_max bigint NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by text
);
CREATE INDEX links_account ON links (account_id);
CREATE INDEX links_operator ON links (operator_id, created_at);

-- Charged yen per link per calendar month in Japan time, kept beside the ledger so every process agrees.
CREATE TABLE link_monthly_totals (
  link_id uuid NOT NULL REFERENCES links (id),
  month date NOT NULL,
  charged_yen bigint NOT NULL CHECK (charged_yen >= 0),
  PRIMARY KEY (link_id, month)
);
