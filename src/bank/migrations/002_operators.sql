-- Payment apps registered at the bank as API clients, with their policy and kill switches.
CREATE TABLE operators (
  id uuid PRIMARY KEY,
  display_name text NOT NULL,
  -- What the customer's passbook shows for this operator's charges, e.g. 'ドコモ口座'.
  passbook_label text NOT NULL CHECK (char_length(passbook_label) BETWEEN 1 AND 20),
  client_id text NOT NULL UNIQUE,
  client_secret_hash text NOT NULL,
  -- The operator's account at the bank that charges are paid into (a ledger account).
  settlement_account_id uuid NOT NULL,
  link_methods_allowed text[] NOT NULL DEFAULT ARRAY['fapi2'],
  kyc_level_min text NOT NULL DEFAULT 'ekyc_document_face',
  charge_yen_max bigint NOT NULL DEFAULT 100000 CHECK (charge_yen_max > 0),
  charges_yen_per_month_max bigint NOT NULL DEFAULT 300000 CHECK (charges_yen_per_month_max > 0),
  -- Halts new links only: existing links keep charging (Docomo, 10 Sep 2020).
  new_links_suspended boolean NOT NULL DEFAULT false,
  -- Halts every charge by this operator (Japan Post Bank, Sep 2020).
  charges_suspended boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  CHECK (link_methods_allowed <@ ARRAY['legacy_pin', 'fapi2'])
);
