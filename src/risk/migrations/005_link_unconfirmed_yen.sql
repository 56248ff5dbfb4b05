-- What new-link-spending@1 weighs: the yen moved through a link before its holder first approved one of its charges
-- at the bank (a step-up, or staff releasing a held one), when that first happened, and when the link's first money
-- moved (its window runs from there, so a thief who waits before the first charge gains nothing). Links charged
-- before these columns existed count as confirmed: their history is not rebuilt.
ALTER TABLE risk_link_stats
  ADD COLUMN unconfirmed_yen int8 NOT NULL DEFAULT 0 CHECK (unconfirmed_yen >= 0),
  ADD COLUMN confirmed_at timestamptz,
  ADD COLUMN first_charge_at timestamptz;
UPDATE risk_link_stats SET confirmed_at = now();
